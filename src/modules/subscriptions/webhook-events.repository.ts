import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebhookEventsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type WebhookEventRow = Selectable<WebhookEventsTable>;

/*
 * The payload is read back as text: the application's camelCase plugin would otherwise rename
 * the provider's snake_case keys inside it (amount_paid → amountPaid).
 */
const columns = ['provider', 'eventId', 'type', 'receivedAt', 'appliedAt'] as const;
const payloadText = sql<string>`payload::text`.as('payloadText');
const withPayload = (
  row: { provider: string; eventId: string; appliedAt: Date | null; payloadText: string } | undefined,
) =>
  row && {
    provider: row.provider,
    eventId: row.eventId,
    appliedAt: row.appliedAt,
    payload: JSON.parse(row.payloadText) as unknown,
  };

/** The ledger of verified provider events: one row per provider event id, ever. */
export class WebhookEventsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Stores the event unless its id is known; true when this call stored it. */
  async record(
    event: { provider: string; eventId: string; type: string; payload: unknown; receivedAt: Date },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const inserted = await executor
      .insertInto('webhookEvents')
      .values({
        provider: event.provider,
        eventId: event.eventId,
        type: event.type,
        payload: JSON.stringify(event.payload),
        receivedAt: event.receivedAt,
      })
      .onConflict((conflict) => conflict.columns(['provider', 'eventId']).doNothing())
      .returning('eventId')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async find(provider: string, eventId: string, executor: Executor = this.#db) {
    return withPayload(
      await executor
        .selectFrom('webhookEvents')
        .select([...columns, payloadText])
        .where('provider', '=', provider)
        .where('eventId', '=', eventId)
        .executeTakeFirst(),
    );
  }

  /** The event, locked: a job applying it twice at once applies it once. */
  async lock(provider: string, eventId: string, executor: Executor) {
    return withPayload(
      await executor
        .selectFrom('webhookEvents')
        .select([...columns, payloadText])
        .where('provider', '=', provider)
        .where('eventId', '=', eventId)
        .forUpdate()
        .executeTakeFirst(),
    );
  }

  async markApplied(
    event: { provider: string; eventId: string; at: Date; subscriptionId: string | null },
    executor: Executor,
  ): Promise<void> {
    const { provider, eventId } = event;
    await executor
      .updateTable('webhookEvents')
      .set({ appliedAt: event.at, subscriptionId: event.subscriptionId })
      .where('provider', '=', provider)
      .where('eventId', '=', eventId)
      .execute();
  }

  count(provider: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('webhookEvents')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('provider', '=', provider)
      .executeTakeFirstOrThrow();
  }
}
