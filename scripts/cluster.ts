// `npm run cluster`: the production topology on this machine, on loopback — PostgreSQL and Redis
// (the local services), S3 through s3rver, two API instances and one worker behind HAProxy
// (Debian's package, installed here when missing). Stops everything on Ctrl-C or SIGTERM.
//
//   CLUSTER_PORT (3100)       where HAProxy listens; the instances take the next ports
//   CLUSTER_DATABASE_URL      default postgres://postgres@127.0.0.1:5432/marquee_cluster (created)
//   CLUSTER_REDIS_URL         default redis://127.0.0.1:6379
//   CLUSTER_DATA_DIR          default ./data/cluster (keys shared by the instances, s3rver's files)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import S3rver from 's3rver';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.CLUSTER_PORT ?? 3100);
const databaseUrl = process.env.CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/marquee_cluster';
const redisUrl = process.env.CLUSTER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dataDir = path.resolve(process.env.CLUSTER_DATA_DIR ?? path.join(root, 'data', 'cluster'));
const bucket = 'marquee';

const say = (line: string) => console.log(`[cluster] ${line}`);

function haproxyBinary(): string {
  const found = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((candidate) => existsSync(candidate));
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('HAProxy is missing: install it with `sudo apt-get install -y haproxy`, then run again');
  say('installing HAProxy from Debian (apt-get install -y haproxy)…');
  execFileSync('apt-get', ['install', '-y', '-qq', 'haproxy'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return haproxyBinary();
}

async function ensureDatabase(): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsupported database name: ${name}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      say(`creating database ${name}`);
      await client.query(`create database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** Secrets every instance must share (tokens from one are checked by the others). */
async function sharedSecrets(): Promise<Record<string, string>> {
  const file = path.join(dataDir, 'secrets.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    const secrets = {
      PLAYBACK_SECRET: randomBytes(32).toString('base64url'),
      MEDIA_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
    return secrets;
  }
}

function haproxyConfig(options: { apiPorts: number[]; statsPort: number }): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout check 5s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '  option forwardfor',
    'frontend marquee',
    `  bind 127.0.0.1:${port}`,
    '  default_backend api',
    'backend api',
    // Fewest open connections, not turns: chat WebSockets live for hours, and turns put every
    // viewer's socket on whichever instance a fixed number of requests before it landed on.
    '  balance leastconn',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    ...options.apiPorts.map(
      (apiPort, index) => `  server api${index + 1} 127.0.0.1:${apiPort} check inter 2s fall 2 rise 1`,
    ),
    'listen stats',
    `  bind 127.0.0.1:${options.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '',
  ].join('\n');
}

const children: Array<{ name: string; child: ChildProcess }> = [];

function start(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) stream.write(prefix + line + '\n');
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the cluster`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitForReady(url: string, what: string, timeoutMs = 120_000): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(url)).ok) {
        say(`${what} ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return;
      }
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
}

let stopping = false;
let s3: S3rver | undefined;
async function stop(code: number): Promise<never> {
  stopping = true;
  say('stopping…');
  for (const { child } of children.toReversed()) child.kill('SIGTERM');
  await Promise.all(
    children
      .filter(({ child }) => child.exitCode === null && child.signalCode === null)
      .map(({ child }) => new Promise((resolve) => child.once('exit', resolve))),
  );
  await s3?.close();
  say('stopped');
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  await mkdir(path.join(dataDir, 's3'), { recursive: true });
  const haproxy = haproxyBinary();
  await ensureDatabase();
  s3 = new S3rver({
    address: '127.0.0.1',
    port: port + 9,
    silent: true,
    directory: path.join(dataDir, 's3'),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  await s3.run();
  say(`s3rver on http://127.0.0.1:${port + 9} (bucket ${bucket})`);

  const common = {
    ...(await sharedSecrets()),
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    TRUST_PROXY: '1',
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: `http://127.0.0.1:${port + 9}`,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
  };
  const apiPorts = [port + 1, port + 2];
  // The first instance migrates the database; the others start once it is ready.
  start('api1', process.execPath, ['src/main.ts'], { ...common, ROLE: 'api', PORT: String(apiPorts[0]) });
  await waitForReady(`http://127.0.0.1:${apiPorts[0]}/readyz`, 'api1');
  start('api2', process.execPath, ['src/main.ts'], { ...common, ROLE: 'api', PORT: String(apiPorts[1]) });
  start('worker', process.execPath, ['src/main.ts'], { ...common, ROLE: 'worker', PORT: String(port + 3) });
  await waitForReady(`http://127.0.0.1:${apiPorts[1]}/readyz`, 'api2');

  const config = path.join(dataDir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig({ apiPorts, statsPort: port + 8 }));
  start('haproxy', haproxy, ['-db', '-f', config]);
  await waitForReady(`http://127.0.0.1:${port}/readyz`, 'load balancer');
  say(
    `Marquee on http://127.0.0.1:${port} (HAProxy → api1 :${apiPorts[0]}, api2 :${apiPorts[1]}; worker; stats http://127.0.0.1:${port + 8}/stats)`,
  );
  say('Ctrl-C stops everything');
} catch (error) {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
