import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaKeys } from '../../src/modules/media/index.ts';
import type { ContentKey } from '../../src/modules/media/content-keys.ts';
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

/** An asset's content keys as the key server would hand them out: unwrapped, by media. */
export async function storedKeys(options: { keys: MediaKeys; assetId: string }): Promise<ContentKey[]> {
  const keys = await options.keys.ofAsset({ assetId: options.assetId });
  return keys.map(({ keyId, tier, key, iv, firstSegment, renditions }) => ({
    keyId,
    tier,
    key,
    iv,
    firstSegment,
    renditions,
  }));
}
