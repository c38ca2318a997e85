/**
 * bench:transcode — the whole media pipeline for a 60 s 1080p clip against the bare ffmpeg
 * command it is built around, in the same run. Baseline: the HLS ladder encode exactly as
 * buildHlsEncodeArgs writes it (same ladder, preset, segments), run directly — what a
 * hand-written ffmpeg ladder command costs. Pipeline: the real `media.transcode` job
 * (MediaService.transcode on an embedded PGlite and local storage): download, probe, encode,
 * poster and thumbnails, AES-128 packaging, upload, the database transaction. Aim: ≤ 10 %
 * overhead. Runs alternate (baseline, pipeline, …; BENCH_ROUNDS, default 2), all pinned to the
 * same cores (BENCH_CORES, default the first four) with taskset when it is available.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { jobCatalog } from '../src/jobs/job-catalog.ts';
import { createPlayableItems } from '../src/modules/catalog/index.ts';
import {
  buildHlsEncodeArgs,
  chooseLadder,
  createMediaService,
  ffmpegTools,
  probeMedia,
} from '../src/modules/media/index.ts';
import { systemClock } from '../src/platform/clock.ts';
import { MemoryCache } from '../src/platform/cache/memory.cache.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrator.ts';
import { createLogger } from '../src/platform/logger.ts';
import { MemoryPubSub } from '../src/platform/pubsub/memory.pubsub.ts';
import { PgBossQueue } from '../src/platform/queue/pgboss.queue.ts';
import { LocalStorage } from '../src/platform/storage/local.storage.ts';
import { recordResults } from './lib/runner.ts';

const CLIP_SECONDS = 60;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const cores = process.env.BENCH_CORES ?? `0-${Math.min(os.availableParallelism(), 4) - 1}`;

/*
 * Pinning: the benchmark re-runs itself under taskset, so both ffmpeg runs (the baseline's and
 * the pipeline's children) and the pipeline's own Node work share exactly the same cores.
 */
if (!process.env.BENCH_PINNED) {
  let pinnable = false;
  try {
    execFileSync('taskset', ['-c', cores, 'true']);
    pinnable = true;
  } catch {
    // no taskset (or not those cores): run unpinned
  }
  const command = pinnable ? 'taskset' : process.execPath;
  const args = pinnable ? ['-c', cores, process.execPath, ...process.argv.slice(1)] : process.argv.slice(1);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: pinnable ? cores : 'no' },
  });
  process.exit(result.status ?? 1);
}
const pinnedTo = process.env.BENCH_PINNED === 'no' ? undefined : process.env.BENCH_PINNED;

const env = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  LOG_PRETTY: 'false',
  TRANSCODE_PRESET: 'veryfast',
  DATABASE_URL: '',
  REDIS_URL: '',
};

