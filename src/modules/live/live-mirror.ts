import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Storage } from '../../platform/storage/storage.port.ts';

/**
 * Copies a live transcoder's HLS directory into object storage as it grows, so any API instance
 * (and a CDN in front of the bucket) serves the event, not only the worker that runs ffmpeg. Each
 * pass uploads a rung's new segments before the playlist that names them, and the master last,
 * so storage never lists a segment it lacks; segments that slid out of the DVR window are deleted
 * there too — including those an earlier mirror of the same event uploaded (the session before
 * an SRT reconnect, or a worker before its restart), which the first pass adopts from a listing of
 * the prefix. One pass at a time (the caller awaits each).
 */
export class LiveMirror {
  readonly #options: { dir: string; prefix: string; storage: Storage; rungs: number };
  readonly #uploaded = new Set<string>();
  readonly #playlists = new Map<string, string>();
  #masterUploaded = false;
  #adopted = false;

  constructor(options: { dir: string; prefix: string; storage: Storage; rungs: number }) {
    this.#options = options;
  }

  async sync(): Promise<void> {
    const { dir, prefix, storage, rungs } = this.#options;
    if (!this.#adopted) {
      for await (const object of storage.list(prefix))
        if (object.key.endsWith('.ts')) this.#uploaded.add(object.key.slice(prefix.length));
      this.#adopted = true;
    }
    const listed = new Set<string>();
    let playlists = 0;
    for (let index = 0; index < rungs; index++) {
      const name = `${index}/index.m3u8`;
      const text = await readIfThere(path.join(dir, name));
      if (text === undefined) continue;
      playlists++;
      for (const line of text.split('\n')) {
        const segment = line.trim();
        if (segment === '' || segment.startsWith('#')) continue;
        const relative = `${index}/${segment}`;
        listed.add(relative);
        if (this.#uploaded.has(relative)) continue;
        const body = await readFile(path.join(dir, relative)).catch(() => undefined);
        // Gone already (deleted as the window slid past it): nothing to serve.
        if (body === undefined) continue;
        await storage.put(`${prefix}${relative}`, body);
        this.#uploaded.add(relative);
      }
      if (this.#playlists.get(name) !== text) {
        await storage.put(`${prefix}${name}`, text);
        this.#playlists.set(name, text);
      }
    }
    if (!this.#masterUploaded && playlists === rungs) {
      const master = await readIfThere(path.join(dir, 'master.m3u8'));
      if (master !== undefined) {
        await storage.put(`${prefix}master.m3u8`, master);
        this.#masterUploaded = true;
      }
    }
    for (const relative of this.#uploaded) {
      if (listed.has(relative)) continue;
      await storage.delete(`${prefix}${relative}`);
      this.#uploaded.delete(relative);
    }
  }
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
