import type { Kysely, Selectable } from 'kysely';
import type { DB, LiveChatMessagesTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type ChatMessageRow = Selectable<LiveChatMessagesTable>;

/** Live chat messages. SQL only. */
export class ChatRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  insert(
    values: { eventId: string; userId: string; authorName: string; body: string; createdAt: Date },
    executor: Executor = this.#db,
  ): Promise<ChatMessageRow> {
    return executor.insertInto('liveChatMessages').values(values).returningAll().executeTakeFirstOrThrow();
  }

  find(eventId: string, id: number, executor: Executor = this.#db): Promise<ChatMessageRow | undefined> {
    return executor
      .selectFrom('liveChatMessages')
      .selectAll()
      .where('eventId', '=', eventId)
      .where('id', '=', id)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
  }

  /** The newest `limit` visible messages, or those after `after` (oldest first either way). */
  async recent(options: {
    eventId: string;
    limit: number;
    after?: number | undefined;
  }): Promise<ChatMessageRow[]> {
    let query = this.#db
      .selectFrom('liveChatMessages')
      .selectAll()
      .where('eventId', '=', options.eventId)
      .where('deletedAt', 'is', null);
    if (options.after !== undefined) {
      // Resuming: everything after the last id seen, oldest first, up to the limit.
      return query.where('id', '>', options.after).orderBy('id', 'asc').limit(options.limit).execute();
    }
    query = query.orderBy('id', 'desc').limit(options.limit);
    return (await query.execute()).reverse();
  }

  async softDelete(
    options: { eventId: string; id: number; by: string; at: Date },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const result = await executor
      .updateTable('liveChatMessages')
      .set({ deletedAt: options.at, deletedBy: options.by })
      .where('eventId', '=', options.eventId)
      .where('id', '=', options.id)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