/** The 60 s 1080p30 test clip (testsrc2 + a sine tone), made once and kept in the temp directory. */
async function sourceClip(ffmpegPath: string): Promise<string> {
  const file = path.join(os.tmpdir(), `marquee-bench-1080p-${CLIP_SECONDS}s.mp4`);
  if (existsSync(file)) return file;
  process.stderr.write(`  making the ${CLIP_SECONDS} s 1080p clip (once)…\n`);
  const partial = `${file}.${process.pid}.partial.mp4`;
  await run(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${CLIP_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${CLIP_SECONDS}:sample_rate=48000`],
    ...['-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'fast', '-crf', '20'],
    ...['-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
    ...['-metadata:s:a:0', 'language=eng', partial],
  ]);
  await rename(partial, file);
  return file;
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

const seconds = (ms: number) => ms / 1000;

interface PipelineRun {
  wallMs: number;
  /** Download and probe, encode, poster and thumbnails, package and encrypt, upload and database. */
  stages: { prepare: number; encode: number; thumbnails: number; package: number; publish: number };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-transcode-'));
const config = loadConfig({ ...env, DATA_DIR: dir });
const logger = createLogger({ level: 'warn', pretty: false });
const database = await openDatabase({ kind: 'embedded', dataDir: path.join(dir, 'db') });
try {
  await migrate(database);
  const clip = await sourceClip(config.media.ffmpegPath);
  const queue = await PgBossQueue.start({
    database,
    catalog: jobCatalog,
    logger,
    supervise: false,
    concurrency: 1,
  });
  const storage = new LocalStorage(path.join(dir, 'storage'));
  const pubsub = new MemoryPubSub();
  const playable = await createPlayableItems({ db: database.db, cache: new MemoryCache(), pubsub });
  const { media } = await createMediaService({
    db: database.db,
    storage,
    pubsub,
    queue,
    items: playable.items,
    logger,
    clock: systemClock,
    tools: ffmpegTools(config.media),
    config: config.media,
  });
  const system = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };

  // The baseline command: the pipeline's own encode, minus its machine-readable progress output.
  const probe = await probeMedia({ path: clip, ffprobePath: config.media.ffprobePath });
  const ladder = chooseLadder({
    probe,
    rungs: config.media.rungs,
    audioBitrateKbps: config.media.audioBitrateKbps,
  });
  const baselineDir = path.join(dir, 'baseline');
  const baselineArgs = buildHlsEncodeArgs({
    sourcePath: clip,
    probe,
    ladder,
    outputDir: baselineDir,
    segmentSeconds: config.media.segmentSeconds,
    preset: config.media.preset,
    threads: config.media.threads,
  }).filter((arg, i, all) => !['-progress', '-nostats'].includes(arg) && all[i - 1] !== '-progress');

  const baseline = async (): Promise<number> => {
    await rm(baselineDir, { recursive: true, force: true });
    await mkdir(baselineDir, { recursive: true });
    const started = performance.now();
    await run(config.media.ffmpegPath, baselineArgs);
    return performance.now() - started;
  };

  const pipeline = async (): Promise<PipelineRun> => {
    const movie = await database.db
      .insertInto('titles')
      .values({ kind: 'movie', title: `Bench ${randomUUID()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const asset = await media.ingestFile({ itemId: movie.id, path: clip, uploadedBy: null }, system);
    // Stage boundaries from the job's own progress: 0 after the probe, 90 when the encode ends,
    // 97 when the thumbnails do, 100 when the package is encrypted (see transcode.ts).
    const marks: Partial<Record<'probed' | 'encoded' | 'thumbnails' | 'packaged', number>> = {};
    const started = performance.now();
    await media.transcode(
      {
        id: asset.jobId ?? randomUUID(),
        name: 'media.transcode',
        payload: { assetId: asset.id },
        attempt: 0,
        signal: new AbortController().signal,
      },
      {
        onProgress: (percent) => {
          const now = performance.now();
          marks.probed ??= now;
          if (percent >= 90) marks.encoded ??= now;
          if (percent >= 97) marks.thumbnails ??= now;
          if (percent >= 100) marks.packaged ??= now;
        },
      },
    );
    const finished = performance.now();
    const done = await media.assets.find(asset.id);
    if (done?.status !== 'ready') throw new Error(`the job ended ${done?.status}: ${done?.failureReason}`);
    const { probed = started, encoded = probed, thumbnails = encoded, packaged = thumbnails } = marks;
    // Not part of the next run: its package and its source.
    await storage.deletePrefix(`media/${movie.id}/`);
    await storage.deletePrefix(`sources/${movie.id}/`);
    return {
      wallMs: finished - started,
      stages: {
        prepare: probed - started,
        encode: encoded - probed,
        thumbnails: thumbnails - encoded,
        package: packaged - thumbnails,
        publish: finished - packaged,
      },
    };
  };

  const baselines: number[] = [];
  const pipelines: PipelineRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    baselines.push(await baseline());
    process.stderr.write(
      `  round ${round}/${rounds} bare ffmpeg: ${seconds(baselines.at(-1)!).toFixed(1)} s\n`,
    );
    pipelines.push(await pipeline());
    process.stderr.write(
      `  round ${round}/${rounds} pipeline: ${seconds(pipelines.at(-1)!.wallMs).toFixed(1)} s\n`,
    );
  }
  await playable.close();
  await queue.stop({ timeoutMs: 1000 });

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const baselineMs = median(baselines);
  const pipelineMs = median(pipelines.map((p) => p.wallMs));
  const stage = (name: keyof PipelineRun['stages']) => median(pipelines.map((p) => p.stages[name]));
  const overhead = pipelineMs / baselineMs - 1;
  // The same question without the machine's drift between runs: what the job adds to its own
  // encode, measured inside one run.
  const beyondEncode = median(pipelines.map((p) => (p.wallMs - p.stages.encode) / p.stages.encode));
  const realtime = (ms: number) => CLIP_SECONDS / seconds(ms);
  const rungs = ladder.video.map((rendition) => rendition.height).join('/');

  console.log(
    `\nbench:transcode — ${CLIP_SECONDS} s 1080p30 clip, ladder ${rungs} + AAC, preset ${config.media.preset}, ` +
      `${config.media.segmentSeconds} s segments, ${rounds} rounds (median), ${pinnedTo ? `pinned to cores ${pinnedTo}` : 'unpinned'}`,
  );
  console.table([
    {
      run: 'bare ffmpeg (ladder encode)',
      'wall s': seconds(baselineMs).toFixed(1),
      'realtime ×': realtime(baselineMs).toFixed(2),
      overhead: '–',
    },
    {
      run: 'pipeline (media.transcode job)',
      'wall s': seconds(pipelineMs).toFixed(1),
      'realtime ×': realtime(pipelineMs).toFixed(2),
      overhead: `${(overhead * 100).toFixed(1)} % (beyond its own encode: ${(beyondEncode * 100).toFixed(1)} %)`,
    },
  ]);
  console.table(
    (['prepare', 'encode', 'thumbnails', 'package', 'publish'] as const).map((name) => ({
      stage: {
        prepare: 'download + probe',
        encode: 'encode (ffmpeg ladder)',
        thumbnails: 'poster + thumbnail sprites',
        package: 'package + AES-128 encrypt',
        publish: 'upload + database',
      }[name],
      s: seconds(stage(name)).toFixed(2),
      'share of pipeline': `${((stage(name) / pipelineMs) * 100).toFixed(1)} %`,
    })),
  );

  await recordResults(
    'transcode',
    [
      [
        `${rungs}, ${config.media.preset}, ${rounds} rounds`,
        `${seconds(baselineMs).toFixed(1)} s (${realtime(baselineMs).toFixed(2)}×)`,
        `${seconds(pipelineMs).toFixed(1)} s (${realtime(pipelineMs).toFixed(2)}×)`,
        `${(overhead * 100).toFixed(1)} %`,
        `**${(beyondEncode * 100).toFixed(1)} %**`,
        (['prepare', 'encode', 'thumbnails', 'package', 'publish'] as const)
          .map((name) => seconds(stage(name)).toFixed(1))
          .join(' / '),
      ],
    ],
    {
      machine: `${os.availableParallelism()} cores${pinnedTo ? ` (all runs pinned to ${pinnedTo})` : ''}, Node ${process.version}, ffmpeg ${ffmpegVersion(config.media.ffmpegPath)}`,
    },
  );
} finally {
  await database.close();
  await rm(dir, { recursive: true, force: true });
}

function ffmpegVersion(ffmpegPath: string): string {
  try {
    return (
      /ffmpeg version (\S+)/.exec(execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' }))?.[1] ?? '?'
    );
  } catch {
    return '?';
  }
}
