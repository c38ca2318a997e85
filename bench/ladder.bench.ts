/**
 * bench:ladder — the fixed ladder against the content-aware one, in the same run, on clips of
 * known complexity: three lavfi clips (simple: a slow gradient; medium: the testsrc2 card;
 * complex: a zooming Mandelbrot set with grain; BENCH_CLIP_SECONDS each, default 20 s, at
 * BENCH_CLIP_SIZE, default 1280x720) and one BENCH_LONG_SECONDS (default 60) 1080p30 testsrc2
 * clip. Each goes through transcodeToEncryptedHls twice (TRANSCODE_LADDER_MODE fixed, then
 * content-aware; same rungs, preset and segments). Reported: video bytes per title, SSIM per rung
 * (a dropped rung is served by the kept rung below it, so that rung's SSIM is what its viewers
 * get), and time. Aim: ≥ 20 % fewer bytes over the set, SSIM per rung within 0.005 of fixed,
 * time ≤ 1.5× the fixed ladder as it was before the quality step (its wall minus that step).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLIP_SOURCES, type ClipComplexity } from '../test/support/media-clips.ts';
import { loadConfig } from '../src/config/config.ts';
import { ffmpegTools, transcodeToEncryptedHls } from '../src/modules/media/index.ts';
import { planProgress } from '../src/modules/media/transcode-progress.ts';
import type { LadderMode } from '../src/modules/media/ladder.ts';
import { recordResults } from './lib/runner.ts';

const run = promisify(execFile);
/** The bench encodes H.264 only: where its quality step starts and ends in the progress. */
const { quality: QUALITY_STEP } = planProgress({ hevc: false });
const CLIP_SECONDS = Number(process.env.BENCH_CLIP_SECONDS ?? 20);
const CLIP_SIZE = process.env.BENCH_CLIP_SIZE ?? '1280x720';
const LONG_SECONDS = Number(process.env.BENCH_LONG_SECONDS ?? 60);
const LONG_SIZE = process.env.BENCH_LONG_SIZE ?? '1920x1080';

const config = loadConfig();
const tools = ffmpegTools(config.media);
const scratch = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-ladder-'));

interface Clip {
  name: string;
  path: string;
}

async function makeClip(options: {
  name: string;
  complexity: ClipComplexity;
  size: string;
  seconds: number;
}) {
  const file = path.join(scratch, `${options.name}.mp4`);
  await run(config.media.ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', CLIP_SOURCES[options.complexity](options.size, 30), '-t', String(options.seconds)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-g', '30', '-pix_fmt', 'yuv420p', file],
  ]);
  return { name: options.name, path: file };
}

interface Outcome {
  wallMs: number;
  encodeMs: number;
  qualityMs: number;
  /** Video segment bytes per title (audio is the same in both modes). */
  bytes: number;
  /** Rung → SSIM of what a viewer capped at that rung gets. */
  ssim: Map<string, number>;
  kept: string[];
}

async function transcode(clip: Clip, mode: LadderMode): Promise<Outcome> {
  const workDir = path.join(scratch, `${clip.name}-${mode}`);
  const started = performance.now();
  let encoded = 0;
  let measured = 0;
  const result = await transcodeToEncryptedHls({
    sourcePath: clip.path,
    workDir,
    tools,
    options: {
      ladderMode: mode,
      rungs: config.media.rungs,
      crf: config.media.crf,
      minSsimGain: config.media.minSsimGain,
      qualitySampleFrames: config.media.qualitySampleFrames,
      preset: config.media.preset,
      threads: config.media.threads,
      segmentSeconds: config.media.segmentSeconds,
    },
    onProgress: (percent) => {
      const now = performance.now();
      if (!encoded && percent >= QUALITY_STEP.start) encoded = now;
      if (!measured && percent >= QUALITY_STEP.end) measured = now;
    },
  });
  const wallMs = performance.now() - started;
  let bytes = 0;
  for (const rendition of result.manifest.renditions) {
    const dir = path.join(result.outputDir, rendition.name);
    for (const file of await readdir(dir))
      if (file.endsWith('.ts')) bytes += (await stat(path.join(dir, file))).size;
  }
  const scored = [
    ...result.manifest.renditions.map((r) => ({
      name: r.name,
      height: r.height,
      ssim: r.quality!.ssim,
      kept: true,
    })),
    ...(result.manifest.ladder?.dropped ?? []).map((r) => ({
      name: r.name,
      height: r.height,
      ssim: r.quality.ssim,
      kept: false,
    })),
  ].sort((a, b) => a.height - b.height);
  const ssim = new Map<string, number>();
  let served = scored[0]!.ssim;
  for (const rung of scored) {
    if (rung.kept) served = rung.ssim;
    ssim.set(rung.name, served);
  }
  await rm(workDir, { recursive: true, force: true });
  return {
    wallMs,
    encodeMs: encoded - started,
    qualityMs: measured - encoded,
    bytes,
    ssim,
    kept: result.manifest.renditions.map((r) => r.name),
  };
}

