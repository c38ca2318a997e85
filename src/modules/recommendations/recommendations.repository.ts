import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { SubjectRows, TitleNeighbours } from './rows.ts';

export type SignalKind = 'play' | 'finish' | 'thumb' | 'my_list';
export type RuleAction = 'pin' | 'exclude';
export interface SignalRow {
  subject: string;
  userId: string;
  titleId: string;
  kind: SignalKind;
  value: number;
  at: Date;
  /** Plays and finishes: where they were watched from, for regional trending. */
  country?: string | null;
}

/** Recommendations' own tables: signals, rows, neighbours, "not interested", rules, feedback. SQL only. */
export class RecommendationsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async saveSignal(signal: SignalRow, executor: Executor = this.#db): Promise<void> {
    await this.saveSignals([signal], executor);
  }

  /** Upserts signals; at most one per (subject, title, kind) in one call. */
  async saveSignals(signals: readonly SignalRow[], executor: Executor = this.#db): Promise<void> {
    if (signals.length === 0) return;
    await executor
      .insertInto('recommendationSignals')
      .values([...signals])
      .onConflict((conflict) =>
        conflict.columns(['subject', 'titleId', 'kind']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          at: eb.ref('excluded.at'),
          country: eb.ref('excluded.country'),
        })),
      )
      .execute();
  }

  async deleteSignal(
    key: { subject: string; titleId: string; kind: SignalKind },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .deleteFrom('recommendationSignals')
      .where('subject', '=', key.subject)
      .where('titleId', '=', key.titleId)
      .where('kind', '=', key.kind)
      .execute();
  }

  /** One subject's signals, or everybody's. */
  signals(subject?: string, executor: Executor = this.#db) {
    let query = executor
      .selectFrom('recommendationSignals')
      .select(['subject', 'userId', 'titleId', 'kind', 'value', 'at']);
    if (subject !== undefined) query = query.where('subject', '=', subject);
    // A total order: the models sum in this order, and a rerun must give the same figures.
    return query.orderBy('subject').orderBy('titleId').orderBy('kind').execute();
  }

  /** Plays and finishes since `since`, per title: the trending signal. */
  recentPlays(since: Date, executor: Executor = this.#db) {
    return executor
      .selectFrom('recommendationSignals')
      .select(['titleId', 'at', 'country'])
      .where('kind', 'in', ['play', 'finish'])
      .where('at', '>=', since)
      .orderBy('at')
      .orderBy('titleId')
      .execute();
  }

  async findRows(subject: string, executor: Executor = this.#db): Promise<SubjectRows | undefined> {
    const row = await executor
      .selectFrom('recommendationRows')
      .select('rows')
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row?.rows as SubjectRows | undefined;
  }

  async saveRows(
    rows: readonly { subject: string; rows: SubjectRows }[],
    at: Date,
    executor: Executor = this.#db,
  ): Promise<void> {
    if (rows.length === 0) return;
    await executor
      .insertInto('recommendationRows')
      .values(rows.map((row) => ({ subject: row.subject, rows: JSON.stringify(row.rows), computedAt: at })))
      .onConflict((conflict) =>
        conflict.column('subject').doUpdateSet((eb) => ({
          rows: eb.ref('excluded.rows'),
          computedAt: eb.ref('excluded.computedAt'),
        })),
      )
      .execute();
  }

  /** Shared rows under a prefix (e.g. '@trending:') that the training run at `at` did not write. */
  async deleteSharedRowsBefore(prefix: string, at: Date, executor: Executor = this.#db): Promise<void> {
    await executor
      .deleteFrom('recommendationRows')
      .where('subject', 'like', `${prefix.replaceAll('_', '\\_').replaceAll('%', '\\%')}%`)
      .where('computedAt', '<', at)
      .execute();
  }

  async neighbours(
    titleIds: readonly string[],
    executor: Executor = this.#db,
  ): Promise<Map<string, TitleNeighbours>> {
    if (titleIds.length === 0) return new Map();
    const rows = await executor
      .selectFrom('recommendationNeighbours')
      .select(['titleId', 'collaborative', 'content'])
      .where('titleId', 'in', [...titleIds])
      .execute();
    return new Map(
      rows.map((row) => [
        row.titleId,
        {
          collaborative: row.collaborative as unknown as TitleNeighbours['collaborative'],
          content: row.content as unknown as TitleNeighbours['content'],
        },
      ]),
    );
  }

  async saveNeighbours(
    entries: readonly [string, TitleNeighbours][],
    at: Date,
    executor: Executor = this.#db,
  ): Promise<void> {
    if (entries.length === 0) return;
    await executor
      .insertInto('recommendationNeighbours')
      .values(
        entries.map(([titleId, lists]) => ({
          titleId,
          collaborative: JSON.stringify(lists.collaborative),
          content: JSON.stringify(lists.content),
          computedAt: at,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('titleId').doUpdateSet((eb) => ({
          collaborative: eb.ref('excluded.collaborative'),
          content: eb.ref('excluded.content'),
          computedAt: eb.ref('excluded.computedAt'),
        })),
      )
      .execute();
  }

  async addNotInterested(
    entry: { subject: string; userId: string; titleId: string; at: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .insertInto('recommendationNotInterested')
      .values(entry)
      .onConflict((conflict) => conflict.columns(['subject', 'titleId']).doNothing())
      .execute();
  }

  /** "Not interested" per subject (of one subject, or everybody's). */
  notInterested(subject?: string, executor: Executor = this.#db) {
    let query = executor.selectFrom('recommendationNotInterested').select(['subject', 'titleId']);
    if (subject !== undefined) query = query.where('subject', '=', subject);
    return query.execute();
  }

  /** Every subject that has a signal, with its account. */
  subjects(executor: Executor = this.#db) {
    return executor.selectFrom('recommendationSignals').select(['subject', 'userId']).distinct().execute();
  }

  rules(executor: Executor = this.#db) {
    return executor
      .selectFrom('recommendationRules')
      .select(['titleId', 'rowKind', 'action', 'createdAt'])
      .orderBy('createdAt')
      .execute();
  }

  async saveRule(
    rule: { titleId: string; rowKind: string; action: RuleAction; createdBy: string; createdAt: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .insertInto('recommendationRules')
      .values(rule)
      .onConflict((conflict) =>
        conflict.columns(['titleId', 'rowKind']).doUpdateSet((eb) => ({
          action: eb.ref('excluded.action'),
          createdBy: eb.ref('excluded.createdBy'),
          createdAt: eb.ref('excluded.createdAt'),
        })),
      )
      .execute();
  }

  async deleteRule(
    key: { titleId: string; rowKind: string },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const result = await executor
      .deleteFrom('recommendationRules')
      .where('titleId', '=', key.titleId)
      .where('rowKind', '=', key.rowKind)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async recordFeedback(
    events: readonly {
      subject: string;
      userId: string;
      titleId: string;
      rowKind: string;
      kind: 'impression' | 'click';
      at: Date;
    }[],
    executor: Executor = this.#db,
  ): Promise<void> {
    if (events.length === 0) return;
    await executor
      .insertInto('recommendationFeedback')
      .values([...events])
      .execute();
  }

  /** Impressions and clicks per row kind since `since`. */
  clickThrough(since: Date, executor: Executor = this.#db) {
    return executor
      .selectFrom('recommendationFeedback')
      .select([
        'rowKind',
        sql<number>`count(*) filter (where kind = 'impression')::int`.as('impressions'),
        sql<number>`count(*) filter (where kind = 'click')::int`.as('clicks'),
      ])
      .where('at', '>=', since)
      .groupBy('rowKind')
      .orderBy('rowKind')
      .execute();
  }
}
