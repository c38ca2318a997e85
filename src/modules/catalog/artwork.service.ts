import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { InvalidImage, TitleNotFound } from './catalog.errors.ts';
import type { TitlesRepository } from './titles.repository.ts';

export const ARTWORK_MAX_BYTES = 10 * 1024 * 1024;
export type ArtworkKind = 'poster' | 'backdrop';

/** The image type from the file's first bytes — never from its name or declared type. */
export function sniffImage(bytes: Uint8Array): 'jpg' | 'png' | 'webp' | undefined {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'jpg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0x52, 0x49, 0x46, 0x46) && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP')
    return 'webp';
  return undefined;
}

export interface ArtworkServiceDeps {
  /** Catalog transactions: each bumps the catalog version once committed. */
  transactor: Transactor;
  titles: TitlesRepository;
  storage: Storage;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Posters and backdrops. Stored under a content-addressed key (the hash is in the name), so the
 * files can be cached for ever by browsers and CDNs; replacing one stores a new key.
 */
export class ArtworkService {
  readonly #deps: ArtworkServiceDeps;

  constructor(deps: ArtworkServiceDeps) {
    this.#deps = deps;
  }

  /** Stores the image as the title's poster or backdrop; returns its storage key. */
  async replace(options: {
    titleId: string;
    kind: ArtworkKind;
    image: Buffer;
    context: RequestContext;
  }): Promise<string> {
    const { titles, storage, audit, clock } = this.#deps;
    const type = sniffImage(options.image);
    if (!type) throw InvalidImage('The file is not a JPEG, PNG or WebP image');
    if (!(await titles.find(options.titleId))) throw TitleNotFound();
    const hash = createHash('sha256').update(options.image).digest('hex').slice(0, 20);
    const key = `artwork/${options.titleId}/${options.kind}-${hash}.${type}`;
    await storage.put(key, options.image);
    const column = options.kind === 'poster' ? 'posterKey' : 'backdropKey';
    const previous = await this.#deps.transactor.run(async (trx) => {
      const before = await titles.lock(options.titleId, trx);
      if (!before) throw TitleNotFound();
      await titles.update(options.titleId, { [column]: key, updatedAt: clock.now() }, trx);
      await audit.record(trx, options.context, {
        action: `title.${options.kind}_replaced`,
        targetType: 'title',
        targetId: options.titleId,
        before: { [column]: before[column] },
        after: { [column]: key },
      });
      return before[column];
    });
    if (previous && previous !== key) await storage.delete(previous);
    return key;
  }

  async deleteKeys(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.#deps.storage.delete(key)));
  }
}
