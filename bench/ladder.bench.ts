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
 *
 * HEVC (BENCH_HEVC, default on; TRANSCODE_HEVC_PRESET): the content-aware run of every clip with a
 * 1080p (or 2160p: BENCH_LONG_SIZE=3840x2160) rung also makes the HEVC copies, and each is set
 * beside its H.264 rung: packaged bytes and SSIM against the source, in the same run. Aim: SSIM
 * within 0.005 of the H.264 rung with fewer bytes. The x265 run and its scoring are left out of
 * the content-aware time, so the ladder's time aim is measured as without HEVC.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLIP_SOURCES, type ClipComplexity } from '../test/support/media-clips.ts';
import { loadConfig } from '../src/config/config.ts';
import { ffmpegTools, transcodeToEncryptedHls } from '../src/modules/media/index.ts';
import { planProgress, type ProgressPlan } from '../src/modules/media/transcode-progress.ts';
import type { LadderMode } from '../src/modules/media/ladder.ts';
import { loadAverage, machine, recordResults } from './lib/runner.ts';

const run = promisify(execFile);
const HEVC = process.env.BENCH_HEVC !== '0';
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
  /** Whether the content-aware run makes HEVC copies (a rung of 1080p or more). */
  hevc: boolean;
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
  const height = Number(options.size.split('x')[1]);
  return { name: options.name, path: file, hevc: HEVC && height >= 1080 };
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
  /** Each HEVC copy (h1080) beside its H.264 rung: packaged bytes and SSIM. */
  hevc: Array<{ name: string; h264: RungFacts; hevc: RungFacts; offered: boolean }>;
  /** The x265 run and its scoring, left out of wallMs. */
  hevcMs: number;
}

interface RungFacts {
  bytes: number;
  ssim: number;
}

/** Packaged media bytes of one rendition: its segments (MPEG-TS or fMP4) and fMP4's init. */
async function renditionBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const file of await readdir(dir))
    if (/\.(ts|m4s|mp4)$/.test(file)) bytes += (await stat(path.join(dir, file))).size;
  return bytes;
}

/** When the progress first reached each of the plan's step boundaries (performance.now()). */
function stepClock(plan: ProgressPlan) {
  const marks = new Map<number, number>();
  const boundaries = [plan.quality.start, plan.quality.end, plan.hevc.start, plan.hevcQuality.end];
  return {
    onProgress(percent: number) {
      for (const boundary of boundaries)
        if (!marks.has(boundary) && percent >= boundary) marks.set(boundary, performance.now());
    },
    at: (boundary: number) => marks.get(boundary) ?? Number.NaN,
  };
}

