import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, opendir, rename, rm, stat, unlink, access, constants } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidKey,
  contentTypeFor,
  ObjectNotFound,
  resolveRange,
  type ByteRange,
  type ObjectBody,
  type ObjectInfo,
  type Storage,
} from './storage.port.ts';

const TMP = '.tmp';

/** Objects as files under one directory. Writes go to a temp file first and are renamed into place. */
export class LocalStorage implements Storage {
  readonly kind = 'local';
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  #path(key: string): string {
    assertValidKey(key);
    const full = path.join(this.#root, key);
    // assertValidKey already forbids '..'; this is the belt to its braces.
    if (!full.startsWith(this.#root + path.sep)) throw new Error('storage key escapes the root');
    return full;
  }

  async #info(key: string, full: string): Promise<ObjectInfo | undefined> {
    try {
      const stats = await stat(full);
      if (!stats.isFile()) return undefined;
      return {
        key,
        size: stats.size,
        contentType: contentTypeFor(key),
        etag: `"${createHash('sha1').update(`${stats.size}:${stats.mtimeMs}:${stats.ino}`).digest('hex').slice(0, 20)}"`,
        lastModified: stats.mtime,
      };
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      ) {
        return undefined;
      }
      throw error;
    }
  }

  async put(key: string, body: Buffer | Uint8Array | string | Readable): Promise<ObjectInfo> {
    const full = this.#path(key);
    const tmpDir = path.join(this.#root, TMP);
    await Promise.all([mkdir(path.dirname(full), { recursive: true }), mkdir(tmpDir, { recursive: true })]);
    const tmp = path.join(tmpDir, randomUUID());
    try {
      const source =
        body instanceof Readable
          ? body
          : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
      await pipeline(source, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, full);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    const info = await this.#info(key, full);
    if (!info) throw new Error(`object ${key} vanished right after it was written`);
    return info;
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<ObjectBody> {
    const full = this.#path(key);
    const info = await this.#info(key, full);
    if (!info) throw ObjectNotFound(`no object at ${key}`);
    const range = resolveRange(options.range, info.size);
    const body = createReadStream(full, range ?? {});
    return { ...info, body, range, contentLength: range ? range.end - range.start + 1 : info.size };
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#info(key, this.#path(key));
  }

  async delete(key: string): Promise<void> {
    await unlink(this.#path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidKey(prefix, { prefix: true });
    let count = 0;
    for await (const _ of this.list(prefix)) count += 1;
    await rm(path.join(this.#root, prefix), { recursive: true, force: true });
    return count;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    if (prefix !== '') assertValidKey(prefix, { prefix: true });
    const start = path.join(this.#root, prefix);
    const walk = async function* (this: LocalStorage, dir: string): AsyncGenerator<ObjectInfo> {
      let handle;
      try {
        handle = await opendir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      const entries = [];
      for await (const entry of handle) entries.push(entry);
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const key = path.relative(this.#root, full).split(path.sep).join('/');
        if (key === TMP) continue;
        if (entry.isDirectory()) yield* walk.call(this, full);
        else if (entry.isFile()) {
          const info = await this.#info(key, full);
          if (info) yield info;
        }
      }
    };
    yield* walk.call(this, start);
  }

  async ping(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    await access(this.#root, constants.W_OK);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
