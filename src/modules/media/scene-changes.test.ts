import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../../test/support/media-clips.ts';
import { ffmpegTools } from './media-tools.ts';
import {
  buildSceneDetectArgs,
  detectSceneChanges,
  parseSceneChanges,
  proposeCuePoints,
  type SceneChange,
} from './scene-changes.ts';

describe('scene detection arguments', () => {
  it('decode the first video stream scaled down, scdet passes only changes, metadata prints them', () => {
    assert.deepEqual(buildSceneDetectArgs({ input: '/in/film.mkv', metadataFile: '/work/scenes.txt' }), [
      ...['-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin', '-i', '/in/film.mkv'],
      ...['-map', '0:v:0', '-an', '-sn', '-dn', '-vf'],
      'scale=320:-2,scdet=threshold=10:sc_pass=1,metadata=mode=print:file=/work/scenes.txt',
      ...['-f', 'null', '-'],
    ]);
  });
  const refused: Array<[string, Parameters<typeof buildSceneDetectArgs>[0]]> = [
    ['a threshold of 0', { input: 'a', metadataFile: '/w/s.txt', threshold: 0 }],
    ['a threshold over 100', { input: 'a', metadataFile: '/w/s.txt', threshold: 101 }],
    ['a metadata path that needs escaping', { input: 'a', metadataFile: "/w/it's:here,[x].txt" }],
  ];
  for (const [name, options] of refused)
    it(`refuse ${name}`, () => assert.throws(() => buildSceneDetectArgs(options), RangeError));
});

describe('scene detection output', () => {
  const cases: Array<[string, string, SceneChange[]]> = [
    ['nothing found: an empty file', '', []],
    [
      'two changes, in any order, with their scores',
      [
        'frame:1    pts:88064   pts_time:6.88',
        'lavfi.scd.mafd=30.123',
        'lavfi.scd.score=25.5',
        'lavfi.scd.time=6.88',
        'frame:0    pts:38400   pts_time:3',
        'lavfi.scd.mafd=19.733',
        'lavfi.scd.score=18.561',
        'lavfi.scd.time=3',
        '',
      ].join('\n'),
      [
        { seconds: 3, score: 18.561 },
        { seconds: 6.88, score: 25.5 },
      ],
    ],
    [
      'a frame without scdet’s time is no change; a score does not leak into the next frame',
      ['frame:0 pts:0 pts_time:0', 'lavfi.scd.score=50', 'frame:1 pts:1 pts_time:1', 'lavfi.scd.time=1'].join(
        '\n',
      ),
      [{ seconds: 1, score: 0 }],
    ],
    ['garbage lines and a bad time are ignored', 'hello\nlavfi.scd.time=nan\n=\n', []],
  ];
  for (const [name, text, expected] of cases)
    it(name, () => assert.deepEqual(parseSceneChanges(text), expected));
});

describe('cue points proposed from scene changes', () => {
  const change = (seconds: number, score: number): SceneChange => ({ seconds, score });
  const propose = (changes: SceneChange[]) =>
    proposeCuePoints({ changes, durationSeconds: 3600, minGapSeconds: 60, leadSeconds: 10, tailSeconds: 30 });
  const cases: Array<[string, SceneChange[], number[]]> = [
    ['none from none', [], []],
    ['the opening and the credits are left alone', [change(5, 90), change(3580, 90), change(600, 20)], [600]],
    [
      'of two cuts closer than the gap, the stronger',
      [change(600, 20), change(630, 40), change(700, 15)],
      [630, 700],
    ],
    [
      'far enough apart, all, in order',
      [change(1800, 12), change(600, 50), change(1200, 30)],
      [600, 1200, 1800],
    ],
    ['rounded to the millisecond', [change(600.12345, 50)], [600.123]],
  ];
  for (const [name, changes, expected] of cases) it(name, () => assert.deepEqual(propose(changes), expected));
});

describe('scene detection on a real clip (ffmpeg)', () => {
  it('finds the hard cut of a clip that cuts from one picture to another at 4 s, and nothing in a clip without one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-scenes-'));
    try {
      const run = promisify(execFile);
      const cut = path.join(dir, 'cut.mp4');
      const still = path.join(dir, 'still.mp4');
      const source = (name: string, seconds: number) => `${name}=size=320x180:rate=10:duration=${seconds}`;
      await run(ffmpegPath, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-filter_complex'],
        `${source('testsrc2', 4)}[a];${source('smptebars', 3)}[b];[a][b]concat=n=2:v=1[v]`,
        ...['-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', cut],
      ]);
      await run(ffmpegPath, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source('testsrc2', 4)],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', still],
      ]);
      const tools = ffmpegTools({ ffmpegPath, ffprobePath: 'ffprobe' });
      const changes = await detectSceneChanges({ tools, input: cut, workDir: dir });
      assert.deepEqual(
        changes.map((found) => found.seconds),
        [4],
      );
      assert.ok(changes[0]!.score > 10, `scored above the threshold: ${changes[0]!.score}`);
      assert.deepEqual(await detectSceneChanges({ tools, input: still, workDir: dir }), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
