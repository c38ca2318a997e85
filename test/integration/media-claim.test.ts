import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { createPlayableItems } from '../../src/modules/catalog/index.ts';
import {
  createMediaService,
  ffmpegTools,
  type AssetRow,
  type MediaService,
  type MediaTools,
} from '../../src/modules/media/index.ts';
import type { RunningJob } from '../../src/platform/queue/queue.port.ts';
import type { Storage } from '../../src/platform/storage/storage.port.ts';
import { decryptPlaylist } from '../support/hls-check.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { createMovie, harness, storedKeys, upload, type Harness } from '../support/media-harness.ts';
import { fetchPackage } from '../support/media-package.ts';

/**
 * A transcode claims its asset before it touches a file. Two workers given one job (a duplicate
 * delivery, seed-demo beside a running worker): exactly one encodes. Files that vanish under a
 * running job (a rival runner's cleanup, a deleted source) fail the job with a reason and never
 * surface as an unhandled 'error' event that would take the process down.
 * No job handlers run in this app: the test is every worker there is.
 */

interface Worker {
  media: MediaService;
  /** ffmpeg and ffprobe processes this worker started. */
  runs: string[];
}

describe('transcode claims (two workers, vanishing files)', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let clip: string;
  const closers: Array<() => Promise<void>> = [];
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  before(async () => {
    process.on('uncaughtException', onUncaught);
    h = await harness(undefined, {}, { jobHandlers: false });
    scratch = await scratchDir();
    clip = await makeClip({
      path: path.join(scratch.dir, 'clip.mp4'),
      width: 1280,
      height: 720,
      seconds: 6,
      audio: [{ language: 'eng' }],
    });
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    for (const close of closers) await close();
    await h.close();
    await scratch.remove();
  });

  /** Another MediaService on the same database and storage, as another instance would have. */
  async function worker(options: { storage?: Storage; tools?: (real: MediaTools) => MediaTools } = {}) {
    const { deps } = h.context;
    const real = ffmpegTools(deps.config.media);
    const runs: string[] = [];
    const wrapped = options.tools?.(real) ?? real;
    const counted: MediaTools = {
      probe: (o) => (runs.push('ffprobe'), wrapped.probe(o)),
      ffmpeg: (o) => (runs.push('ffmpeg'), wrapped.ffmpeg(o)),
    };
    const playable = await createPlayableItems({
      db: deps.database.db,
      cache: deps.cache,
      pubsub: deps.pubsub,
    });
    closers.push(playable.close);
    const { media } = await createMediaService({
      db: deps.database.db,
      storage: options.storage ?? deps.storage,
      pubsub: deps.pubsub,
      queue: deps.queue,
      items: playable.items,
      logger: deps.logger,
      clock: deps.clock,
      tools: counted,
      config: deps.config.media,
    });
    return { media, runs } satisfies Worker;
  }

  const jobOf = (asset: AssetRow, attempt = 0): RunningJob<{ assetId: string }> => ({
    id: asset.jobId ?? 'by-hand',
    name: 'media.transcode',
    payload: { assetId: asset.id },
    attempt,
    signal: new AbortController().signal,
  });

  const workDirOf = (assetId: string) => path.join(h.context.deps.config.media.workDir, assetId);

  it('runs one job on two workers: one encodes, the other backs off, one good package', async () => {
    const movieId = await createMovie(h, 'Two workers');
    const asset = await upload(h, movieId, clip);
    const [a, b] = [await worker(), await worker()];

    await Promise.all([a.media.transcode(jobOf(asset)), b.media.transcode(jobOf(asset))]);

    const [idle, busy] = [a.runs, b.runs].sort((x, y) => x.length - y.length);
    assert.deepEqual(idle, [], 'the worker that lost the claim started no ffmpeg and no ffprobe');
    assert.ok(busy!.includes('ffprobe') && busy!.filter((run) => run === 'ffmpeg').length >= 3, String(busy));
    const done = await h.media.assets.find(asset.id);
    assert.equal(done?.status, 'ready', done?.failureReason ?? '');
    assert.equal(done.attempts, 1, 'claimed once');
    assert.equal(done.claimedBy, null, 'the claim is released when the package is recorded');
    assert.ok(done.packagePrefix);

    // One package in storage, whole: every variant decrypts with the keys media hands out.
    const prefixes = new Set<string>();
    for await (const object of h.context.deps.storage.list(`media/${movieId}/${asset.id}/`)) {
      prefixes.add(object.key.split('/').slice(0, 4).join('/'));
    }
    assert.deepEqual([...prefixes], [done.packagePrefix.replace(/\/$/, '')]);
    const dir = path.join(scratch.dir, asset.id);
    await fetchPackage(h.context.deps.storage, done.packagePrefix, dir);
    const master = parse(await readFile(path.join(dir, 'master.m3u8'), 'utf8')) as types.MasterPlaylist;
    const keys = await storedKeys(h, asset.id);
    assert.ok(master.variants.length >= 2);
    for (const variant of master.variants) {
      const segments = await decryptPlaylist({ outputDir: dir, uri: variant.uri, keys });
      const seconds = segments.reduce((sum, segment) => sum + segment.duration, 0);
      assert.ok(Math.abs(seconds - 6) < 0.5, `${variant.uri} covers the clip (${seconds} s)`);
    }

    // The job again (the backed-off worker's rescheduled copy): a finished asset is left alone.
    const before = [a.runs.length, b.runs.length];
    await Promise.all([a.media.transcode(jobOf(asset)), b.media.transcode(jobOf(asset))]);
    assert.deepEqual([a.runs.length, b.runs.length], before);
    assert.equal((await h.media.assets.find(asset.id))?.attempts, 1);
    assert.deepEqual(uncaught, []);
  });

  it('fails a job whose source is gone from storage, with the reason, and does not retry it', async () => {
    const movieId = await createMovie(h, 'Source gone');
    const asset = await upload(h, movieId, clip);
    await h.context.deps.storage.delete(asset.sourceKey);
    const w = await worker();

    await w.media.transcode(jobOf(asset));

    const failed = await h.media.assets.find(asset.id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed.failureCode, 'MEDIA_UNREADABLE');
    assert.match(failed.failureReason ?? '', /no longer in storage/);
    assert.deepEqual(w.runs, [], 'nothing was started for a source that is not there');
    assert.deepEqual(uncaught, []);
  });

  it('fails a job whose files are removed while it uploads (a rival runner’s cleanup); the process lives', async () => {
    const movieId = await createMovie(h, 'Files gone while uploading');
    const asset = await upload(h, movieId, clip);
    const inner = h.context.deps.storage;
    let removed = false;
    // Real storage; the first package write also removes the job's files, as a second runner
    // starting over on the same asset did (it cleared `work/<asset>/`).
    const storage: Storage = {
      kind: inner.kind,
      put: async (key, body) => {
        if (!removed && key.startsWith('media/')) {
          removed = true;
          await rm(workDirOf(asset.id), { recursive: true, force: true });
        }
        return inner.put(key, body);
      },
      get: (key, options) => inner.get(key, options),
      head: (key) => inner.head(key),
      delete: (key) => inner.delete(key),
      deletePrefix: (prefix) => inner.deletePrefix(prefix),
      list: (prefix) => inner.list(prefix),
      ping: () => inner.ping(),
      close: () => inner.close(),
    };
    const w = await worker({ storage });

    // The last attempt the queue allows: the failure is final and recorded.
    await w.media.transcode(jobOf(asset, h.context.deps.queue.catalog['media.transcode'].retryLimit));

    assert.ok(removed);
    const failed = await h.media.assets.find(asset.id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed.failureCode, 'MEDIA_TRANSCODE_FAILED');
    assert.match(failed.failureReason ?? '', /ENOENT/);
    const left = [];
    for await (const object of inner.list(`media/${movieId}/`)) left.push(object.key);
    assert.deepEqual(left, [], 'what was uploaded of the failed package is gone');
    // Give a stray stream's error a chance to surface before checking none did.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(uncaught, []);
  });

  it('fails a job whose files are removed while ffmpeg encodes, with ffmpeg’s reason', async () => {
    const movieId = await createMovie(h, 'Files gone while encoding');
    const asset = await upload(h, movieId, clip);
    const w = await worker({
      tools: (real) => ({
        probe: (options) => real.probe(options),
        ffmpeg: async (options) => {
          // The encode (the one ffmpeg run that reports -progress): pull its files from under it.
          if (!options.args.includes('-progress')) return real.ffmpeg(options);
          const running = real.ffmpeg(options);
          const settled = running.then(
            () => undefined,
            () => undefined,
          );
          await new Promise((resolve) => setTimeout(resolve, 300));
          await rm(workDirOf(asset.id), { recursive: true, force: true });
          await settled;
          return running;
        },
      }),
    });

    await w.media.transcode(jobOf(asset, h.context.deps.queue.catalog['media.transcode'].retryLimit));

    const failed = await h.media.assets.find(asset.id);
    assert.equal(failed?.status, 'failed');
    assert.ok(failed.failureReason, 'a reason is recorded');
    assert.deepEqual(uncaught, []);
  });
});
