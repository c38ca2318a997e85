import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Page } from '../../shared/pagination.ts';
import type { AuditListQuery } from './audit.schemas.ts';

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

export type AuditQuery = AuditListQuery;

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** The append-only audit log. `record` takes the caller's transaction: the entry commits with the change. */
export class AuditLog {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async record(executor: Executor, context: RequestContext, change: AuditChange): Promise<void> {
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
    let select = this.#db.selectFrom('auditLog').selectAll();
    if (query.actorId) select = select.where('actorId', '=', query.actorId);
    if (query.targetType) select = select.where('targetType', '=', query.targetType);
    if (query.targetId) select = select.where('targetId', '=', query.targetId);
    if (query.action) select = select.where('action', '=', query.action);
    return newestFirstPage(select, {
      cursor: query.cursor,
      limit: query.limit,
      table: 'audit_log',
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
