import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalStorage } from '../../platform/storage/local.storage.ts';
import { LiveMirror } from './live-mirror.ts';

/**
 * The mirror keeps storage to the DVR window: segments that slide out of a rung's playlist are
 * deleted from storage as ffmpeg deletes them locally — also those uploaded by an earlier mirror
 * of the same event (an SRT session before a reconnect, a worker before a restart).
 */
describe('LiveMirror', () => {
  let root: string;
  let storage: LocalStorage;
  const prefix = 'live/e1/hls/';

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'live-mirror-'));
    storage = new LocalStorage(path.join(root, 'storage'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const hls = () => path.join(root, 'hls');
  /** What ffmpeg leaves with a window of three: the playlist, its segments, older ones deleted. */
  async function window(first: number): Promise<void> {
    await rm(path.join(hls(), '0'), { recursive: true, force: true });
    await mkdir(path.join(hls(), '0'), { recursive: true });
    const names = [first, first + 1, first + 2].map((n) => `seg-${String(n).padStart(5, '0')}.ts`);
    for (const name of names) await writeFile(path.join(hls(), '0', name), `segment ${name}`);
    await writeFile(
      path.join(hls(), '0', 'index.m3u8'),
      `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:${first}\n${names.map((name) => `#EXTINF:1.0,\n${name}\n`).join('')}`,
    );
    await writeFile(path.join(hls(), 'master.m3u8'), '#EXTM3U\n0/index.m3u8\n');
  }
  async function stored(): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of storage.list(prefix)) keys.push(object.key.slice(prefix.length));
    return keys.sort();
  }
  const mirror = () => new LiveMirror({ dir: hls(), prefix, storage, rungs: 1 });

  it('deletes what left the window, even what an earlier mirror uploaded', async () => {
    const first = mirror();
    await window(0);
    await first.sync();
    assert.deepEqual(await stored(), [
      '0/index.m3u8',
      '0/seg-00000.ts',
      '0/seg-00001.ts',
      '0/seg-00002.ts',
      'master.m3u8',
    ]);
    await window(2);
    await first.sync();
    assert.deepEqual(await stored(), [
      '0/index.m3u8',
      '0/seg-00002.ts',
      '0/seg-00003.ts',
      '0/seg-00004.ts',
      'master.m3u8',
    ]);

    // A new session's mirror (it never uploaded 2–4) as the window moves on past them.
    const resumed = mirror();
    await window(5);
    await resumed.sync();
    assert.deepEqual(await stored(), [
      '0/index.m3u8',
      '0/seg-00005.ts',
      '0/seg-00006.ts',
      '0/seg-00007.ts',
      'master.m3u8',
    ]);
  });
});
