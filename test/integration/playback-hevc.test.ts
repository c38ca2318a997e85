import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, type types } from 'hls-parser';
import { viewerOnPlan, type SignedIn } from '../support/accounts.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { ffprobePath, scratchDir } from '../support/media-clips.ts';

/**
 * Codecs by capability and 4K, against a real transcoded 4K title: a 1 s 3840×2160 gradient at 12 fps through a
 * 360p / 1080p / 2160p H.264 ladder with HEVC copies of the two top rungs (ultrafast, fixed
 * ladder so no rung is dropped). The HEVC variants reach only streams whose client declared
 * HEVC, still within the plan's cap; what a player fetches decrypts with the key server's key
 * and decodes. Debian's Chromium has no HEVC decoder, so the HEVC copies are proven here with
 * ffprobe; the Chromium player test plays a 4K title's H.264 2160p for Premium.
 */

const run = promisify(execFile);

interface Started {
  sessionId: string;
  token: string;
  masterPlaylistUrl: string;
  maxBitrate: number | null;
  renditions: Array<{ width: number; height: number; bandwidth: number }>;
}

describe('HEVC top rungs and 2160p, offered by capability and plan', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let assetId: string;

  before(async () => {
    h = await harness(undefined, {
      TRANSCODE_LADDER: '360:500,1080:1400,2160:4000',
      TRANSCODE_LADDER_MODE: 'fixed',
      TRANSCODE_HEVC: 'top',
      TRANSCODE_HEVC_PRESET: 'ultrafast',
      TRANSCODE_QUALITY_SAMPLE_FRAMES: '4',
    });
    scratch = await scratchDir();
    ({ movieId, assetId } = await publishedClip(h, {
      title: '4K test',
      dir: scratch.dir,
      seconds: 1,
      width: 3840,
      height: 2160,
      // 12 frames of 4K: one segment, little enough for CI's two cores.
      fps: 12,
      // A slow gradient: x265 ultrafast matches x264 there (SSIM within 0.005, measured 0.9992
      // against 0.9996 at 4K), so both copies are offered; on the test card at these starved bit
      // rates they fall ~0.007 short and would not be (keepMatchingHevc).
      picture: 'simple',
    }));
  });
  after(async () => {
    await h?.close();
    await scratch?.remove();
  });

  const viewerOn = (plan: string): Promise<SignedIn> => viewerOnPlan(h.context, plan);
  const start = (viewer: SignedIn, body?: unknown) =>
    h.context.app.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: viewer.headers,
      ...(body !== undefined && { payload: body as object }),
    });
  const get = (url: string) => h.context.app.inject({ url });
  const resolve = (uri: string, from: string) => {
    const url = new URL(uri, `http://localhost${from}`);
    return url.pathname + url.search;
  };

  async function masterOf(started: Started) {
    const response = await get(started.masterPlaylistUrl);
    assert.equal(response.statusCode, 200, response.body);
    const master = parse(response.body) as types.MasterPlaylist;
    return master.variants.map((variant) => ({
      name: /media\/([^/]+)\//.exec(variant.uri)![1]!,
      height: variant.resolution!.height,
      codecs: variant.codecs!,
      bandwidth: variant.bandwidth,
      uri: resolve(variant.uri, started.masterPlaylistUrl.split('?')[0]!),
    }));
  }

  /** Fetches a variant's first segment (and init section) as a player does, decrypts it, probes it. */
  async function probeFirstSegment(variantUri: string) {
    const mediaResponse = await get(variantUri);
    assert.equal(mediaResponse.statusCode, 200, mediaResponse.body);
    const media = parse(mediaResponse.body) as types.MediaPlaylist;
    const from = variantUri.split('?')[0]!;
    const segment = media.segments[0]!;
    const key = await get(resolve(segment.key!.uri!, from));
    assert.equal(key.statusCode, 200, key.body);
    const encrypted = await get(resolve(segment.uri, from));
    assert.equal(encrypted.statusCode, 200);
    const decipher = createDecipheriv('aes-128-cbc', key.rawPayload, Buffer.from(segment.key!.iv!));
    const plain = Buffer.concat([decipher.update(encrypted.rawPayload), decipher.final()]);
    let init: Buffer = Buffer.alloc(0);
    if (segment.map) {
      const initResponse = await get(resolve(segment.map.uri, from));
      assert.equal(initResponse.statusCode, 200);
      assert.equal(initResponse.headers['content-type'], 'video/mp4');
      assert.equal(encrypted.headers['content-type'], 'video/iso.segment');
      init = initResponse.rawPayload;
    }
    const file = path.join(scratch.dir, `probe-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, Buffer.concat([init, plain]));
    const { stdout } = await run(ffprobePath, [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries'],
      ...['stream=codec_name,width,height,nb_read_frames', '-of', 'json', file],
    ]);
    const [stream] = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams;
    return {
      codec: stream?.['codec_name'],
      width: stream?.['width'],
      height: stream?.['height'],
      frames: Number(stream?.['nb_read_frames']),
    };
  }

  it('Premium without HEVC: H.264 up to 2160p, and the 2160p segment decodes at 3840×2160', async () => {
    const response = await start(await viewerOn('premium'));
    assert.equal(response.statusCode, 201, response.body);
    const started = response.json<Started>();
    const variants = await masterOf(started);
    assert.deepEqual(
      variants.map((variant) => variant.name),
      ['v360', 'v1080', 'v2160'],
    );
    assert.ok(variants.every((variant) => variant.codecs.startsWith('avc1.')));
    assert.deepEqual(
      started.renditions.map((rendition) => rendition.height),
      [360, 1080, 2160],
    );
    const probed = await probeFirstSegment(variants.at(-1)!.uri);
    assert.deepEqual(
      { ...probed, frames: probed.frames > 0 },
      {
        codec: 'h264',
        width: 3840,
        height: 2160,
        frames: true,
      },
    );
  });

  it('Premium declaring HEVC also gets h1080 and h2160, which decrypt with the key server’s key and decode', async () => {
    const response = await start(await viewerOn('premium'), { codecs: ['hevc'] });
    assert.equal(response.statusCode, 201, response.body);
    const started = response.json<Started>();
    const variants = await masterOf(started);
    assert.deepEqual(variants.map((variant) => variant.name).sort(), [
      'h1080',
      'h2160',
      'v1080',
      'v2160',
      'v360',
    ]);
    const h2160 = variants.find((variant) => variant.name === 'h2160')!;
    assert.match(h2160.codecs, /^hvc1\.1\.6\.L\d+\.[0-9A-F]+,mp4a\.40\.2$/);
    assert.equal(started.renditions.length, 5);
    const probed = await probeFirstSegment(h2160.uri);
    assert.deepEqual(
      { ...probed, frames: probed.frames > 0 },
      {
        codec: 'hevc',
        width: 3840,
        height: 2160,
        frames: true,
      },
    );
  });

  it('HEVC stays within the plan: Standard declaring HEVC gets h1080, never h2160 or its key', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer, { codecs: ['hevc'] })).json<Started>();
    const variants = await masterOf(started);
    assert.deepEqual(variants.map((variant) => variant.name).sort(), ['h1080', 'v1080', 'v360']);
    const probed = await probeFirstSegment(variants.find((variant) => variant.name === 'h1080')!.uri);
    assert.equal(probed.codec, 'hevc');
    const hidden = await get(
      `${started.masterPlaylistUrl.split('?')[0]!.replace('master.m3u8', 'media/h2160/index.m3u8')}?token=${encodeURIComponent(started.token)}`,
    );
    assert.equal(hidden.statusCode, 403);
  });

  it('a client that declares nothing, or an empty list, gets no HEVC variant', async () => {
    for (const body of [undefined, {}, { codecs: [] }]) {
      const started = (await start(await viewerOn('premium'), body)).json<Started>();
      const variants = await masterOf(started);
      assert.ok(
        variants.every((variant) => !variant.codecs.startsWith('hvc1')),
        `${JSON.stringify(body)}: ${JSON.stringify(variants)}`,
      );
      assert.equal(started.renditions.length, 3);
    }
  });

  it('shows admins the SSIM and PSNR of every rendition, the HEVC copies too', async () => {
    const response = await h.context.app.inject({
      url: `/api/admin/jobs/${assetId}`,
      headers: h.admin.headers,
    });
    assert.equal(response.statusCode, 200, response.body);
    const { renditions } = response.json<{
      renditions: Array<{
        name: string;
        codecs: string;
        quality: { ssim: number; psnr: number; frames: number } | null;
      }>;
    }>();
    assert.deepEqual(renditions.map((rendition) => rendition.name).sort(), [
      'h1080',
      'h2160',
      'v1080',
      'v2160',
      'v360',
    ]);
    for (const { name, codecs, quality } of renditions) {
      assert.ok(quality, `${name} has no quality`);
      assert.ok(quality.ssim > 0.5 && quality.ssim < 1, `${name} ssim ${quality.ssim}`);
      assert.ok(quality.psnr > 15 && quality.psnr < 100, `${name} psnr ${quality.psnr}`);
      assert.ok(quality.frames > 0, name);
      assert.equal(codecs.startsWith('hvc1.'), name.startsWith('h'), `${name}: ${codecs}`);
    }
  });

  it('refuses an unknown codec with a problem naming the field', async () => {
    const response = await start(await viewerOn('premium'), { codecs: ['av1'] });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    assert.match(response.body, /codecs/);
  });
});
