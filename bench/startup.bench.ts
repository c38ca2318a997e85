/**
 * bench:startup — how long `node src/main.ts` takes, cold (a new process each time), to listen
 * (GET /healthz answers) and to be ready (GET /readyz answers 200: database, cache, storage and
 * queue reachable), against a bare `node -e` http server started and probed the same way in the
 * same run. The first start of a fresh data directory also migrates it, so it is reported apart;
 * the runs after it are restarts on that data directory, what a deploy or a crash costs.
 *
 * Runs alternate (baseline, Marquee, baseline, …) so a noisy moment hurts both; median and p90.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, loadAverage, recordResults } from './lib/runner.ts';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const root = path.resolve(import.meta.dirname, '..');
const probeEveryMs = 5;

interface Start {
  listeningMs: number;
  readyMs: number;
}

/** Polls `url` until it answers (any status when `status` is undefined); ms since `started`. */
async function until(url: string, child: ChildProcess, started: number, status?: number): Promise<number> {
  const deadline = started + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering ${url}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (status === undefined || response.status === status) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(probeEveryMs);
  }
  throw new Error(`${url} did not answer within 180 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

async function startMarquee(dataDir: string): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const listeningMs = await until(`${url}/healthz`, child, started);
    const readyMs = await until(`${url}/readyz`, child, started, 200);
    return { listeningMs, readyMs };
  } finally {
    await stop(child);
  }
}

const bareServer = `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(process.env.PORT, '127.0.0.1')`;

async function startBaseline(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', bareServer], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    return await until(`http://127.0.0.1:${port}/`, child, started);
  } finally {
    await stop(child);
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const ms = (value: number) => `${Math.round(value)}`;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-startup-'));
try {
  const load = loadAverage();
  process.stderr.write('  first start (migrates a fresh data directory)…\n');
  const first = await startMarquee(dataDir);
  const baseline: number[] = [];
  const marquee: Start[] = [];
  for (let run = 0; run < runs; run += 1) {
    baseline.push(await startBaseline());
    marquee.push(await startMarquee(dataDir));
    const last = marquee.at(-1);
    process.stderr.write(
      `  run ${run + 1}/${runs}: node -e ${ms(baseline.at(-1) ?? 0)} ms, Marquee listening ${ms(last?.listeningMs ?? 0)} ms, ready ${ms(last?.readyMs ?? 0)} ms\n`,
    );
  }
  const listening = marquee.map((start) => start.listeningMs);
  const ready = marquee.map((start) => start.readyMs);
  const rows = [
    ['bare `node -e` http server', ms(percentile(baseline, 50)), ms(percentile(baseline, 90))],
    ['Marquee, listening', ms(percentile(listening, 50)), ms(percentile(listening, 90))],
    ['Marquee, ready', ms(percentile(ready, 50)), ms(percentile(ready, 90))],
  ];
  console.log(`\nbench:startup — ${runs} cold starts each, alternating (load average ${load})`);
  console.table(
    rows.map(([target, p50, p90]) => ({
      target,
      'median ms': p50,
      'p90 ms': p90,
      'over baseline (median)': target?.startsWith('Marquee')
        ? `×${(Number(p50) / percentile(baseline, 50)).toFixed(1)}`
        : '',
    })),
  );
  console.log(
    `first start on a fresh data directory (migrations): listening ${ms(first.listeningMs)} ms, ready ${ms(first.readyMs)} ms`,
  );
  await recordResults(
    'startup',
    [
      [
        String(runs),
        load,
        `${ms(percentile(baseline, 50))} / ${ms(percentile(baseline, 90))}`,
        `${ms(percentile(listening, 50))} / ${ms(percentile(listening, 90))}`,
        `${ms(percentile(ready, 50))} / ${ms(percentile(ready, 90))}`,
        `${ms(first.listeningMs)} / ${ms(first.readyMs)}`,
      ],
    ],
    { machine: `${os.availableParallelism()} cores, Node ${process.version}` },
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
