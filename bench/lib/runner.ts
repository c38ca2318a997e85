/**
 * The shared benchmark runner. Every `npm run bench:<name>` uses it:
 *  - starts Marquee (`node src/main.ts`, production settings, its own data dir) and a bare
 *    node:http baseline, each in its own process, on loopback;
 *  - drives them with autocannon from this process (a third one), after a warm-up;
 *  - measures several interleaved rounds and keeps the median, so a noisy second hurts both;
 *  - measures each target twice: its maximum throughput (closed loop, every connection sending
 *    as fast as answers come back), then its latency at half that maximum (fixed rate): at
 *    saturation a p99 is mostly queueing (Little's law), at a stated load it is the code's;
 *  - prints both for each target, the ratio to the baseline, and appends dated rows to
 *    docs/PERFORMANCE.md with the machine's core count and load average.
 * Load goes to loopback only and every run stops by itself.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';

const root = path.resolve(import.meta.dirname, '../..');

/*
 * On a machine with two or more cores, servers run pinned to core 0 and the load generator to
 * core 1 (taskset), so they don't fight over a core and the ratio measures the server, not the
 * scheduler. Elsewhere they run unpinned.
 */
const pinning = (() => {
  if (os.availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();
const pinned = (core: number, args: string[]): [string, string[]] =>
  pinning ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args];

export interface Server {
  url: string;
  /** The server process, for measuring its CPU time. */
  pid: number | undefined;
  dataDir?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess, cleanup?: () => Promise<void>): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(12_000).then(() => child.kill('SIGKILL'))]);
    }
    await cleanup?.();
  };
}

export interface MarqueeOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (a seeded catalog); otherwise a fresh temporary one is made and removed. */
  dataDir?: string;
}

/** Starts Marquee as a new user would (node src/main.ts), in production mode, logging to /dev/null. */
export async function startMarquee(options: MarqueeOptions = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-')));
  const [command, args] = pinned(0, ['src/main.ts']);
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    pid: child.pid,
    dataDir,
    stop: stopper(child, options.dataDir ? undefined : () => rm(dataDir, { recursive: true, force: true })),
  };
}

async function startScript(
  script: string,
  probePath: string,
  env: Record<string, string> = {},
): Promise<Server> {
  const port = await freePort();
  const [command, args] = pinned(0, [path.join(import.meta.dirname, script)]);
  const child = spawn(command, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url + probePath, child).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { url, pid: child.pid, stop: stopper(child) };
}

/** A bare node:http server answering `{"status":"ok"}` to everything: the baseline. */
export const startBaseline = () => startScript('baseline-server.ts', '/');
/**
 * A bare `ws` server forwarding each frame to every socket: bench:live's chat baseline; with
 * `batchMs` it gathers a busy stream's frames as Marquee's chat does (LIVE_CHAT_BATCH_MS).
 */
export const startWsBroadcast = (options: { batchMs: number }) =>
  startScript('ws-broadcast-server.ts', '/', { BATCH_MS: String(options.batchMs) });

/** A load-generating script of bench/lib with an IPC channel, on the load's core like autocannon. */
export function forkLoadScript(script: string): ChildProcess {
  const [command, args] = pinned(1, [path.join(import.meta.dirname, script)]);
  return spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
/** A bare Fastify app with only GET /healthz: a reference point for what the framework costs. */
export const startBareFastify = () => startScript('fastify-server.ts', '/healthz');

export interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Several requests cycled per connection (e.g. different ids, tokens). In their bodies `{{p}}`
   * becomes 8 hex digits of the load process and `{{n}}` the request's number in 9 (load-process.ts):
   * ids new on every request.
   */
  requests?: autocannon.Request[];
  /** Expected status; any other counts as an error and fails the benchmark. */
  expectStatus?: number;
  /** The server answering, to report its CPU time per request (Linux /proc). */
  server?: Server;
}

export interface Measurement {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that got no answer: connection errors and timeouts (the latter also counted here). */
  errors: number;
  timeouts: number;
  unexpected: number;
  /** How many answers of each status came back (e.g. { 200: 9120, 503: 41 }), to tell shed load from failures. */
  statuses: Record<string, number>;
  /** The server's CPU time (user + system) per request, in µs; undefined when not measurable. */
  cpuUsPerRequest: number | undefined;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  pipelining?: number;
  /**
   * Fixed-rate mode: requests per second across all connections (autocannon's `overallRate`),
   * paced whether or not earlier answers came back, as long as a connection is free. Run at
   * half the measured maximum, the connections are never all busy, so the pace holds and the
   * latency is not the load generator waiting on itself.
   */
  overallRate?: number;
}

function runAutocannon(options: autocannon.Options): Promise<autocannon.Result> {
  const [command, args] = pinned(1, [path.join(import.meta.dirname, 'load-process.ts')]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { result?: autocannon.Result; error?: string }) => {
      if (message.result) resolve(message.result);
      else reject(new Error(message.error ?? 'autocannon failed'));
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(options);
  });
}

