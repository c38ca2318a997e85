import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import { decodeCursor, encodeCursor, type Page } from '../../shared/pagination.ts';
import { TitleNotFound, type PlayableItems, type TitleRatings, type VisibleTitle } from '../catalog/index.ts';
import {
  ListFull,
  ListOrderMismatch,
  NotInHistory,
  NotInList,
  ProfileRequired,
} from './engagement.errors.ts';
import type { EngagementEvents } from './engagement.events.ts';
import type { Member } from './member.ts';
import type { MyListRepository } from './my-list.repository.ts';
import type { ProgressRecorder } from './progress.service.ts';
import type { Reaction, ReactionsRepository } from './reactions.repository.ts';
import type { WatchProgressRepository } from './watch-progress.repository.ts';

export const MY_LIST_MAX = 500;
const CONTINUE_WATCHING_MAX = 40;
const historyCursor = z.object({ at: z.iso.datetime({ offset: true }), itemId: z.uuid() });

export interface EngagementServiceDeps {
  reactions: ReactionsRepository;
  myList: MyListRepository;
  progress: WatchProgressRepository;
  recorder: ProgressRecorder;
  ratings: TitleRatings;
  items: PlayableItems;
  events: EngagementEvents;
  transactor: Transactor;
  clock: Clock;
}

/**
 * A profile's engagement with titles: thumbs, star ratings (the catalog keeps the aggregates
 * exact with them), My List, history and continue watching. Every read and write is scoped to
 * the member's account and profile; titles the profile may not see answer as missing.
 */
export class EngagementService {
  readonly #deps: EngagementServiceDeps;

  constructor(deps: EngagementServiceDeps) {
    this.#deps = deps;
  }

  async #visible(member: Member, titleId: string): Promise<VisibleTitle> {
    const title = (await this.#deps.items.visibleTitles([titleId], member.viewer)).get(titleId);
    if (!title) throw TitleNotFound();
    return title;
  }

  #who(member: Member) {
    return { userId: member.userId, profileKey: member.profileKey, at: this.#deps.clock.now().toISOString() };
  }

