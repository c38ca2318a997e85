import type { PGlite, Transaction } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * A Kysely dialect over one embedded PGlite instance.
 *
 * PGlite is a single PostgreSQL session. It serialises `query()` and `exec()` behind its own
 * transaction mutex, and `transaction()` holds that mutex until the callback settles. So a Kysely
 * transaction here opens a PGlite transaction and parks it until Kysely commits or rolls back:
 * statements from elsewhere (another request, pg-boss) wait instead of landing inside it.
 * Consequence, the same as with a one-connection pool: code inside a transaction must use the
 * transaction object, never the outer `db`, or it waits for itself.
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }
  async init() {
    await this.#pglite.waitReady;
  }
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new PGliteConnection(this.#pglite));
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    await (connection as PGliteConnection).begin(settings);
  }
  async commitTransaction(connection: DatabaseConnection) {
    await (connection as PGliteConnection).finish('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection) {
    await (connection as PGliteConnection).finish('rollback');
  }
  async releaseConnection() {}
  async destroy() {
    // The PGlite instance is owned (and closed) by whoever created it.
  }
}

type Outcome = 'commit' | 'rollback';

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  #transaction: Transaction | undefined;
  #settle: ((outcome: Outcome) => void) | undefined;
  #settled: Promise<void> | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const target = this.#transaction ?? this.#pglite;
    const result = await target.query<R>(compiled.sql, compiled.parameters as unknown[]);
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // eslint-disable-next-line require-yield -- the interface demands a generator; PGlite cannot stream.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries; page through results instead');
  }

  begin(settings: TransactionSettings): Promise<void> {
    return new Promise<void>((started, failedToStart) => {
      const outcome = new Promise<Outcome>((resolve) => (this.#settle = resolve));
      this.#settled = this.#pglite
        .transaction(async (transaction) => {
          if (settings.isolationLevel || settings.accessMode) {
            const parts = [
              settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '',
              settings.accessMode ?? '',
            ];
            await transaction.query(CompiledQuery.raw(`set transaction ${parts.join(' ').trim()}`).sql);
          }
          this.#transaction = transaction;
          started();
          if ((await outcome) === 'rollback') await transaction.rollback();
        })
        .catch((error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          failedToStart(failure);
          throw failure;
        })
        .finally(() => {
          this.#transaction = undefined;
        });
      // A failure is reported through begin() or finish(); keep it from being "unhandled" here.
      this.#settled.catch(() => {});
    });
  }

  async finish(outcome: Outcome): Promise<void> {
    const settle = this.#settle;
    const settled = this.#settled;
    this.#settle = undefined;
    this.#settled = undefined;
    if (!settle || !settled) throw new Error('no transaction is open on this connection');
    settle(outcome);
    await settled;
  }
}
