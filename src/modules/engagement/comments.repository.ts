import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { CommentsTable, DB } from '../../platform/db/db.generated.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';
import type { ReportReason } from './comment-moderation.repository.ts';

export type CommentRow = Selectable<CommentsTable>;

const topCursor = z.object({ replies: z.number().int().min(0), id: z.uuid() });

/** Comments, their reports and comment bans. SQL only. */
export class CommentsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  find(id: string, executor: Executor = this.#db): Promise<CommentRow | undefined> {
    return executor.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Inserts a comment; a reply counts on its parent in the same transaction. */
  async insert(
    values: {
      titleId: string;
      userId: string;
      profileKey: string;
      authorName: string;
      parentId: string | null;
      body: string;
      at: Date;
    },
    executor: Executor,
  ): Promise<CommentRow> {
    const row = await executor
      .insertInto('comments')
      .values({
        titleId: values.titleId,
        userId: values.userId,
        profileKey: values.profileKey,
        authorName: values.authorName,
        parentId: values.parentId,
        body: values.body,
        createdAt: values.at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (values.parentId) {
      await executor
        .updateTable('comments')
        .set({ replyCount: sql<number>`reply_count + 1` })
        .where('id', '=', values.parentId)
        .execute();
    }
    return row;
  }

  /**
   * What readers see of a list: not removed, not hidden by reports; a deleted comment only while
   * replies hang from it (shown without its text).
   */
  #listed(executor: Executor) {
    return executor
      .selectFrom('comments')
      .selectAll()
      .where('removedAt', 'is', null)
      .where('hiddenAt', 'is', null)
      .where((eb) => eb.or([eb('deletedAt', 'is', null), eb('replyCount', '>', 0)]));
  }

  newest(
    titleId: string,
    page: { cursor: string | undefined; limit: number },
    executor: Executor = this.#db,
  ): Promise<Page<CommentRow>> {
    return newestFirstPage(
      this.#listed(executor).where('titleId', '=', titleId).where('parentId', 'is', null),
      {
        ...page,
        table: 'comments',
        map: (row) => row,
      },
    );
  }

  /** Most replied first (then newest), by a keyset on (reply_count, id). */
  async top(
    titleId: string,
    page: { cursor: string | undefined; limit: number },
    executor: Executor = this.#db,
  ): Promise<Page<CommentRow>> {
    const after = decodeCursor(page.cursor, topCursor);
    let query = this.#listed(executor).where('titleId', '=', titleId).where('parentId', 'is', null);
    if (after) {
      query = query.where(
        () => sql<boolean>`(comments.reply_count, comments.id) < (${after.replies}, ${after.id})`,
      );
    }
    const rows = await query
      .orderBy('replyCount', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page.limit, {
      key: (row) => ({ replies: row.replyCount, id: row.id }),
      map: (row) => row,
    });
  }

  replies(
    parentId: string,
    page: { cursor: string | undefined; limit: number },
    executor: Executor = this.#db,
  ): Promise<Page<CommentRow>> {
    return newestFirstPage(this.#listed(executor).where('parentId', '=', parentId), {
      ...page,
      table: 'comments',
      map: (row) => row,
    });
  }

  /** Edits the author's (account and profile) own comment while the window is open; undefined otherwise. */
  editOwn(
    options: { id: string; userId: string; profileKey: string; body: string; at: Date; postedSince: Date },
    executor: Executor = this.#db,
  ): Promise<CommentRow | undefined> {
    return executor
      .updateTable('comments')
      .set({ body: options.body, editedAt: options.at })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('profileKey', '=', options.profileKey)
      .where('createdAt', '>=', options.postedSince)
      .where('deletedAt', 'is', null)
      .where('removedAt', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Soft-deletes the author's (account and profile) own comment (the row stays for its replies and moderation). */
  async deleteOwn(
    options: { id: string; userId: string; profileKey: string; at: Date },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const result = await executor
      .updateTable('comments')
      .set({ deletedAt: options.at })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('profileKey', '=', options.profileKey)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * One account's report. A new reporter counts; at `hideAfter` reports the comment is hidden.
   * Returns whether it is hidden now (undefined: this account had reported it already, even if a
   * moderator dismissed that report).
   */
  async report(
    options: { id: string; userId: string; reason: ReportReason; at: Date; hideAfter: number },
    executor: Executor,
  ): Promise<{ hidden: boolean } | undefined> {
    const inserted = await executor
      .insertInto('commentReports')
      .values({
        commentId: options.id,
        userId: options.userId,
        reason: options.reason,
        createdAt: options.at,
      })
      .onConflict((conflict) => conflict.columns(['commentId', 'userId']).doNothing())
      .returning('commentId')
      .executeTakeFirst();
    if (!inserted) return undefined;
    const row = await executor
      .updateTable('comments')
      .set({
        reportCount: sql<number>`report_count + 1`,
        hiddenAt: sql<Date | null>`case when hidden_at is null and report_count + 1 >= ${options.hideAfter} then ${options.at} else hidden_at end`,
      })
      .where('id', '=', options.id)
      .returning('hiddenAt')
      .executeTakeFirstOrThrow();
    return { hidden: row.hiddenAt !== null };
  }

  async remove(
    options: { id: string; by: string | null; at: Date },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const result = await executor
      .updateTable('comments')
      .set({ removedAt: options.at, removedBy: options.by })
      .where('id', '=', options.id)
      .where('removedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async isBanned(userId: string, executor: Executor = this.#db): Promise<boolean> {
    const row = await executor
      .selectFrom('commentBans')
      .select('userId')
      .where('userId', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Bans an account from commenting (idempotent). Throws a foreign-key violation for no such account. */
  async ban(
    options: { userId: string; by: string | null; at: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .insertInto('commentBans')
      .values({ userId: options.userId, bannedBy: options.by, createdAt: options.at })
      .onConflict((conflict) => conflict.column('userId').doNothing())
      .execute();
  }

  async unban(userId: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor.deleteFrom('commentBans').where('userId', '=', userId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
