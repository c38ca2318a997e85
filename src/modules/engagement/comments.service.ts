import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { RateLimiter } from '../../platform/ratelimit/ratelimit.port.ts';
import type { Page } from '../../shared/pagination.ts';
import { TitleNotFound, type PlayableItems } from '../catalog/index.ts';
import type { ReportReason } from './comment-moderation.repository.ts';
import type { CommentRow, CommentsRepository } from './comments.repository.ts';
import {
  CommentBanned,
  CommentBlockedWord,
  CommentEditClosed,
  CommentKidsProfile,
  CommentNested,
  CommentNotFound,
  CommentRateLimited,
} from './engagement.errors.ts';
import type { EngagementEvents } from './engagement.events.ts';
import type { Member } from './member.ts';
import { blockedWordIn } from './word-filter.ts';

export interface CommentView {
  id: string;
  titleId: string;
  parentId: string | null;
  authorName: string;
  /** null once deleted by its author. Plain text: clients render it as text, never as HTML. */
  body: string | null;
  replyCount: number;
  createdAt: Date;
  editedAt: Date | null;
  /** The caller wrote it (may edit or delete it). */
  mine: boolean;
}

export interface CommentsServiceDeps {
  repository: CommentsRepository;
  items: PlayableItems;
  transactor: Transactor;
  events: EngagementEvents;
  clock: Clock;
  limiter: RateLimiter;
  config: { editMinutes: number; hideAfterReports: number };
  /** Read on every comment: the settings' snapshot, so a change applies without a restart. */
  blockedWords: () => readonly string[];
}

/**
 * Comments on titles: only on titles the profile may see (published, its maturity, its region),
 * one level of replies, edits within a window, soft delete; reports hide a comment after N
 * accounts (moderators: `CommentModerationService`). A comment belongs to the profile that
 * posted it (another profile of the account may not edit or delete it); kids profiles read the
 * comments of the titles they may see but do not post. A comment is stored and returned as the
 * text it was sent as.
 */
export class CommentsService {
  readonly #deps: CommentsServiceDeps;

  constructor(deps: CommentsServiceDeps) {
    this.#deps = deps;
  }

  async #visibleTitle(member: Member, titleId: string): Promise<void> {
    if (!(await this.#deps.items.visibleTitles([titleId], member.viewer)).has(titleId)) throw TitleNotFound();
  }

  /** A comment this member may see (its title visible, not removed or hidden), or 404. */
  async #visibleComment(member: Member, id: string): Promise<CommentRow> {
    const row = await this.#deps.repository.find(id);
    if (!row || row.removedAt || (row.hiddenAt && !isAuthor(member, row))) throw CommentNotFound();
    if (!(await this.#deps.items.visibleTitles([row.titleId], member.viewer)).has(row.titleId)) {
      throw CommentNotFound();
    }
    return row;
  }

  #view(member: Member, row: CommentRow): CommentView {
    return {
      id: row.id,
      titleId: row.titleId,
      parentId: row.parentId,
      authorName: row.authorName,
      body: row.deletedAt ? null : row.body,
      replyCount: row.replyCount,
      createdAt: row.createdAt,
      editedAt: row.editedAt,
      mine: isAuthor(member, row),
    };
  }

