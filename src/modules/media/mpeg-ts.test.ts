import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ffmpegPath, firstVideoPts, scratchDir } from '../../../test/support/media-clips.ts';
import { avcCodecString } from './h264.ts';
import { readTsVideoInfo } from './mpeg-ts.ts';

const run = promisify(execFile);

describe('readTsVideoInfo', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => {
    scratch = await scratchDir();
  });
  after(() => scratch.remove());

  async function encode(name: string, codecArgs: string[]): Promise<string> {
    const file = path.join(scratch.dir, name);
    await run(ffmpegPath, [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x180:rate=25:duration=0.5',
      ],
      ...['-f', 'lavfi', '-i', 'sine=duration=0.5', ...codecArgs, '-f', 'mpegts', file],
    ]);
    return file;
  }

  const cases: Array<[string, string[], string]> = [
    [
      'High profile',
      ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-level:v', '2.1'],
      'avc1.640015',
    ],
    [
      'ultrafast falls back to Constrained Baseline',
      ['-c:v', 'libx264', '-preset', 'ultrafast', '-level:v', '3'],
      'avc1.42c01e',
    ],
  ];
  for (const [name, codecArgs, codecs] of cases) {
    it(`${name}: the SPS bytes and the first PTS agree with ffprobe`, async () => {
      const file = await encode(`${codecs}.ts`, [...codecArgs, '-c:a', 'aac']);
      const info = readTsVideoInfo(await readFile(file));
      assert.ok(info?.avc);
      assert.equal(avcCodecString(info.avc), codecs);
      assert.equal(info.firstPts, await firstVideoPts(file));
    });
  }

  it('finds nothing in audio-only or non-TS data', async () => {
    const audio = await encode('audio.ts', ['-map', '1:a', '-c:a', 'aac']);
    assert.equal(readTsVideoInfo(await readFile(audio)), undefined);
    assert.equal(readTsVideoInfo(Buffer.from('not a transport stream at all'.repeat(20))), undefined);
  });
});
