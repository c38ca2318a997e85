import type { Kysely } from 'kysely';
import type { DB } from './db.generated.ts';

/**
 * What a repository method runs its SQL on: the pool, or a transaction a service opened. Every
 * repository method takes one (defaulting to the pool), so a service can put several
 * repositories' writes in one transaction without touching SQL itself.
 */
export type Executor = Kysely<DB>;

/** Opens transactions for a service: the only database handle a service holds besides its repositories. */
export interface Transactor {
  run<T>(work: (trx: Executor) => Promise<T>): Promise<T>;
}

export const transactorFor = (db: Kysely<DB>): Transactor => ({
  run: (work) => db.transaction().execute(work),
});
