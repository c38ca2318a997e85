import type { Cache } from '../../platform/cache/cache.port.ts';
import type { RecommendationsRepository } from './recommendations.repository.ts';
import type { SubjectRows } from './rows.ts';
import type { ServingVersions } from './serving-versions.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

export const POPULAR_SUBJECT = '@popular';
export const TRENDING_SUBJECT = '@trending';
/** The shared trending rows of one region (ISO 3166 alpha-2). */
export const trendingSubject = (country: string) => `${TRENDING_SUBJECT}:${country}`;

const ROWS_CACHE_MS = 60_000;
/** Parsed rows kept in this process: every active profile's, and the shared ones (popular, trending per region). */
const PARSED_ENTRIES = 5_000;

/**
 * Stored rows as serving reads them: from this process's memory, else the shared cache, else the
 * database. Every key carries the stamps the rows were read under (the account's and the global
 * version, `ServingVersions`), so an entry is never stale — a change moves the stamp and the next
 * read asks for a key nobody has stored yet. A read that raced a change stores what it read under
 * the old stamp, where nobody looks again (as the subscription status cache does).
 *
 * Parsing once per stamp matters with Redis: it hands back a freshly parsed copy on every read,
 * so reading a profile's, the popular and the trending rows per request cost a millisecond.
 */
export class StoredRows {
  readonly #repository: RecommendationsRepository;
  readonly #cache: Cache;
  readonly #versions: ServingVersions;
  /** `null` remembers that a subject has no stored rows (a brand-new profile). */
  readonly #parsed = new SweptLRUCache<string, { rows: SubjectRows | null }>({
    max: PARSED_ENTRIES,
    ttl: ROWS_CACHE_MS,
  });
  /** Each stored rows' refused and finished titles, as a set built once. */
  readonly #excludedSets = new WeakMap<SubjectRows, ReadonlySet<string>>();

  constructor(options: { repository: RecommendationsRepository; cache: Cache; versions: ServingVersions }) {
    this.#repository = options.repository;
    this.#cache = options.cache;
    this.#versions = options.versions;
  }

  /** A profile's (or an account's) own rows under the given stamps. */
  own(subject: string, stamps: { account: number; global: number }): Promise<SubjectRows | undefined> {
    return this.#read(subject, `${stamps.account}.${stamps.global}`);
  }

  /** The shared popular rows: what a profile without history sees, and the popular row of all. */
  popular(global: number): Promise<SubjectRows | undefined> {
    return this.#read(POPULAR_SUBJECT, String(global));
  }

  /** The viewer's region's trending rows, else those from everywhere. */
  async trending(country: string | null, global: number): Promise<SubjectRows | undefined> {
    const regional = country ? await this.#read(trendingSubject(country), String(global)) : undefined;
    return regional ?? this.#read(TRENDING_SUBJECT, String(global));
  }

  /** A profile's own rows at the stamps of now (for what is not memoised: "more like this"). */
  async ownNow(subject: string, userId: string): Promise<SubjectRows | undefined> {
    const [account, global] = await Promise.all([this.#versions.account(userId), this.#versions.global()]);
    return this.own(subject, { account, global });
  }

  excludedSet(rows: SubjectRows | undefined): ReadonlySet<string> {
    if (!rows) return new Set();
    let set = this.#excludedSets.get(rows);
    if (!set) this.#excludedSets.set(rows, (set = new Set(rows.excluded)));
    return set;
  }

  async #read(subject: string, stamp: string): Promise<SubjectRows | undefined> {
    const key = `recs:rows:${subject}:${stamp}`;
    const local = this.#parsed.get(key);
    if (local) return local.rows ?? undefined;
    let rows = await this.#cache.get<SubjectRows | null>(key);
    if (rows === undefined) {
      rows = (await this.#repository.findRows(subject)) ?? null;
      await this.#cache.set(key, rows, ROWS_CACHE_MS);
    }
    this.#parsed.set(key, { rows });
    return rows ?? undefined;
  }
}