async function transcode(clip: Clip, mode: LadderMode): Promise<Outcome> {
  const workDir = path.join(scratch, `${clip.name}-${mode}`);
  const withHevc = clip.hevc && mode === 'content-aware';
  const plan = planProgress({ hevc: withHevc });
  const clock = stepClock(plan);
  const started = performance.now();
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
      hevc: withHevc ? 'top' : 'off',
      hevcPreset: config.media.hevcPreset,
    },
    onProgress: clock.onProgress,
  });
  const hevcMs = withHevc ? clock.at(plan.hevcQuality.end) - clock.at(plan.hevc.start) : 0;
  const wallMs = performance.now() - started - hevcMs;
  const h264 = result.manifest.renditions.filter((r) => r.name.startsWith('v'));
  const facts = new Map<string, RungFacts>();
  for (const rendition of result.manifest.renditions) {
    facts.set(rendition.name, {
      bytes: await renditionBytes(path.join(result.outputDir, rendition.name)),
      ssim: rendition.quality!.ssim,
    });
  }
  const bytes = h264.reduce((sum, r) => sum + facts.get(r.name)!.bytes, 0);
  const allDropped = result.manifest.ladder?.dropped ?? [];
  // A copy scoring more than 0.005 below its rung is not packaged (keepMatchingHevc): its score is
  // kept with the dropped rungs, its bytes are gone with the work directory.
  const hevc = [
    ...result.manifest.renditions
      .filter((r) => r.name.startsWith('h'))
      .map((r) => ({ name: r.name, hevc: facts.get(r.name)!, offered: true })),
    ...allDropped
      .filter((r) => r.name.startsWith('h'))
      .map((r) => ({ name: r.name, hevc: { bytes: Number.NaN, ssim: r.quality.ssim }, offered: false })),
  ].map((copy) => ({ ...copy, h264: facts.get(`v${copy.name.slice(1)}`)! }));
  const scored = [
    ...h264.map((r) => ({
      name: r.name,
      height: r.height,
      ssim: r.quality!.ssim,
      kept: true,
    })),
    ...allDropped
      .filter((r) => r.name.startsWith('v'))
      .map((r) => ({
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
    encodeMs: clock.at(plan.quality.start) - started,
    qualityMs: clock.at(plan.quality.end) - clock.at(plan.quality.start),
    bytes,
    ssim,
    kept: h264.map((r) => r.name),
    hevc,
    hevcMs,
  };
}

const clips = [
  await makeClip({ name: 'simple', complexity: 'simple', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: 'medium', complexity: 'medium', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: 'complex', complexity: 'complex', size: CLIP_SIZE, seconds: CLIP_SECONDS }),
  await makeClip({ name: `long-${LONG_SIZE}`, complexity: 'medium', size: LONG_SIZE, seconds: LONG_SECONDS }),
];

const rows: Array<Record<string, string>> = [];
const hevcRows: Array<Record<string, string>> = [];
const hevcTotals = {
  h264Bytes: 0,
  hevcBytes: 0,
  worstDelta: Number.POSITIVE_INFINITY,
  notOffered: 0,
  h264Ms: 0,
  hevcMs: 0,
};
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
  for (const copy of aware.hevc) {
    const delta = copy.hevc.ssim - copy.h264.ssim;
    hevcTotals.worstDelta = Math.min(hevcTotals.worstDelta, delta);
    if (copy.offered) {
      hevcTotals.h264Bytes += copy.h264.bytes;
      hevcTotals.hevcBytes += copy.hevc.bytes;
    } else hevcTotals.notOffered += 1;
    hevcRows.push({
      clip: clip.name,
      rung: `v${copy.name.slice(1)} → ${copy.name}`,
      'H.264 MB': (copy.h264.bytes / 1e6).toFixed(2),
      'HEVC MB': copy.offered ? (copy.hevc.bytes / 1e6).toFixed(2) : 'not offered',
      saving: copy.offered ? `${((1 - copy.hevc.bytes / copy.h264.bytes) * 100).toFixed(1)} %` : '—',
      'SSIM H.264 → HEVC': `${copy.h264.ssim.toFixed(4)} → ${copy.hevc.ssim.toFixed(4)}`,
      ΔSSIM: delta.toFixed(4),
    });
  }
  if (aware.hevc.length > 0) {
    hevcTotals.h264Ms += aware.encodeMs;
    hevcTotals.hevcMs += aware.hevcMs;
  }
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
const hevcSaving = hevcTotals.h264Bytes > 0 ? 1 - hevcTotals.hevcBytes / hevcTotals.h264Bytes : 0;
if (hevcRows.length > 0) {
  console.log(
    `\nHEVC copies (x265 ${config.media.hevcPreset}) beside their H.264 rungs (x264 ${config.media.preset}), packaged bytes:`,
  );
  console.table(hevcRows);
  console.log(
    `HEVC: ${hevcRows.length - hevcTotals.notOffered} of ${hevcRows.length} copies offered, ` +
      `${(hevcSaving * 100).toFixed(1)} % fewer bytes than their H.264 rungs; worst ΔSSIM ${hevcTotals.worstDelta.toFixed(4)} ` +
      `(a copy below -0.005 is not offered), x265 run and scoring ${(hevcTotals.hevcMs / 1000).toFixed(1)} s against the H.264 ladder's ` +
      `encode ${(hevcTotals.h264Ms / 1000).toFixed(1)} s; load average ${loadAverage()}`,
  );
}

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

if (process.env.BENCH_RECORD && hevcRows.length > 0) {
  await recordResults(
    'ladder-hevc',
    [
      [
        `${CLIP_SECONDS} s ${CLIP_SIZE} ×3 + ${LONG_SECONDS} s ${LONG_SIZE}, x264 ${config.media.preset} CRF ${config.media.crf} / x265 ${config.media.hevcPreset}`,
        hevcRows
          .map(
            (row) =>
              `${row['clip']} ${row['rung']}: ${row['H.264 MB']} → ${row['HEVC MB']} MB, SSIM ${row['SSIM H.264 → HEVC']}`,
          )
          .join('; '),
        `${hevcRows.length - hevcTotals.notOffered} of ${hevcRows.length}`,
        `**${(hevcSaving * 100).toFixed(1)} %**`,
        hevcTotals.worstDelta.toFixed(4),
        `${(hevcTotals.hevcMs / 1000).toFixed(1)} s / ${(hevcTotals.h264Ms / 1000).toFixed(1)} s`,
      ],
    ],
    { machine: `${machine()}, load ${loadAverage()}` },
  );
}
