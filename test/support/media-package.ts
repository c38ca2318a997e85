import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { unwrapKey } from '../../src/modules/media/index.ts';
import type { ContentKey } from '../../src/modules/media/content-keys.ts';
import type { DB } from '../../src/platform/db/db.generated.ts';
import type { Storage } from '../../src/platform/storage/storage.port.ts';

/** Reads one stored object whole. */
export async function readObject(storage: Storage, key: string): Promise<Buffer> {
  const object = await storage.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Downloads a stored package into a directory, the way a CDN would see it. */
export async function fetchPackage(storage: Storage, prefix: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const object of storage.list(prefix)) {
    const target = path.join(dir, object.key.slice(prefix.length));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readObject(storage, object.key));
    files.push(object.key.slice(prefix.length));
  }
  return files.sort();
}

/** An asset's content keys as the key server would hand them out: unwrapped with the master key. */
export async function storedKeys(options: {
  db: Kysely<DB>;
  masterKey: Buffer;
  assetId: string;
}): Promise<ContentKey[]> {
  const rows = await options.db
    .selectFrom('contentKeys')
    .selectAll()
    .where('assetId', '=', options.assetId)
    .execute();
  return rows.map((row) => ({
    keyId: row.id,
    tier: row.tier as ContentKey['tier'],
    key: unwrapKey({ masterKey: options.masterKey, wrapped: row.wrappedKey, keyId: row.id }),
    iv: Buffer.from(row.iv),
    firstSegment: row.firstSegment,
    renditions: row.renditions,
  }));
}
