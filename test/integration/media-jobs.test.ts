import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { createDemoTitles } from '../../src/modules/catalog/index.ts';
import { demoVideos, ffmpegTools, seedDemoVideos } from '../../src/modules/media/index.ts';
import { S3Storage } from '../../src/platform/storage/s3.storage.ts';
import { signInWithRoles } from '../support/accounts.ts';
import {
  createMovie,
  harness,
  storedKeys,
  upload,
  waitForJob,
  type Harness,
  type JobView,
} from '../support/media-harness.ts';
import { decryptPlaylist, keySwitches } from '../support/hls-check.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { fetchPackage } from '../support/media-package.ts';
import { startS3rver } from '../support/s3rver.ts';

/**
 * The transcode job end to end, on the app's real parts: a source in storage → the queue → the
 * worker → an encrypted package in storage, keys wrapped in the database, the item pointed at it.
 * Run on the local and the S3 storage adapter.
 */

const itemStatus = async (h: Harness, id: string) =>
  (
    await h.context.deps.database.db
      .selectFrom('titles')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).status;

async function checkPackage(h: Harness, assetId: string, scratch: string) {
  const asset = await h.media.assets.find(assetId);
  assert.ok(asset?.packagePrefix);
  const dir = path.join(scratch, assetId);
  const files = await fetchPackage(h.context.deps.storage, asset.packagePrefix, dir);
  assert.ok(files.includes('master.m3u8'));
  assert.ok(files.includes('poster.jpg'));
  assert.ok(files.includes('thumbs/thumbnails.vtt'));
  const { readFile } = await import('node:fs/promises');
  const master = parse(await readFile(path.join(dir, 'master.m3u8'), 'utf8')) as types.MasterPlaylist;
  const keys = await storedKeys(h, assetId);
  assert.ok(keys.length > 0);
  for (const variant of master.variants) {
    assert.ok(variant.bandwidth > 0 && variant.averageBandwidth && variant.resolution && variant.codecs);
    const segments = await decryptPlaylist({ outputDir: dir, uri: variant.uri, keys });
    assert.ok(segments.length >= 2);
    assert.equal(
      keySwitches(segments).length,
      Math.ceil(segments.length / 2),
      'keys rotate every 2 segments',
    );
  }
  return { master, files, keys };
}

