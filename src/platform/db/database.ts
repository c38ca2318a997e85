import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './db.generated.ts';
import { defineError } from '../../shared/errors.ts';
import { PGliteDialect } from './pglite-driver.ts';

export type Db = Kysely<DB>;

export type DatabaseOptions =
  | {
      kind: 'embedded';
      dataDir: string | undefined;
      /** Start an in-memory database from a dumped data directory (tests: a migrated template). */
      template?: Blob;
    }
  | { kind: 'postgres'; url: string; poolMax: number; statementTimeoutMs: number };

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** A database and what the rest of the platform needs to know about it. */
export interface Database {
  readonly db: Db;
  readonly kind: 'embedded' | 'postgres';
  /** The embedded instance, for pg-boss's PGlite adapter; undefined on a server. */
  readonly pglite: PGlite | undefined;
  /** How the job queue reaches this database when it needs its own connections. */
  readonly connectionString: string | undefined;
  ping(): Promise<void>;
  /** Runs parameterless, possibly multi-statement SQL as one implicit transaction (migrations). */
  runScript(script: string): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/*
 * Both drivers must hand the code the same JavaScript values for the same column types, or a query
 * would behave differently on PGlite and on PostgreSQL. Chosen once, here:
 *  - int8 (counts, sums)  → number. Ids are uuids; no int8 column is meant to pass 2^53.
 *  - numeric              → number. Money is stored as integer minor units, never numeric.
 *  - date                 → 'YYYY-MM-DD' string, not a Date at local midnight.
 */
const OID = { int8: 20, numeric: 1700, date: 1082 } as const;
const parsers: Record<number, (value: string) => unknown> = {
  [OID.int8]: Number,
  [OID.numeric]: Number,
  [OID.date]: (value) => value,
};

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    parsers[oid] ?? (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

const plugins = [new CamelCasePlugin()];

export const DatabaseLocked = defineError(
  'DATABASE_LOCKED',
  'conflict',
  'The embedded database is in use by another process',
);

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. A lock file next to it (holding the owner's pid) turns that into a clear refusal; a lock
 * left by a process that no longer runs is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw DatabaseLocked(
          `Marquee (pid ${owner}) is using the embedded database in ${dataDir}. ` +
            'Stop it first, or run both against PostgreSQL (DATABASE_URL).',
          { pid: owner },
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openEmbedded(dataDir: string | undefined, template?: Blob): Promise<Database> {
  let unlock = async () => {};
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  const pglite = new PGlite({
    dataDir,
    extensions: { pg_trgm },
    parsers,
    relaxedDurability: false,
    ...(template && { loadDataDir: template }),
  });
  await pglite.waitReady.catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), plugins });
  return {
    db,
    kind: 'embedded',
    pglite,
    connectionString: undefined,
    async ping() {
      await pglite.query('select 1');
    },
    async runScript(script) {
      await pglite.exec(script);
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      await unlock();
    },
  };
}

function openPostgres(options: Extract<DatabaseOptions, { kind: 'postgres' }>): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    types: pgTypes,
    application_name: 'marquee',
    statement_timeout: options.statementTimeoutMs || undefined,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins });
  return {
    db,
    kind: 'postgres',
    pglite: undefined,
    connectionString: options.url,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async runScript(script) {
      // Without parameters node-postgres uses the simple protocol: several statements, one transaction.
      await pool.query(script);
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.poolMax,
    }),
    async close() {
      await db.destroy();
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === 'embedded'
    ? openEmbedded(options.dataDir, options.template)
    : openPostgres(options);
}
