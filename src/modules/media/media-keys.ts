import type { Executor } from '../../platform/db/transactor.ts';
import type { ContentKey } from './content-keys.ts';
import type { ContentKeysRepository, ContentKeyRow } from './content-keys.repository.ts';
import { unwrapKey, wrapKey } from './key-wrap.ts';
import type { QualityTier } from './ladder.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

/** A content key as handed out: unwrapped, with what decides who may have it. */
export interface DeliveredKey {
  keyId: string;
  /** What the key encrypts: a package's asset, or a live event's segments (exactly one is set). */
  assetId: string | null;
  liveEventId: string | null;
  tier: QualityTier;
  /** AES-128 key, 16 bytes. */
  key: Buffer;
  /** The IV the playlists name for the segments it encrypts. */
  iv: Buffer;
  firstSegment: number;
  renditions: string[];
}

/**
 * Media's content keys, the only place the master key is used: keys are wrapped when a package is
 * recorded and unwrapped here when the key server or an offline licence needs one. Other modules
 * get keys from this service and never see the master key or the content_keys table.
 */
export class MediaKeys {
  readonly #repository: ContentKeysRepository;
  readonly #masterKey: Buffer;
  /** Unwrapped keys by id: the key server's hot path must not touch the database. */
  readonly #cache = new SweptLRUCache<string, DeliveredKey>({ max: 20_000, ttl: 10 * 60_000 });

  constructor(options: { repository: ContentKeysRepository; masterKey: Buffer }) {
    this.#repository = options.repository;
    this.#masterKey = options.masterKey;
  }

  /** A package's new keys, wrapped and stored in the caller's transaction (replacing any earlier). */
  async store(options: { assetId: string; keys: readonly ContentKey[] }, executor: Executor): Promise<void> {
    await this.#repository.replace(
      options.assetId,
      options.keys.map((key) => ({
        id: key.keyId,
        assetId: options.assetId,
        tier: key.tier,
        wrappedKey: wrapKey({ masterKey: this.#masterKey, contentKey: key.key, keyId: key.keyId }),
        iv: key.iv,
        firstSegment: key.firstSegment,
        renditions: key.renditions,
      })),
      executor,
    );
  }

  /**
   * A live event's next rotating key (the live transcoder makes one every few seconds), wrapped
   * and stored like a package's. One key covers every rung of the ladder (ffmpeg's HLS muxer takes
   * one key per output), so it is filed under the lowest tier; the plan's quality cap holds by the
   * playlists and segment signatures instead (docs/SECURITY.md).
   */
  async storeLiveKey(options: { eventId: string; keyId: string; key: Buffer }): Promise<void> {
    await this.#repository.insert({
      id: options.keyId,
      liveEventId: options.eventId,
      tier: 'SD',
      wrappedKey: wrapKey({ masterKey: this.#masterKey, contentKey: options.key, keyId: options.keyId }),
      // ffmpeg derives each segment's IV from its media sequence number (RFC 8216 §5.2).
      iv: Buffer.alloc(0),
      firstSegment: 0,
      renditions: [],
    });
  }

  /** One key by id, for the HLS key server (which checks the viewer may have its tier); cached. */
  async byId(keyId: string): Promise<DeliveredKey | undefined> {
    const hit = this.#cache.get(keyId);
    if (hit) return hit;
    if (!/^[0-9a-f-]{36}$/.test(keyId)) return undefined;
    const row = await this.#repository.find(keyId);
    if (!row) return undefined;
    const key = this.#unwrap(row);
    this.#cache.set(keyId, key);
    return key;
  }

  /**
   * The keys of an asset that encrypt any of the named renditions (every key of it when none are
   * named), unwrapped: an offline licence wraps them again for one device.
   */
  async ofAsset(options: { assetId: string; renditions?: readonly string[] }): Promise<DeliveredKey[]> {
    const rows = await this.#repository.ofAsset(options);
    return rows.map((row) => this.#unwrap(row));
  }

  #unwrap(row: ContentKeyRow): DeliveredKey {
    return {
      keyId: row.id,
      assetId: row.assetId,
      liveEventId: row.liveEventId,
      tier: row.tier as QualityTier,
      key: unwrapKey({ masterKey: this.#masterKey, wrapped: row.wrappedKey, keyId: row.id }),
      iv: Buffer.from(row.iv),
      firstSegment: row.firstSegment,
      renditions: row.renditions,
    };
  }
}
