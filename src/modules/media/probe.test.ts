import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobePath, makeClip, makeTone, scratchDir } from '../../../test/support/media-clips.ts';
import { MediaNotAVideo, MediaToolUnavailable, MediaUnreadable } from './media.errors.ts';
import { parseProbeOutput, probeMedia } from './probe.ts';

const video = (extra: Record<string, unknown> = {}) => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  avg_frame_rate: '30000/1001',
  r_frame_rate: '30000/1001',
  sample_aspect_ratio: '1:1',
  ...extra,
});
const json = (
  streams: unknown[],
  format: Record<string, unknown> = { format_name: 'mov,mp4', duration: '12.5' },
) => JSON.stringify({ streams, format });

describe('parseProbeOutput', () => {
  it('reads the video, every audio and subtitle stream', () => {
    const probe = parseProbeOutput(
      json([
        video(),
        {
          index: 1,
          codec_type: 'audio',
          codec_name: 'aac',
          channels: 6,
          sample_rate: '48000',
          tags: { language: 'eng' },
        },
        {
          index: 2,
          codec_type: 'audio',
          codec_name: 'ac3',
          channels: 2,
          disposition: { default: 1 },
          tags: { title: 'Commentary' },
        },
        {
          index: 3,
          codec_type: 'subtitle',
          codec_name: 'subrip',
          disposition: { forced: 1 },
          tags: { language: 'FRE' },
        },
      ]),
    );
    assert.equal(probe.durationSeconds, 12.5);
    assert.deepEqual(
      [probe.video.fps, probe.video.frameRate, probe.video.displayWidth, probe.video.rotation],
      [30000 / 1001, '30000/1001', 1920, 0],
    );
    assert.deepEqual(
      probe.audio.map((track) => [track.index, track.channels, track.language, track.title, track.isDefault]),
      [
        [1, 6, 'eng', null, false],
        [2, 2, 'und', 'Commentary', true],
      ],
    );
    assert.deepEqual(probe.subtitles, [
      { index: 3, codec: 'subrip', language: 'fre', title: null, isDefault: false, isForced: true },
    ]);
  });

  const shapes: Array<[string, Record<string, unknown>, [number, number, number]]> = [
    [
      'display matrix -90 (a phone held upright)',
      { side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] },
      [1080, 1920, 90],
    ],
    [
      'display matrix 90',
      { side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] },
      [1080, 1920, 270],
    ],
    [
      'upside down',
      { side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] },
      [1920, 1080, 180],
    ],
    ['legacy rotate tag', { tags: { rotate: '90' } }, [1080, 1920, 90]],
    ['anamorphic PAL', { width: 720, height: 576, sample_aspect_ratio: '64:45' }, [1024, 576, 0]],
    ['unknown pixel aspect is square', { sample_aspect_ratio: '0:1' }, [1920, 1080, 0]],
  ];
  for (const [name, extra, [width, height, rotation]] of shapes) {
    it(`display size: ${name}`, () => {
      const { video: probed } = parseProbeOutput(json([video(extra)]));
      assert.deepEqual(
        [probed.displayWidth, probed.displayHeight, probed.rotation],
        [width, height, rotation],
      );
    });
  }

  it('prefers avg_frame_rate, falls back to r_frame_rate, and flags interlacing', () => {
    const vfr = parseProbeOutput(
      json([video({ avg_frame_rate: '0/0', r_frame_rate: '25/1', field_order: 'tt' })]),
    );
    assert.deepEqual([vfr.video.fps, vfr.video.frameRate, vfr.video.interlaced], [25, '25/1', true]);
  });

  const refusals: Array<[string, string, { is(error: unknown): boolean }, RegExp]> = [
    [
      'audio with cover art',
      json([
        { index: 0, codec_type: 'audio', codec_name: 'mp3' },
        video({ index: 1, codec_name: 'mjpeg', disposition: { attached_pic: 1 } }),
      ]),
      MediaNotAVideo,
      /no video stream \(found: audio mp3, cover art mjpeg\)/,
    ],
    [
      'a still image',
      json([video({ codec_name: 'png' })], { format_name: 'png_pipe' }),
      MediaNotAVideo,
      /still image/,
    ],
    [
      'an HLS playlist',
      json([video()], { format_name: 'hls', duration: '10' }),
      MediaUnreadable,
      /refer to other files/,
    ],
    ['nonsense', 'not json', MediaUnreadable, /not understood/],
  ];
  for (const [name, output, error, reason] of refusals) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseProbeOutput(output),
        (thrown) => error.is(thrown) && reason.test((thrown as Error).message),
      );
    });
  }
});

describe('probeMedia (real ffprobe)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => {
    scratch = await scratchDir();
  });
  after(() => scratch.remove());

  it('sees a rotated phone clip as vertical, with its audio language', async () => {
    const clip = await makeClip({
      path: path.join(scratch.dir, 'phone.mp4'),
      width: 320,
      height: 180,
      seconds: 1,
      rotate: 90,
      audio: [{ language: 'spa' }],
    });
    const probe = await probeMedia({ path: clip, ffprobePath });
    assert.deepEqual([probe.video.width, probe.video.height], [320, 180]);
    assert.deepEqual([probe.video.displayWidth, probe.video.displayHeight], [180, 320]);
    assert.deepEqual(
      probe.audio.map((track) => [track.language, track.channels]),
      [['spa', 1]],
    );
    assert.ok(Math.abs(probe.durationSeconds - 1) < 0.1);
    assert.equal(probe.video.frameRate, '30/1');
  });

  it('rejects random bytes named .mp4 with ffprobe’s reason, without our paths', async () => {
    const file = path.join(scratch.dir, 'upload.mp4');
    await writeFile(file, randomBytes(4096));
    await assert.rejects(probeMedia({ path: file, ffprobePath }), (error) => {
      assert.ok(MediaUnreadable.is(error));
      const reason = String((error as { extensions: Record<string, unknown> }).extensions['reason']);
      assert.match(reason, /Invalid data found when processing input|moov atom not found/);
      assert.ok(!reason.includes(scratch.dir), reason);
      return true;
    });
  });

  it('rejects an audio-only file as not a video', async () => {
    const file = await makeTone({ path: path.join(scratch.dir, 'song.m4a'), seconds: 1 });
    await assert.rejects(probeMedia({ path: file, ffprobePath }), (error) => MediaNotAVideo.is(error));
  });

  it('reports a missing ffprobe as a missing tool, and honours an aborted signal', async () => {
    await assert.rejects(probeMedia({ path: '/nonexistent', ffprobePath: '/nonexistent/ffprobe' }), (error) =>
      MediaToolUnavailable.is(error),
    );
    await assert.rejects(probeMedia({ path: '/x', ffprobePath, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
  });
});