describe('transcode jobs (local storage)', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => {
    h = await harness();
    scratch = await scratchDir();
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  it('turns an upload with two audio tracks and subtitles into a playable encrypted package', async () => {
    const movieId = await createMovie(h, 'Pipeline test');
    const clip = await makeClip({
      path: path.join(scratch.dir, 'two-audio.mp4'),
      width: 1280,
      height: 720,
      seconds: 5,
      audio: [{ language: 'eng' }, { language: 'fra', title: 'Français' }],
    });
    const srt = path.join(scratch.dir, 'subs.srt');
    await writeFile(
      srt,
      '1\n00:00:00,500 --> 00:00:02,000\nHello\n\n2\n00:00:02,500 --> 00:00:04,000\nWorld\n',
    );
    const asset = await upload(h, movieId, clip, [srt]);
    assert.equal(asset.status, 'queued');
    assert.equal(await itemStatus(h, movieId), 'processing');

    const job = await waitForJob(h, asset.id, (j) => j.status === 'ready' || j.status === 'failed');
    assert.equal(job.status, 'ready', JSON.stringify(job.failure));
    assert.equal(job.progress, 100);
    assert.equal(job.height, 720);
    assert.equal(await itemStatus(h, movieId), 'ready');

    const { master } = await checkPackage(h, asset.id, scratch.dir);
    assert.deepEqual(
      master.variants.map((variant) => variant.resolution?.height),
      [240, 360, 720],
    );
    const audio = master.variants[0]!.audio.map((track) => track.language);
    assert.deepEqual(audio.sort(), ['en', 'fr']);
    assert.equal(master.variants[0]!.subtitles[0]?.language, 'en');

    const renditions = await h.context.deps.database.db
      .selectFrom('videoRenditions')
      .select(['name', 'kind', 'tier'])
      .where('assetId', '=', asset.id)
      .orderBy('name')
      .execute();
    assert.deepEqual(
      renditions.filter((r) => r.kind === 'video').map((r) => [r.name, r.tier]),
      [
        ['v240', 'SD'],
        ['v360', 'SD'],
        ['v720', 'HD'],
      ],
    );
    assert.equal(renditions.filter((r) => r.kind === 'audio').length, 2);
    assert.equal(renditions.filter((r) => r.kind === 'subtitles').length, 1);
    // Admins see each packaged rendition's measured quality against the source.
    const detail = await h.context.app.inject({
      url: `/api/admin/jobs/${asset.id}`,
      headers: h.admin.headers,
    });
    const shown = detail.json<{
      ladderMode: string;
      renditions: Array<{
        name: string;
        bandwidth: number;
        quality: { ssim: number; psnr: number; frames: number };
      }>;
      droppedRenditions: unknown[];
    }>();
    assert.equal(shown.ladderMode, 'content-aware');
    assert.deepEqual(
      shown.renditions.map((r) => r.name),
      ['v240', 'v360', 'v720'],
    );
    assert.deepEqual(shown.droppedRenditions, []);
    for (const { name, quality, bandwidth } of shown.renditions) {
      assert.ok(bandwidth > 0, name);
      assert.ok(quality.ssim > 0.8 && quality.ssim < 1, `${name} ssim ${quality.ssim}`);
      assert.ok(quality.psnr > 20 && quality.psnr < 100, `${name} psnr ${quality.psnr}`);
      assert.ok(quality.frames > 0, name);
    }
    const ssims = shown.renditions.map((r) => r.quality.ssim);
    assert.ok(
      ssims[0]! < ssims[1]! && ssims[1]! < ssims[2]!,
      `SSIM grows with the rung: ${ssims.join(', ')}`,
    );
    const pointer = await h.context.deps.database.db
      .selectFrom('itemVideos')
      .selectAll()
      .where('itemId', '=', movieId)
      .executeTakeFirstOrThrow();
    assert.equal(pointer.assetId, asset.id);
    // Progress went out on the pub/sub port, ending in TranscodeFinished.
    const mine = h.events.filter((event) => event.assetId === asset.id);
    assert.ok(mine.some((event) => event.type === 'TranscodeProgressed'));
    assert.equal(mine.at(-1)?.type, 'TranscodeFinished');
    // The stored manifest carries no key material.
    const stored = await h.media.assets.find(asset.id);
    assert.ok(!JSON.stringify(stored?.manifest).includes('"key"'));
  });

  it('marks a file ffmpeg cannot read as failed, with the reason, and does not retry it', async () => {
    const movieId = await createMovie(h, 'Corrupt source');
    const corrupt = path.join(scratch.dir, 'corrupt.mp4');
    await writeFile(corrupt, Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypmp42'), Buffer.alloc(4096, 7)]));
    const asset = await upload(h, movieId, corrupt);
    const job = await waitForJob(h, asset.id, (j) => j.status === 'failed' || j.status === 'ready');
    assert.equal(job.status, 'failed');
    assert.equal(job.failure?.code, 'MEDIA_UNREADABLE');
    assert.ok(job.failure.reason.length > 0);
    assert.ok(!job.failure.reason.includes(scratch.dir), 'no server paths in the reason');
    assert.equal(await itemStatus(h, movieId), 'draft');
    const listed = await h.context.app.inject({
      url: '/api/admin/jobs?status=failed',
      headers: h.admin.headers,
    });
    assert.ok(listed.json<{ items: JobView[] }>().items.some((item) => item.id === asset.id));
  });

  it('cancels a running transcode, keeps nothing it made, and can retry it', async () => {
    const movieId = await createMovie(h, 'Cancelled');
    const clip = await makeClip({
      path: path.join(scratch.dir, 'long.mp4'),
      width: 1280,
      height: 720,
      seconds: 40,
    });
    const asset = await upload(h, movieId, clip);
    await waitForJob(h, asset.id, (j) => j.status === 'processing' && j.progress > 0);
    // An admin console watching: the job as it is, then its progress pushed, over a real socket.
    const base = await h.context.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await fetch(`${base}/api/admin/jobs/events`, {
      headers: h.admin.headers,
      signal: AbortSignal.timeout(60_000),
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let pushed = '';
    while ((pushed.match(/^event: job$/gm) ?? []).length < 3) pushed += (await reader.read()).value ?? '';
    const cancelled = await h.context.app.inject({
      method: 'POST',
      url: `/api/admin/jobs/${asset.id}/cancel`,
      headers: h.admin.headers,
    });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json<JobView>().status, 'cancelled');
    // The cancel is pushed too, and with nothing left running the stream says so and ends.
    for (let read = await reader.read(); !read.done; read = await reader.read()) pushed += read.value;
    const events = pushed
      .trim()
      .split('\n\n')
      .map((block) => ({
        name: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as JobView & { assetId: string },
      }));
    assert.deepEqual(events.at(-1), { name: 'idle', data: {} });
    const moves = events.filter((event) => event.name === 'job').map((event) => event.data);
    assert.ok(moves.every((move) => move.assetId === asset.id));
    const progress = moves.filter((move) => move.status === 'processing').map((move) => move.progress);
    assert.ok(progress.length >= 3, pushed);
    assert.deepEqual(
      progress,
      progress.toSorted((a, b) => a - b),
      'progress never goes back',
    );
    assert.equal(moves.at(-1)?.status, 'cancelled');
    // ffmpeg stops; nothing of this asset is in storage, and the item has no video.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const leftovers = [];
    for await (const object of h.context.deps.storage.list(`media/${movieId}/`)) leftovers.push(object.key);
    assert.deepEqual(leftovers, []);
    assert.equal(await itemStatus(h, movieId), 'draft');
    const again = await h.context.app.inject({
      method: 'POST',
      url: `/api/admin/jobs/${asset.id}/cancel`,
      headers: h.admin.headers,
    });
    assert.equal(again.statusCode, 409);

    const retried = await h.context.app.inject({
      method: 'POST',
      url: `/api/admin/jobs/${asset.id}/retry`,
      headers: h.admin.headers,
    });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.ok(['queued', 'processing'].includes(retried.json<JobView>().status));
    assert.equal(await itemStatus(h, movieId), 'processing');
    // Cancel the retry too, so the 40 s encode doesn't slow the suite.
    await waitForJob(h, asset.id, (j) => j.status === 'processing');
    await h.context.app.inject({
      method: 'POST',
      url: `/api/admin/jobs/${asset.id}/cancel`,
      headers: h.admin.headers,
    });
  });

  it('answers admins only, with problem+json for unknown jobs', async () => {
    const anonymous = await h.context.app.inject({ url: '/api/admin/jobs' });
    assert.equal(anonymous.statusCode, 401);
    const viewer = await signInWithRoles(h.context, ['viewer']);
    const refused = await h.context.app.inject({ url: '/api/admin/jobs', headers: viewer.headers });
    assert.equal(refused.statusCode, 403);
    const events = (headers?: Record<string, string>) =>
      h.context.app.inject({ url: '/api/admin/jobs/events', ...(headers && { headers }) });
    assert.equal((await events()).statusCode, 401);
    assert.equal((await events(viewer.headers)).statusCode, 403);
    // Nothing queued or running: the stream says so and ends at once.
    const idle = await events(h.admin.headers);
    assert.equal(idle.statusCode, 200);
    assert.equal(idle.body, 'event: idle\ndata: {}\n\n');
    const missing = await h.context.app.inject({
      url: '/api/admin/jobs/00000000-0000-4000-8000-000000000000',
      headers: h.admin.headers,
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('seed-demo transcodes beside a running worker: each demo asset is claimed once, and all play', async () => {
    const { deps } = h.context;
    const seed = () =>
      seedDemoVideos({
        media: h.media,
        titles: createDemoTitles({ db: deps.database.db, clock: deps.clock }),
        tools: ffmpegTools(deps.config.media),
        uploadedBy: null,
      });
    // The worker of this app polls the queue twice a second: it sees each queued job at once.
    const report = await seed();
    assert.deepEqual(report, {
      created: demoVideos.length,
      transcoded: demoVideos.length,
      alreadyPlayable: 0,
    });
    const assets = await deps.database.db
      .selectFrom('videoAssets')
      .innerJoin('titles', 'titles.id', 'videoAssets.itemId')
      .select(['videoAssets.status', 'videoAssets.attempts', 'titles.status as titleStatus'])
      .where((eb) => eb(eb.val('demo'), '=', eb.fn.any('titles.tags')))
      .execute();
    assert.equal(assets.length, demoVideos.length);
    for (const asset of assets) {
      assert.deepEqual(asset, { status: 'ready', attempts: 1, titleStatus: 'published' });
    }
    const again = await seed();
    assert.deepEqual(again, { created: 0, transcoded: 0, alreadyPlayable: demoVideos.length });
  });
});

describe('transcode jobs (S3 storage on s3rver)', () => {
  let h: Harness;
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => {
    s3 = await startS3rver();
    scratch = await scratchDir();
    h = await harness(
      new S3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
      }),
    );
  });
  after(async () => {
    await h.close();
    await s3.stop();
    await scratch.remove();
  });

  it('packages a vertical video without audio, and a re-upload switches the item to the new package', async () => {
    const movieId = await createMovie(h, 'Vertical');
    const vertical = await makeClip({
      path: path.join(scratch.dir, 'vertical.mp4'),
      width: 720,
      height: 1280,
      seconds: 4,
    });
    const first = await upload(h, movieId, vertical);
    const ready = await waitForJob(h, first.id, (j) => j.status === 'ready' || j.status === 'failed');
    assert.equal(ready.status, 'ready', JSON.stringify(ready.failure));
    const { master } = await checkPackage(h, first.id, scratch.dir);
    assert.ok(
      master.variants.every(
        (variant) => (variant.resolution?.height ?? 0) > (variant.resolution?.width ?? 0),
      ),
    );
    assert.ok(master.variants.every((variant) => variant.audio.length === 0));

    const second = await upload(
      h,
      movieId,
      await makeClip({ path: path.join(scratch.dir, 'landscape.mp4'), width: 640, height: 360, seconds: 4 }),
    );
    await waitForJob(h, second.id, (j) => j.status === 'ready');
    const pointer = await h.context.deps.database.db
      .selectFrom('itemVideos')
      .selectAll()
      .where('itemId', '=', movieId)
      .executeTakeFirstOrThrow();
    assert.equal(pointer.assetId, second.id);
    // The first package is still whole: sessions playing it keep playing.
    await checkPackage(h, first.id, path.join(scratch.dir, 'again'));
  });
});
