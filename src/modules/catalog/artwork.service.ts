import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { InvalidImage, TitleNotFound } from './catalog.errors.ts';
import type { CatalogVersion } from './catalog-version.ts';

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

/**
 * Posters and backdrops. Stored under a content-addressed key (the hash is in the name), so the
 * files can be cached for ever by browsers and CDNs; replacing one stores a new key.
 */
export class ArtworkService {
  readonly #db: Kysely<DB>;
  readonly #storage: Storage;
  readonly #audit: AuditLog;
  readonly #version: CatalogVersion;

  constructor(options: { db: Kysely<DB>; storage: Storage; audit: AuditLog; version: CatalogVersion }) {
    this.#db = options.db;
    this.#storage = options.storage;
    this.#audit = options.audit;
    this.#version = options.version;
  }

  async replace(options: {
    titleId: string;
    kind: ArtworkKind;
    image: Buffer;
    context: RequestContext;
  }): Promise<string> {
    const type = sniffImage(options.image);
    if (!type) throw InvalidImage('The file is not a JPEG, PNG or WebP image');
    const exists = await this.#db
      .selectFrom('titles')
      .select('id')
      .where('id', '=', options.titleId)
      .executeTakeFirst();
    if (!exists) throw TitleNotFound();
    const hash = createHash('sha256').update(options.image).digest('hex').slice(0, 20);
    const key = `artwork/${options.titleId}/${options.kind}-${hash}.${type}`;
    await this.#storage.put(key, options.image);
    const column = options.kind === 'poster' ? 'posterKey' : 'backdropKey';
    const previous = await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('titles')
        .select(column)
        .where('id', '=', options.titleId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw TitleNotFound();
      await trx
        .updateTable('titles')
        .set({ [column]: key, updatedAt: new Date() })
        .where('id', '=', options.titleId)
        .execute();
      await this.#audit.record(trx, options.context, {
        action: `title.${options.kind}_replaced`,
        targetType: 'title',
        targetId: options.titleId,
        before: { [column]: before[column] },
        after: { [column]: key },
      });
      return before[column];
    });
    if (previous && previous !== key) await this.#storage.delete(previous);
    await this.#version.bump();
    return key;
  }

  async deleteKeys(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.#storage.delete(key)));
  }
}
