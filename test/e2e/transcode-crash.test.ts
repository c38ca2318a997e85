import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'hls-parser';
import pg from 'pg';
import { createPlayableItems } from '../../src/modules/catalog/index.ts';
import {
  createMediaService,
  ffmpegTools,
  type AssetRow,
  type MediaKeys,
  type MediaService,
} from '../../src/modules/media/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { jobCatalog } from '../../src/jobs/job-catalog.ts';
import { MemoryCache } from '../../src/platform/cache/memory.cache.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrator.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { MemoryPubSub } from '../../src/platform/pubsub/memory.pubsub.ts';
import { PgBossQueue } from '../../src/platform/queue/pgboss.queue.ts';
import { LocalStorage } from '../../src/platform/storage/local.storage.ts';
import { decryptPlaylist, readMaster } from '../support/hls-check.ts';
import { makeClip } from '../support/media-clips.ts';
import { fetchPackage, readObject, storedKeys } from '../support/media-package.ts';

/**
 * A transcode worker killed with SIGKILL mid-job: after a restart the job finishes, and nothing
 * half-written is ever served. Two processes share one database and one storage directory, so
 * this test runs on the PostgreSQL server (an embedded PGlite belongs to one process): in the
 * real-services pass, with DATABASE_URL set. (It used to fall back to a local server in the
 * embedded pass too, running the same slow test twice and failing where no server runs.)
 */

const root = path.resolve(import.meta.dirname, '../..');
const serverUrl = process.env.DATABASE_URL ?? '';
const system = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };

interface Worker {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  running(): boolean;
  /** The worker's last log lines, for failure messages. */
  tail(): string;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, ROLE: 'worker' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    exited,
    kill: (signal) => child.kill(signal),
    running: () => child.exitCode === null && child.signalCode === null,
    tail: () => output.split('\n').slice(-15).join('\n'),
  };
}

/** Every key a package's playlists reference, relative to its prefix, and the content key ids they name. */
async function referencedByPlaylists(
  storage: LocalStorage,
  prefix: string,
): Promise<{ files: string[]; keyIds: Set<string> }> {
  const master = parse((await readObject(storage, `${prefix}master.m3u8`)).toString('utf8'));
  assert.ok(master.isMasterPlaylist, 'master.m3u8 is a master playlist');
  const playlists = new Set<string>();
  for (const variant of master.variants) {
    playlists.add(variant.uri);
    for (const rendition of [...variant.audio, ...variant.subtitles]) {
      if (rendition.uri) playlists.add(rendition.uri);
    }
  }
  const files = ['master.m3u8', ...playlists];
  const keyIds = new Set<string>();
  for (const uri of playlists) {
    const media = parse((await readObject(storage, `${prefix}${uri}`)).toString('utf8'));
    assert.ok(!media.isMasterPlaylist, `${uri} is a media playlist`);
    for (const segment of media.segments) {
      files.push(path.posix.join(path.posix.dirname(uri), segment.uri));
      const keyId = /([0-9a-f-]{36})$/.exec(segment.key?.uri ?? '')?.[1];
      if (keyId) keyIds.add(keyId);
    }
  }
  return { files, keyIds };
}

/**
 * "Never served half-written": if the item's pointer names an asset, every file its playlists
 * reference is in storage under the asset's prefix, and every content key they name is in the
 * database. Returns what is wrong, or undefined.
 */
async function servedPackageProblem(options: {
  database: Database;
  storage: LocalStorage;
  itemId: string;
}): Promise<string | undefined> {
  const { database, storage, itemId } = options;
  const served = await database.db
    .selectFrom('itemVideos')
    .innerJoin('videoAssets', 'videoAssets.id', 'itemVideos.assetId')
    .select(['videoAssets.id', 'videoAssets.status', 'videoAssets.packagePrefix'])
    .where('itemVideos.itemId', '=', itemId)
    .executeTakeFirst();
  if (!served) return undefined;
  if (served.status !== 'ready' || !served.packagePrefix) {
    return `item points at asset ${served.id} in state ${served.status}, prefix ${served.packagePrefix}`;
  }
  const prefix = served.packagePrefix;
  let referenced;
  try {
    referenced = await referencedByPlaylists(storage, prefix);
  } catch (error) {
    return `playlists of ${prefix} unreadable: ${String(error)}`;
  }
  const missing = [];
  for (const file of referenced.files) if (!(await storage.head(`${prefix}${file}`))) missing.push(file);
  if (missing.length > 0) return `${missing.length} referenced files missing under ${prefix}: ${missing[0]}`;
  const keys = await database.db
    .selectFrom('contentKeys')
    .select('id')
    .where('assetId', '=', served.id)
    .execute();
  const known = new Set(keys.map((key) => key.id));
  const unknown = [...referenced.keyIds].filter((id) => !known.has(id));
  if (referenced.keyIds.size === 0) return `no content keys referenced by ${prefix}`;
  if (unknown.length > 0) return `content keys not in the database: ${unknown.join(', ')}`;
  return undefined;
}