  async react(member: Member, titleId: string, reaction: Reaction) {
    await this.#visible(member, titleId);
    const changed = await this.#deps.reactions.set({
      ...member,
      titleId,
      reaction,
      at: this.#deps.clock.now(),
    });
    if (changed)
      await this.#deps.events.publish({ type: 'TitleReacted', ...this.#who(member), titleId, reaction });
    return { titleId, reaction };
  }

  async unreact(member: Member, titleId: string): Promise<void> {
    await this.#visible(member, titleId);
    if (await this.#deps.reactions.remove(member, titleId)) {
      await this.#deps.events.publish({
        type: 'TitleReacted',
        ...this.#who(member),
        titleId,
        reaction: null,
      });
    }
  }

  /** The member's thumb and stars for a title. */
  async opinion(member: Member, titleId: string) {
    await this.#visible(member, titleId);
    return {
      titleId,
      reaction: await this.#deps.reactions.find(member, titleId),
      stars: member.profileId ? await this.#deps.ratings.find(member.profileId, titleId) : null,
    };
  }

  async rate(member: Member, titleId: string, stars: number) {
    const profileId = this.#profileOf(member);
    await this.#visible(member, titleId);
    const { previous, aggregates } = await this.#deps.ratings.rate({ profileId, titleId, stars });
    await this.#publishRated(member, titleId, stars, previous, aggregates);
    return { titleId, stars, ...aggregatesOut(aggregates) };
  }

  async unrate(member: Member, titleId: string) {
    const profileId = this.#profileOf(member);
    await this.#visible(member, titleId);
    const { previous, aggregates } = await this.#deps.ratings.unrate({ profileId, titleId });
    if (previous !== null) await this.#publishRated(member, titleId, null, previous, aggregates);
  }

  #profileOf(member: Member): string {
    if (!member.profileId) throw ProfileRequired();
    return member.profileId;
  }

  async #publishRated(
    member: Member,
    titleId: string,
    stars: number | null,
    previous: number | null,
    aggregates: { count: number; average: number | null; score: number | null },
  ) {
    await this.#deps.events.publish({
      type: 'TitleRated',
      ...this.#who(member),
      titleId,
      stars,
      previous,
      ratingCount: aggregates.count,
      ratingAverage: aggregates.average,
      ratingScore: aggregates.score,
    });
  }

  /** My List in the member's order; titles it may no longer see are left out (and kept). */
  async list(member: Member) {
    const rows = await this.#deps.myList.list(member);
    const visible = await this.#deps.items.visibleTitles(
      rows.map((row) => row.titleId),
      member.viewer,
    );
    return {
      items: rows.flatMap((row) => {
        const title = visible.get(row.titleId);
        return title ? [{ titleId: title.id, kind: title.kind, name: title.name, addedAt: row.addedAt }] : [];
      }),
    };
  }

  async addToList(member: Member, titleId: string): Promise<void> {
    await this.#visible(member, titleId);
    const added = await this.#deps.transactor.run(async (trx) => {
      await this.#deps.myList.lock(member, trx);
      if ((await this.#deps.myList.count(member, trx)) >= MY_LIST_MAX) {
        throw ListFull(`My List holds at most ${MY_LIST_MAX} titles`);
      }
      return this.#deps.myList.add({ ...member, titleId, at: this.#deps.clock.now() }, trx);
    });
    if (added)
      await this.#deps.events.publish({
        type: 'ListChanged',
        ...this.#who(member),
        change: 'added',
        titleId,
      });
  }

  async removeFromList(member: Member, titleId: string): Promise<void> {
    if (!(await this.#deps.myList.remove(member, titleId))) throw NotInList();
    await this.#deps.events.publish({
      type: 'ListChanged',
      ...this.#who(member),
      change: 'removed',
      titleId,
    });
  }

  /**
   * Puts the named titles first, in that order; titles not named (hidden ones the client can't
   * see) follow in their current order. Every named title must be in the list, once.
   */
  async reorderList(member: Member, titleIds: readonly string[]): Promise<void> {
    await this.#deps.transactor.run(async (trx) => {
      await this.#deps.myList.lock(member, trx);
      const current = (await this.#deps.myList.list(member, trx)).map((row) => row.titleId);
      const inList = new Set(current);
      const named = new Set(titleIds);
      if (named.size !== titleIds.length || titleIds.some((id) => !inList.has(id))) {
        throw ListOrderMismatch('Name titles of My List, each once');
      }
      await this.#deps.myList.reorder(member, [...titleIds, ...current.filter((id) => !named.has(id))], trx);
    });
    await this.#deps.events.publish({
      type: 'ListChanged',
      ...this.#who(member),
      change: 'reordered',
      titleId: null,
    });
  }

  /** In-progress items, most recent first, one per title; the next episode after a finished one. */
  async continueWatching(member: Member) {
    const rows = await this.#deps.progress.continueWatching(member, CONTINUE_WATCHING_MAX);
    const items = [];
    for (const row of rows) {
      const item = await this.#deps.recorder.item(row.itemId);
      if (!item || this.#deps.items.whyHidden(item, member.viewer)) continue;
      items.push({
        itemId: item.id,
        titleId: item.titleId,
        kind: item.kind,
        name: item.name,
        positionSeconds: row.positionSeconds,
        durationSeconds: row.durationSeconds,
        updatedAt: row.updatedAt,
      });
    }
    return { items };
  }

  async history(
    member: Member,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Page<HistoryItem>> {
    const after = decodeCursor(page.cursor, historyCursor);
    const rows = await this.#deps.progress.history(member, {
      ...(after && { after: { at: new Date(after.at), itemId: after.itemId } }),
      limit: page.limit + 1,
    });
    const items: HistoryItem[] = [];
    for (const row of rows.slice(0, page.limit)) {
      const item = await this.#deps.recorder.item(row.itemId);
      items.push({
        itemId: row.itemId,
        titleId: item?.titleId ?? row.titleId ?? row.itemId,
        name: item && !this.#deps.items.whyHidden(item, member.viewer) ? item.name : null,
        positionSeconds: row.positionSeconds,
        durationSeconds: row.durationSeconds,
        finished: row.finished,
        watchedAt: row.updatedAt,
      });
    }
    const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
    return {
      items,
      nextCursor: last ? encodeCursor({ at: last.updatedAt.toISOString(), itemId: last.itemId }) : null,
    };
  }

  async forget(member: Member, itemId: string): Promise<void> {
    this.#deps.recorder.discard(member, itemId);
    if (!(await this.#deps.progress.remove(member, itemId))) throw NotInHistory();
  }

  async forgetAll(member: Member): Promise<void> {
    this.#deps.recorder.discard(member);
    await this.#deps.progress.removeAll(member);
  }
}

export interface HistoryItem {
  itemId: string;
  titleId: string;
  /** null when the profile may no longer see the item. */
  name: string | null;
  positionSeconds: number;
  durationSeconds: number | null;
  finished: boolean;
  watchedAt: Date;
}

const aggregatesOut = (aggregates: { count: number; average: number | null; score: number | null }) => ({
  ratingCount: aggregates.count,
  ratingAverage: aggregates.average,
  ratingScore: aggregates.score,
});
