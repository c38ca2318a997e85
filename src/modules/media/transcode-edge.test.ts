import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decryptPlaylist, readMaster } from '../../../test/support/hls-check.ts';
import {
  ffmpegPath,
  ffprobePath,
  makeClip,
  probeVideo,
  scratchDir,
} from '../../../test/support/media-clips.ts';
import { MediaNotAVideo, MediaUnreadable, SubtitleUnreadable } from './media.errors.ts';
import { ffmpegTools } from './media-tools.ts';
import { transcodeToEncryptedHls, type TranscodeOptions } from './transcode.ts';

const fast: TranscodeOptions = {
  preset: 'ultrafast',
  threads: 1,
  segmentSeconds: 1,
  thumbnailIntervalSeconds: 1,
};
const tools = ffmpegTools({ ffmpegPath, ffprobePath });

describe('transcodeToEncryptedHls: edge cases', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => {
    scratch = await scratchDir();
  });
  after(() => scratch.remove());

  const work = (name: string) => path.join(scratch.dir, `work-${name}`);

  it('a clip without audio: video-only codecs, no audio group, one SD key', async () => {
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'silent.mp4'),
      width: 640,
      height: 360,
      seconds: 2,
    });
    const result = await transcodeToEncryptedHls({
      sourcePath,
      workDir: work('silent'),
      options: fast,
      tools,
    });
    const master = await readMaster(result.outputDir);
    assert.deepEqual(
      master.variants.map((variant) => [variant.uri, variant.resolution?.width, variant.resolution?.height]),
      [
        ['v240/index.m3u8', 426, 240],
        ['v360/index.m3u8', 640, 360],
      ],
    );
    for (const variant of master.variants) {
      assert.match(variant.codecs!, /^avc1\.[0-9a-f]{6}$/);
      assert.deepEqual(variant.audio, []);
    }
    assert.deepEqual(result.manifest.audioTracks, []);
    assert.deepEqual(
      result.manifest.keys.map((key) => [key.tier, key.renditions]),
      [['SD', ['v240', 'v360']]],
    );
    for (const rendition of result.manifest.renditions) {
      const segments = await decryptPlaylist({
        outputDir: result.outputDir,
        uri: rendition.playlist,
        keys: result.manifest.keys,
      });
      assert.equal(segments.length, 2);
      assert.equal(new Set(segments.map((segment) => segment.keyId)).size, 1, 'rotation 0: one key');
    }
  });

  it('a vertical 360x640 clip stays vertical', async () => {
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'vertical.mp4'),
      width: 360,
      height: 640,
      seconds: 1,
    });
    const result = await transcodeToEncryptedHls({
      sourcePath,
      workDir: work('vertical'),
      options: fast,
      tools,
    });
    assert.deepEqual(
      result.manifest.renditions.map((rendition) => [rendition.name, rendition.width, rendition.height]),
      [
        ['v240', 240, 426],
        ['v360', 360, 640],
      ],
    );
    const master = await readMaster(result.outputDir);
    assert.deepEqual(master.variants.at(-1)!.resolution, { width: 360, height: 640 });
  });

  it('a landscape-coded phone clip flagged as rotated comes out upright', async () => {
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'phone.mp4'),
      width: 640,
      height: 360,
      seconds: 1,
      rotate: 90,
      audio: [{ language: 'eng' }],
    });
    const result = await transcodeToEncryptedHls({
      sourcePath,
      workDir: work('phone'),
      options: fast,
      tools,
    });
    assert.equal(result.probe.video.rotation, 270);
    const top = result.manifest.renditions.at(-1)!;
    assert.deepEqual([top.width, top.height], [360, 640]);
    const [first] = await decryptPlaylist({
      outputDir: result.outputDir,
      uri: top.playlist,
      keys: result.manifest.keys,
    });
    const segment = path.join(scratch.dir, 'phone-first.ts');
    await writeFile(segment, first!.plain);
    const probed = await probeVideo(segment);
    assert.deepEqual([probed.width, probed.height], [360, 640], 'the pixels were turned, not just labelled');
  });

  it('random bytes named .mp4 reject with ffprobe’s reason and leave nothing behind', async () => {
    const sourcePath = path.join(scratch.dir, 'corrupt.mp4');
    await writeFile(sourcePath, randomBytes(64 * 1024));
    const workDir = work('corrupt');
    await assert.rejects(transcodeToEncryptedHls({ sourcePath, workDir, options: fast, tools }), (error) => {
      assert.ok(MediaUnreadable.is(error) || MediaNotAVideo.is(error), String(error));
      const reason = String((error as { extensions: Record<string, unknown> }).extensions['reason']);
      assert.match(reason, /Invalid data found when processing input|moov atom not found/);
      assert.ok(!reason.includes(scratch.dir), 'no server paths in the reason');
      return true;
    });
    assert.ok(!(await readdir(scratch.dir)).includes('work-corrupt'));
  });

  it('an unreadable subtitle fails the job before the encode starts', async () => {
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'subbed.mp4'),
      width: 320,
      height: 180,
      seconds: 1,
    });
    const subtitle = path.join(scratch.dir, 'broken.srt');
    await writeFile(subtitle, randomBytes(2048));
    const progress: number[] = [];
    await assert.rejects(
      transcodeToEncryptedHls({
        sourcePath,
        workDir: work('subbed'),
        subtitles: [{ path: subtitle, language: 'fr', label: 'Français' }],
        options: fast,
        tools,
        onProgress: (percent) => progress.push(percent),
      }),
      (error) => SubtitleUnreadable.is(error) && /Français/.test((error as Error).message),
    );
    assert.ok(
      progress.every((percent) => percent === 0),
      'nothing was encoded',
    );
  });

  it('an abort stops ffmpeg promptly and cleans the work directory', async () => {
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'long.mp4'),
      width: 640,
      height: 360,
      seconds: 20,
    });
    const workDir = work('abort');
    const controller = new AbortController();
    let abortedAt = 0;
    const running = transcodeToEncryptedHls({
      sourcePath,
      workDir,
      options: { ...fast, preset: 'medium' },
      tools,
      signal: controller.signal,
      onProgress: (percent) => {
        if (percent > 0 && !controller.signal.aborted) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(running, { name: 'AbortError' });
    assert.ok(abortedAt > 0, 'the encode had started');
    // Promptly: well before the 20 s encode at `medium` could end. The bound is loose because a
    // loaded CI machine (load 17 on 2 cores) once took 3.2 s to reap ffmpeg.
    assert.ok(
      performance.now() - abortedAt < 10_000,
      `stopped in ${Math.round(performance.now() - abortedAt)} ms`,
    );
    assert.deepEqual(await readdir(workDir), []);
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    assert.ok(!processes.includes(path.join(workDir, 'encoded')), 'no ffmpeg left writing into the work dir');
  });
});