/** ffmpeg processes working in a directory (Linux /proc; empty elsewhere). */
async function toolsWorkingIn(dir: string): Promise<number[]> {
  const pids = [];
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('ffmpeg') || cmdline.includes('/ffmpeg\0')) {
      if (cmdline.includes(dir)) pids.push(Number(entry));
    }
  }
  return pids;
}

describe('a transcode worker killed mid-job', { skip: !serverUrl && 'needs DATABASE_URL' }, () => {
  const databaseName = `marquee_crash_${randomBytes(5).toString('hex')}`;
  let dir: string;
  let env: Record<string, string>;
  let database: Database;
  let queue: PgBossQueue<typeof jobCatalog>;
  let storage: LocalStorage;
  let media: MediaService;
  let mediaKeys: MediaKeys;
  let closePlayable: () => Promise<void>;
  let clip: string;
  const workers: Worker[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-crash-'));
    // Long enough that the encode takes well over ten seconds, so the kill lands mid-encode.
    const clipMade = makeClip({
      path: path.join(dir, 'source.mp4'),
      width: 1280,
      height: 720,
      seconds: 40,
      audio: [{ language: 'eng' }],
    });
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${databaseName}`);
    } finally {
      await admin.end();
    }
    const url = new URL(serverUrl);
    url.pathname = `/${databaseName}`;
    // The test and the worker agree on everything: database, storage, master key, media settings.
    env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DATA_DIR: path.join(dir, 'data'),
      STORAGE_DIR: path.join(dir, 'storage'),
      DATABASE_URL: url.toString(),
      REDIS_URL: '',
      MEDIA_MASTER_KEY: randomBytes(32).toString('base64'),
      TRANSCODE_PRESET: process.env.TRANSCODE_PRESET ?? 'ultrafast',
      TRANSCODE_CONCURRENCY: '1',
      HLS_KEY_ROTATION_SEGMENTS: '3',
    };
    const config = loadConfig(env);
    const logger = createLogger({ level: 'silent', pretty: false });
    database = await openDatabase({
      kind: 'postgres',
      url: url.toString(),
      poolMax: 4,
      statementTimeoutMs: 30_000,
    });
    await migrate(database);
    // Enqueues only: no handler is registered in this process, so only the worker runs the job.
    queue = await PgBossQueue.start({
      database,
      catalog: jobCatalog,
      logger,
      supervise: false,
      concurrency: 1,
    });
    storage = new LocalStorage(config.storage.kind === 'local' ? config.storage.dir : '');
    const pubsub = new MemoryPubSub();
    const playable = await createPlayableItems({ db: database.db, cache: new MemoryCache(), pubsub });
    closePlayable = playable.close;
    ({ media, keys: mediaKeys } = await createMediaService({
      db: database.db,
      storage,
      pubsub,
      queue,
      items: playable.items,
      logger,
      clock: systemClock,
      tools: ffmpegTools(config.media),
      config: config.media,
    }));
    clip = await clipMade;
  });

  after(async () => {
    for (const worker of workers) if (worker.running()) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await queue?.stop({ timeoutMs: 1000 });
    await closePlayable?.();
    await database?.close();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${databaseName} with (force)`);
    } finally {
      await admin.end();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('retries the job after a restart and never serves a half-written package', async (t) => {
    const movie = await database.db
      .insertInto('titles')
      .values({ kind: 'movie', title: 'Crash test' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const registered = await media.ingestFile({ itemId: movie.id, path: clip, uploadedBy: null }, system);

    // The invariant, checked every 200 ms for the whole test, whatever the worker is doing.
    const violations: string[] = [];
    let checks = 0;
    let checksWhileServed = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const problem = await servedPackageProblem({ database, storage, itemId: movie.id }).catch(
          (error: unknown) => `check failed: ${String(error)}`,
        );
        checks += 1;
        if (problem) violations.push(problem);
        else if (await media.assets.current(movie.id)) checksWhileServed += 1;
        await sleep(200);
      }
    })();

    const asset = () => media.assets.find(registered.id) as Promise<AssetRow>;
    const waitFor = async (
      worker: Worker,
      what: string,
      done: (row: AssetRow) => boolean,
      timeoutMs: number,
    ): Promise<AssetRow> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await asset();
        if (done(row)) return row;
        assert.notEqual(row.status, 'failed', `${row.failureCode}: ${row.failureReason}`);
        assert.ok(worker.running(), `the worker exited while waiting for ${what}:\n${worker.tail()}`);
        assert.ok(
          Date.now() < deadline,
          `no ${what} after ${timeoutMs} ms (${row.status} ${row.progress}%):\n${worker.tail()}`,
        );
        await sleep(100);
      }
    };

    try {
      // 1. The first worker takes the job; it is killed outright once the encode is under way.
      const first = startWorker(env);
      workers.push(first);
      const running = await waitFor(first, 'progress past 5 %', (row) => row.progress > 5, 60_000);
      first.kill('SIGKILL');
      const killedAt = Date.now();
      assert.equal((await first.exited).signal, 'SIGKILL');
      const orphans = await toolsWorkingIn(env.DATA_DIR ?? dir);
      t.diagnostic(
        `killed at ${running.progress}% (attempt ${running.attempts}); ffmpeg processes it left running: ${orphans.length}`,
      );

      // 2. While no worker runs: nothing is served and the asset is not ready.
      const pointer = await database.db
        .selectFrom('itemVideos')
        .selectAll()
        .where('itemId', '=', movie.id)
        .executeTakeFirst();
      assert.equal(pointer, undefined, 'no item_videos row for a killed transcode');
      const dead = await asset();
      assert.notEqual(dead.status, 'ready');
      assert.equal(dead.attempts, 1);
      await sleep(2000);

      // 3. A new worker notices the missed heartbeat, and the retry runs the job to the end.
      const second = startWorker(env);
      workers.push(second);
      const retried = await waitFor(second, 'a retry', (row) => row.attempts >= 2, 90_000);
      const retryStartedAfterMs = Date.now() - killedAt;
      assert.equal(retried.status, 'processing');
      const ready = await waitFor(second, 'ready', (row) => row.status === 'ready', 90_000);
      t.diagnostic(
        `retry started ${(retryStartedAfterMs / 1000).toFixed(1)} s after the kill; ready ${((Date.now() - killedAt) / 1000).toFixed(1)} s after it`,
      );
      assert.ok(ready.attempts >= 2, `attempts ${ready.attempts}`);
      const prefix = ready.packagePrefix;
      assert.ok(prefix);
      assert.ok(prefix.startsWith(`media/${movie.id}/${ready.id}/`), prefix);
      const jobId = registered.jobId;
      assert.ok(jobId);
      // The handler returns just after the asset turns ready; pg-boss records completion after it.
      let job = await queue.getJob('media.transcode', jobId);
      for (let waited = 0; job?.state === 'active' && waited < 10_000; waited += 100) {
        await sleep(100);
        job = await queue.getJob('media.transcode', jobId);
      }
      assert.equal(job?.state, 'completed');
      assert.ok((job.attempt ?? 0) >= 1, 'pg-boss ran the job again');

      // Keep watching a little while the new package is served.
      await sleep(1000);
      watching = false;
      await watcher;
      assert.deepEqual(violations, [], 'the invariant held at every check');
      assert.ok(checksWhileServed > 0 && checks > 50, `${checks} checks, ${checksWhileServed} while served`);

      // 4. The package is whole and plays: every segment decrypts with the keys in the database.
      const downloaded = path.join(dir, 'downloaded');
      const files = await fetchPackage(storage, prefix, downloaded);
      assert.ok(files.includes('poster.jpg') && files.includes('thumbs/thumbnails.vtt'));
      const keys = await storedKeys({ keys: mediaKeys, assetId: ready.id });
      const master = await readMaster(downloaded);
      assert.deepEqual(
        master.variants.map((variant) => variant.resolution?.height),
        [240, 360, 480, 720],
      );
      const audio = master.variants[0]?.audio[0]?.uri;
      assert.ok(audio);
      for (const uri of [...master.variants.map((variant) => variant.uri), audio]) {
        const segments = await decryptPlaylist({ outputDir: downloaded, uri, keys });
        const seconds = segments.reduce((sum, segment) => sum + segment.duration, 0);
        assert.ok(Math.abs(seconds - 40) < 0.5, `${uri} covers the whole clip (${seconds} s)`);
      }

      // 5. Nothing of the dead attempt is left: in storage, only the final prefix.
      const leftovers = [];
      for await (const object of storage.list(`media/${movie.id}/${ready.id}/`)) {
        if (!object.key.startsWith(prefix)) leftovers.push(object.key);
      }
      assert.deepEqual(leftovers, []);

      // 6. SIGTERM stops the worker cleanly, and no ffmpeg of either worker outlives them.
      second.kill('SIGTERM');
      const stopped = await second.exited;
      assert.equal(stopped.code, 0, second.tail());
      assert.deepEqual(await toolsWorkingIn(env.DATA_DIR ?? dir), []);
    } finally {
      watching = false;
      await watcher;
    }
  });
});
