import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';

/** Who did it: a signed-in user, a service using an API key, or Marquee itself. */
export interface AuditActor {
  type: 'user' | 'api_key' | 'system';
  id: string | null;
}

/** What a request knows about itself, carried into everything it records. */
export interface RequestContext {
  actor: AuditActor;
  ip: string | null;
  requestId: string | null;
}

export interface AuditChange {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry extends Omit<AuditChange, 'before' | 'after'> {
  id: string;
  before: unknown;
  after: unknown;
  actor: AuditActor;
  ip: string | null;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditQuery {
  actorId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  action?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const cursorShape = z.object({ createdAt: z.string(), id: z.uuid() });
const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** The append-only audit log. `record` takes the caller's transaction: the entry commits with the change. */
export class AuditLog {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async record(executor: Kysely<DB>, context: RequestContext, change: AuditChange): Promise<void> {
    await executor
      .insertInto('auditLog')
      .values({
        actorType: context.actor.type,
        actorId: context.actor.id,
        action: change.action,
        targetType: change.targetType,
        targetId: change.targetId,
        before: json(change.before),
        after: json(change.after),
        ip: context.ip,
        requestId: context.requestId,
      })
      .execute();
  }

  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const after = decodeCursor(query.cursor, cursorShape);
    let select = this.#db.selectFrom('auditLog').selectAll();
    if (query.actorId) select = select.where('actorId', '=', query.actorId);
    if (query.targetType) select = select.where('targetType', '=', query.targetType);
    if (query.targetId) select = select.where('targetId', '=', query.targetId);
    if (query.action) select = select.where('action', '=', query.action);
    if (after) {
      select = select.where((eb) =>
        eb.or([
          eb('createdAt', '<', new Date(after.createdAt)),
          eb.and([eb('createdAt', '=', new Date(after.createdAt)), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await select
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return toPage(rows, query.limit, {
      key: (row) => ({ createdAt: row.createdAt.toISOString(), id: row.id }),
      map: (row) => ({
        id: row.id,
        actor: { type: row.actorType as AuditActor['type'], id: row.actorId },
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        before: row.before,
        after: row.after,
        ip: row.ip,
        requestId: row.requestId,
        createdAt: row.createdAt,
      }),
    });
  }
}