  #page(member: Member, page: Page<CommentRow>): Page<CommentView> {
    return { items: page.items.map((row) => this.#view(member, row)), nextCursor: page.nextCursor };
  }

  async list(
    member: Member,
    titleId: string,
    query: { sort: 'newest' | 'top'; cursor?: string | undefined; limit: number },
  ): Promise<Page<CommentView>> {
    await this.#visibleTitle(member, titleId);
    const page = { cursor: query.cursor, limit: query.limit };
    const rows =
      query.sort === 'top'
        ? await this.#deps.repository.top(titleId, page)
        : await this.#deps.repository.newest(titleId, page);
    return this.#page(member, rows);
  }

  async replies(
    member: Member,
    commentId: string,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<CommentView>> {
    await this.#visibleComment(member, commentId);
    return this.#page(
      member,
      await this.#deps.repository.replies(commentId, { cursor: query.cursor, limit: query.limit }),
    );
  }

  async post(
    member: Member & { authorName: string },
    titleId: string,
    input: { body: string; parentId?: string | undefined },
  ): Promise<CommentView> {
    await this.#visibleTitle(member, titleId);
    if (member.isKids) throw CommentKidsProfile();
    if (await this.#deps.repository.isBanned(member.userId)) throw CommentBanned();
    this.#filter(input.body);
    let parentId: string | null = null;
    if (input.parentId) {
      const parent = await this.#visibleComment(member, input.parentId);
      if (parent.titleId !== titleId) throw CommentNotFound('The comment replied to is not on this title');
      if (parent.parentId) throw CommentNested();
      if (parent.deletedAt) throw CommentNotFound('The comment replied to was deleted');
      parentId = parent.id;
    }
    const decision = await this.#deps.limiter.consume(member.userId);
    if (!decision.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw CommentRateLimited(`Too many comments; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    const at = this.#deps.clock.now();
    const row = await this.#deps.transactor.run((trx) =>
      this.#deps.repository.insert(
        {
          titleId,
          userId: member.userId,
          profileKey: member.profileKey,
          authorName: member.authorName,
          parentId,
          body: input.body,
          at,
        },
        trx,
      ),
    );
    await this.#deps.events.publish({
      type: 'CommentPosted',
      userId: member.userId,
      profileKey: member.profileKey,
      at: at.toISOString(),
      commentId: row.id,
      titleId,
      parentId,
    });
    return this.#view(member, row);
  }

  async edit(member: Member, id: string, body: string): Promise<CommentView> {
    const row = await this.#visibleComment(member, id);
    if (!isAuthor(member, row) || row.deletedAt) throw CommentNotFound();
    this.#filter(body);
    const now = this.#deps.clock.now();
    const edited = await this.#deps.repository.editOwn({
      id,
      userId: member.userId,
      profileKey: member.profileKey,
      body,
      at: now,
      postedSince: new Date(now.getTime() - this.#deps.config.editMinutes * 60_000),
    });
    if (!edited) {
      throw CommentEditClosed(
        `Comments can be edited for ${this.#deps.config.editMinutes} minutes after posting`,
      );
    }
    return this.#view(member, edited);
  }

  async delete(member: Member, id: string): Promise<void> {
    const deleted = await this.#deps.repository.deleteOwn({
      id,
      userId: member.userId,
      profileKey: member.profileKey,
      at: this.#deps.clock.now(),
    });
    if (!deleted) throw CommentNotFound();
  }

  /** Reports a comment (once per account); enough reports hide it until a moderator looks. */
  async report(member: Member, id: string, reason: ReportReason): Promise<void> {
    const row = await this.#visibleComment(member, id);
    if (row.userId === member.userId) return;
    const at = this.#deps.clock.now();
    const result = await this.#deps.transactor.run((trx) =>
      this.#deps.repository.report(
        { id, userId: member.userId, reason, at, hideAfter: this.#deps.config.hideAfterReports },
        trx,
      ),
    );
    if (result?.hidden && !row.hiddenAt) {
      await this.#deps.events.publish({
        type: 'CommentHidden',
        userId: row.userId,
        profileKey: row.profileKey,
        at: at.toISOString(),
        commentId: id,
        titleId: row.titleId,
        reason: 'reports',
      });
    }
  }

  #filter(body: string): void {
    const word = blockedWordIn(body, this.#deps.blockedWords());
    if (word) throw CommentBlockedWord(`The word “${word}” is not allowed in comments`);
  }
}

/** The comment's author: the account and the profile that posted it. */
const isAuthor = (member: Member, row: CommentRow): boolean =>
  row.userId === member.userId && row.profileKey === member.profileKey;
