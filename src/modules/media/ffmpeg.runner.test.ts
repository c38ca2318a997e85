import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ffmpegPath } from '../../../test/support/media-clips.ts';
import { parseProgressLine, ProgressReporter, runFfmpeg } from './ffmpeg.runner.ts';
import { MediaToolUnavailable, TranscodeFailed } from './media.errors.ts';
import { summarizeToolError } from './tool-output.ts';

describe('progress parsing', () => {
  const lines: Array<[string, ReturnType<typeof parseProgressLine>]> = [
    ['out_time_us=1500000', { outTimeUs: 1_500_000 }],
    ['out_time_ms=1500000', { outTimeUs: 1_500_000 }],
    ['out_time_us=N/A', {}],
    ['out_time_us=-23220', {}],
    ['out_time=00:00:01.500000', {}],
    ['progress=continue', { end: false }],
    ['progress=end', { end: true }],
    ['frame=42', {}],
    ['garbage', {}],
  ];
  for (const [line, expected] of lines) {
    it(line, () => assert.deepEqual(parseProgressLine(line), expected));
  }

  it('reports percent of the duration, throttled, never backwards, 100 only at the end', () => {
    let now = 0;
    const seen: number[] = [];
    const reporter = new ProgressReporter({
      durationSeconds: 10,
      intervalMs: 1000,
      now: () => now,
      onProgress: (percent) => seen.push(percent),
    });
    reporter.line('out_time_us=1000000');
    now = 500;
    reporter.line('out_time_us=2000000'); // throttled
    now = 1500;
    reporter.line('out_time_us=3000000');
    now = 3000;
    reporter.line('out_time_us=2500000'); // backwards: ignored
    now = 4500;
    reporter.line('out_time_us=12000000'); // past the probed duration: capped below 100
    reporter.line('progress=end');
    reporter.finish();
    assert.deepEqual(seen, [10, 30, 99.9, 100]);
  });

  it('survives a listener that throws', () => {
    const reporter = new ProgressReporter({
      durationSeconds: 1,
      intervalMs: 0,
      onProgress: () => {
        throw new Error('pub/sub is down');
      },
    });
    assert.doesNotThrow(() => reporter.line('out_time_us=500000'));
  });
});

describe('summarizeToolError', () => {
  it('keeps the specific lines, drops addresses, unwinding noise and our paths', () => {
    const lines = [
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55e8cc867880] moov atom not found',
      '/work/jobs/42/source.mp4: Invalid data found when processing input',
      'Error while processing the decoded data for stream #0:0',
      'Conversion failed!',
      '',
    ];
    assert.equal(
      summarizeToolError({ lines, paths: ['/work/jobs/42/source.mp4', '/work/jobs/42'] }),
      'mov,mp4,m4a,3gp,3g2,mj2: moov atom not found; source.mp4: Invalid data found when processing input',
    );
    assert.equal(
      summarizeToolError({ lines: ['Error reinitializing filters!'] }),
      'Error reinitializing filters!',
    );
    assert.equal(summarizeToolError({ lines: ['a', 'b', 'c', 'd'], maxLines: 2 }), 'c; d');
  });
});

describe('runFfmpeg (real ffmpeg)', () => {
  const lavfi = (source: string) => [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    source,
  ];

  it('runs to the end and reports monotonic progress up to 100', async () => {
    const seen: number[] = [];
    await runFfmpeg({
      args: [
        ...lavfi('testsrc2=size=160x90:rate=30:duration=2'),
        '-progress',
        'pipe:1',
        '-nostats',
        '-f',
        'null',
        '-',
      ],
      ffmpegPath,
      durationSeconds: 2,
      progressIntervalMs: 0,
      onProgress: (percent) => seen.push(percent),
    });
    assert.equal(seen.at(-1), 100);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
    );
  });

  it('rejects with ffmpeg’s own reason, our paths replaced by base names', async () => {
    const missing = '/tmp/marquee-no-such-dir/source.mp4';
    await assert.rejects(
      runFfmpeg({
        args: ['-hide_banner', '-i', missing, '-f', 'null', '-'],
        ffmpegPath,
        redactPaths: [missing],
      }),
      (error) => {
        assert.ok(TranscodeFailed.is(error));
        const reason = String((error as { extensions: Record<string, unknown> }).extensions['reason']);
        assert.match(reason, /source\.mp4: No such file or directory/);
        assert.ok(!reason.includes('/tmp/marquee-no-such-dir'), reason);
        return true;
      },
    );
  });

  it('keeps the last meaningful lines when ffmpeg fails mid-way', async () => {
    await assert.rejects(
      runFfmpeg({
        args: [...lavfi('testsrc2=duration=1'), '-vf', 'scale=w=nonsense', '-f', 'null', '-'],
        ffmpegPath,
      }),
      (error) =>
        TranscodeFailed.is(error) && /Parsed_scale_0: Invalid size 'nonsense'/.test((error as Error).message),
    );
  });

  it('stops ffmpeg promptly when the signal aborts', async () => {
    const marker = randomUUID();
    const controller = new AbortController();
    let abortedAt = 0;
    const running = runFfmpeg({
      args: [
        ...lavfi('testsrc2=size=640x360:rate=30:duration=600'),
        ...['-c:v', 'libx264', '-preset', 'medium', '-metadata', `comment=${marker}`],
        ...['-progress', 'pipe:1', '-nostats', '-f', 'null', '-'],
      ],
      ffmpegPath,
      durationSeconds: 600,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (percent) => {
        if (percent > 0 && !controller.signal.aborted) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(running, { name: 'AbortError' });
    assert.ok(abortedAt > 0, 'progress was reported before the abort');
    assert.ok(performance.now() - abortedAt < 3000, 'gone within the grace period');
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    assert.ok(!processes.includes(marker), 'no ffmpeg left running');
  });

  it('kills with SIGKILL what ignores SIGTERM', async () => {
    const controller = new AbortController();
    const stubborn = [
      '-e',
      "process.on('SIGTERM', () => {}); console.log('out_time_us=1'); setInterval(() => {}, 1000);",
    ];
    const running = runFfmpeg({
      args: stubborn,
      ffmpegPath: process.execPath,
      durationSeconds: 10,
      progressIntervalMs: 0,
      killGraceMs: 200,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const started = performance.now();
    await assert.rejects(running, { name: 'AbortError' });
    assert.ok(performance.now() - started < 2000);
  });

  it('reports a missing binary as a missing tool, and an already aborted signal at once', async () => {
    await assert.rejects(runFfmpeg({ args: [], ffmpegPath: '/nonexistent/ffmpeg' }), (error) =>
      MediaToolUnavailable.is(error),
    );
    await assert.rejects(runFfmpeg({ args: [], ffmpegPath, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
  });
});