/**
 * A process's CPU time so far, in ms, from /proc (Linux). Throughput alone can mislead on a small
 * machine: when the load generator is the bottleneck (it parses every response header), a slower
 * server can look as fast as a quick one. CPU per request is the server's own cost.
 */
async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat(5))
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export async function load(target: Target, options: LoadOptions): Promise<Measurement> {
  const cpuBefore = await cpuMs(target.server?.pid);
  const result = await runAutocannon({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body,
    requests: target.requests,
    connections: options.connections,
    pipelining: options.pipelining ?? 1,
    duration: options.durationSeconds,
    timeout: 10,
    ...(options.overallRate !== undefined && { overallRate: Math.max(1, Math.round(options.overallRate)) }),
  });
  const cpuAfter = await cpuMs(target.server?.pid);
  const expected = target.expectStatus ?? 200;
  const ok = result.statusCodeStats?.[String(expected) as `${number}`]?.count ?? 0;
  return {
    name: target.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // autocannon's `errors` already includes its `timeouts` (requests unanswered after `timeout`).
    errors: result.errors,
    timeouts: result.timeouts,
    unexpected: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'] - ok,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats?.count ?? 0]),
    ),
    cpuUsPerRequest:
      cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
        ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total
        : undefined,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export interface CompareOptions extends LoadOptions {
  baseline: Target;
  subjects: Target[];
  rounds?: number;
  warmupSeconds?: number;
  /**
   * Record answers other than the expected status (e.g. 503s shed by @fastify/under-pressure
   * when a slow query stalls the embedded database's thread) instead of failing the benchmark.
   */
  tolerateUnexpected?: boolean;
}

/** Latency at a fixed rate: half the target's measured maximum. */
export interface AtRate {
  /** The rate asked for, requests/s. */
  rate: number;
  /** The rate achieved: below `rate` means the target could not keep even half its maximum. */
  achievedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export type Measured = Measurement & { atHalfMaximum: AtRate };

export interface Comparison {
  baseline: Measured;
  /** ratio: requests/s against the baseline's. cpuRatio: the baseline's CPU per request over this one's. */
  subjects: Array<Measured & { ratio: number; cpuRatio: number | undefined }>;
  connections: number;
  /** The load average when the measurement started (1 / 5 / 15 min). */
  loadAverage: string;
}

function checked(target: Target, measurement: Measurement, tolerate = false): Measurement {
  if (!tolerate && (measurement.errors > 0 || measurement.unexpected > 0)) {
    throw new Error(
      `${target.name}: ${measurement.errors} errors and ${measurement.unexpected} unexpected statuses (${JSON.stringify(measurement.statuses)})`,
    );
  }
  return measurement;
}

/**
 * Interleaved rounds (baseline, subjects, baseline, …), warm-up first; the median of each. First
 * the maximum throughput, then — in interleaved rounds again — the latency at half of it.
 */
export async function compare(options: CompareOptions): Promise<Comparison> {
  const loadAverageAtStart = loadAverage();
  const rounds = options.rounds ?? 3;
  const targets = [options.baseline, ...options.subjects];
  const warmup = { ...options, durationSeconds: options.warmupSeconds ?? 3 };
  for (const target of targets) await load(target, warmup);
  const samples = new Map<string, Measurement[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      const measurement = checked(target, await load(target, options), options.tolerateUnexpected);
      samples.get(target.name)?.push(measurement);
      process.stderr.write(
        `  round ${round + 1}/${rounds} ${target.name}: ${Math.round(measurement.requestsPerSecond)} req/s\n`,
      );
    }
  }
  const maxima = new Map(
    targets.map((target) => [
      target.name,
      median((samples.get(target.name) ?? []).map((m) => m.requestsPerSecond)),
    ]),
  );
  const atRate = new Map<string, Array<Measurement & { rate: number }>>(
    targets.map((target) => [target.name, []]),
  );
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      const rate = (maxima.get(target.name) ?? 0) / 2;
      const measurement = checked(
        target,
        await load(target, { ...options, overallRate: rate }),
        options.tolerateUnexpected,
      );
      atRate.get(target.name)?.push({ ...measurement, rate });
      process.stderr.write(
        `  round ${round + 1}/${rounds} ${target.name} at ${Math.round(rate)} req/s: p50 ${measurement.p50Ms} ms, p99 ${measurement.p99Ms} ms\n`,
      );
    }
  }
  const summarize = (name: string): Measured => {
    const list = samples.get(name) ?? [];
    const paced = atRate.get(name) ?? [];
    return {
      name,
      requestsPerSecond: median(list.map((m) => m.requestsPerSecond)),
      p50Ms: median(list.map((m) => m.p50Ms)),
      p99Ms: median(list.map((m) => m.p99Ms)),
      cpuUsPerRequest: list.every((m) => m.cpuUsPerRequest !== undefined)
        ? median(list.map((m) => m.cpuUsPerRequest as number))
        : undefined,
      // Summed over every round, at the maximum and at half of it.
      errors: sum([...list, ...paced].map((m) => m.errors)),
      timeouts: sum([...list, ...paced].map((m) => m.timeouts)),
      unexpected: sum([...list, ...paced].map((m) => m.unexpected)),
      statuses: [...list, ...paced].reduce<Record<string, number>>((total, m) => {
        for (const [status, count] of Object.entries(m.statuses))
          total[status] = (total[status] ?? 0) + count;
        return total;
      }, {}),
      atHalfMaximum: {
        rate: (maxima.get(name) ?? 0) / 2,
        achievedPerSecond: median(paced.map((m) => m.requestsPerSecond)),
        p50Ms: median(paced.map((m) => m.p50Ms)),
        p99Ms: median(paced.map((m) => m.p99Ms)),
      },
    };
  };
  const baseline = summarize(options.baseline.name);
  return {
    baseline,
    connections: options.connections,
    loadAverage: loadAverageAtStart,
    subjects: options.subjects.map((subject) => {
      const measured = summarize(subject.name);
      return {
        ...measured,
        ratio: measured.requestsPerSecond / baseline.requestsPerSecond,
        cpuRatio:
          measured.cpuUsPerRequest && baseline.cpuUsPerRequest
            ? baseline.cpuUsPerRequest / measured.cpuUsPerRequest
            : undefined,
      };
    }),
  };
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? '–' : value.toFixed(digits);