const clips = [
  await makeClip({ name: 'simple', complexity: 'simple', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: 'medium', complexity: 'medium', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: 'complex', complexity: 'complex', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: `long-${LONG_SIZE}`, complexity: 'medium', size: LONG_SIZE, seconds: LONG_SECONDS }),
];

const rows: Array<Record<string, string>> = [];
const totals = { fixedBytes: 0, awareBytes: 0, fixedBeforeMs: 0, fixedMs: 0, awareMs: 0, worstDelta: 0 };
for (const clip of clips) {
  const fixed = await transcode(clip, 'fixed');
  const aware = await transcode(clip, 'content-aware');
  process.stderr.write(
    `  ${clip.name}: fixed ${(fixed.wallMs / 1000).toFixed(1)} s, content-aware ${(aware.wallMs / 1000).toFixed(1)} s\n`,
  );
  const deltas = [...fixed.ssim].map(([rung, value]) => ({
    rung,
    fixed: value,
    aware: aware.ssim.get(rung)!,
  }));
  const worst = Math.min(...deltas.map((d) => d.aware - d.fixed));
  totals.fixedBytes += fixed.bytes;
  totals.awareBytes += aware.bytes;
  totals.fixedBeforeMs += fixed.wallMs - fixed.qualityMs;
  totals.fixedMs += fixed.wallMs;
  totals.awareMs += aware.wallMs;
  totals.worstDelta = Math.min(totals.worstDelta, worst);
  rows.push({
    clip: clip.name,
    'fixed MB': (fixed.bytes / 1e6).toFixed(2),
    'content-aware MB': (aware.bytes / 1e6).toFixed(2),
    saving: `${((1 - aware.bytes / fixed.bytes) * 100).toFixed(1)} %`,
    'rungs kept': aware.kept.join(' '),
    'SSIM per rung fixed → aware': deltas
      .map((d) => `${d.rung} ${d.fixed.toFixed(4)}→${d.aware.toFixed(4)}`)
      .join(', '),
    'worst ΔSSIM': worst.toFixed(4),
    'time ×': (aware.wallMs / (fixed.wallMs - fixed.qualityMs)).toFixed(2),
    'encode s fixed/aware': `${(fixed.encodeMs / 1000).toFixed(1)}/${(aware.encodeMs / 1000).toFixed(1)}`,
  });
}
await rm(scratch, { recursive: true, force: true });

const saving = 1 - totals.awareBytes / totals.fixedBytes;
const timeRatio = totals.awareMs / totals.fixedBeforeMs;
console.log(
  `\nbench:ladder — ${CLIP_SECONDS} s ${CLIP_SIZE} clips + ${LONG_SECONDS} s ${LONG_SIZE}, preset ${config.media.preset}, ` +
    `CRF ${config.media.crf}, min SSIM gain ${config.media.minSsimGain}, ${config.media.segmentSeconds} s segments`,
);
console.table(rows);
console.log(
  `over the set: ${(saving * 100).toFixed(1)} % fewer bytes (aim ≥ 20 %), worst SSIM per rung ${totals.worstDelta.toFixed(4)} ` +
    `(aim ≥ -0.005), time ${timeRatio.toFixed(2)}× the fixed ladder without the quality step ` +
    `(${(totals.awareMs / totals.fixedMs).toFixed(2)}× with it; aim ≤ 1.5×)`,
);

if (process.env.BENCH_RECORD) {
  await recordResults('ladder', [
    [
      `${CLIP_SECONDS} s ${CLIP_SIZE} ×3 + ${LONG_SECONDS} s ${LONG_SIZE}, ${config.media.preset}, CRF ${config.media.crf}`,
      `${(totals.fixedBytes / 1e6).toFixed(1)} MB → ${(totals.awareBytes / 1e6).toFixed(1)} MB (**${(saving * 100).toFixed(1)} %**)`,
      totals.worstDelta.toFixed(4),
      `${timeRatio.toFixed(2)}×`,
      rows.map((row) => `${row['clip']}: ${row['saving']}, ${row['rungs kept']}`).join('; '),
    ],
  ]);
}