const rowsOf = (comparison: Comparison) => [
  { ...comparison.baseline, ratio: 1, cpuRatio: 1 },
  ...comparison.subjects,
];

export function printComparison(title: string, comparison: Comparison): void {
  const rows = rowsOf(comparison).map((m) => ({
    target: m.name,
    'max req/s': Math.round(m.requestsPerSecond),
    'ratio to baseline': m.ratio.toFixed(2),
    'p50 / p99 ms at max': `${m.p50Ms} / ${m.p99Ms}`,
    'at ½ max: req/s (achieved)': `${Math.round(m.atHalfMaximum.rate)} (${Math.round(m.atHalfMaximum.achievedPerSecond)})`,
    'p50 / p99 ms at ½ max': `${m.atHalfMaximum.p50Ms} / ${m.atHalfMaximum.p99Ms}`,
    'server CPU µs/req': fixed(m.cpuUsPerRequest, 1),
    'CPU ratio': fixed(m.cpuRatio, 2),
  }));
  console.log(`\n${title} (load average ${comparison.loadAverage})`);
  console.table(rows);
}

/**
 * The cells of docs/PERFORMANCE.md's results tables, one row per target (the baseline first):
 * load average, connections, target, maximum req/s, ratio, server CPU µs/req, the half-maximum
 * rate (achieved), and p50 / p99 ms at it; `note` goes in the last column of the first row.
 */
export function comparisonRows(comparison: Comparison, note = ''): string[][] {
  return rowsOf(comparison).map((m, index) => [
    comparison.loadAverage,
    String(comparison.connections),
    index === 0 ? `${m.name} (baseline)` : m.name,
    Math.round(m.requestsPerSecond).toString(),
    index === 0 ? '1' : `**${m.ratio.toFixed(2)}**`,
    fixed(m.cpuUsPerRequest, 0),
    `${Math.round(m.atHalfMaximum.rate)} (${Math.round(m.atHalfMaximum.achievedPerSecond)})`,
    `${m.atHalfMaximum.p50Ms} / **${m.atHalfMaximum.p99Ms}**`,
    index === 0 ? note : '',
  ]);
}

/** The 1-, 5- and 15-minute load averages: the machine may be shared, and the figures say so. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');

export const machine = () =>
  `${os.availableParallelism()} cores${pinning ? ' (server and load pinned apart)' : ''}, Node ${process.version}`;

/**
 * Appends rows to the benchmark's results table in docs/PERFORMANCE.md: the table that ends at
 * the marker `<!-- results:<bench> -->`.
 */
export async function recordResults(
  bench: string,
  rows: string[][],
  options: { machine?: string } = {},
): Promise<void> {
  const file = path.join(root, 'docs/PERFORMANCE.md');
  const marker = `<!-- results:${bench} -->`;
  const text = await readFile(file, 'utf8');
  if (!text.includes(marker)) throw new Error(`docs/PERFORMANCE.md has no ${marker} marker`);
  const date = new Date().toISOString().slice(0, 10);
  const lines = rows
    .map((cells) => `| ${[date, options.machine ?? machine(), ...cells].join(' | ')} |`)
    .join('\n');
  await writeFile(file, text.replace(marker, `${lines}\n${marker}`));
  console.log(`\nrecorded in docs/PERFORMANCE.md (${bench})`);
}
