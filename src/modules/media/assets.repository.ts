import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';
import { z } from 'zod';
import type { TranscodeResult } from './transcode.ts';

/** The SQL of the media pipeline: video assets, the item → asset pointer, renditions, wrapped keys. */

export type AssetRow = Selectable<DB['videoAssets']>;
export type AssetStatus = 'queued' | 'processing' | 'ready' | 'failed' | 'cancelled' | 'retiring' | 'retired';

/** Subtitle files uploaded with a source, as stored in video_assets.subtitles. */
export const subtitleSourcesSchema = z.array(
  z.object({ storageKey: z.string(), language: z.string(), label: z.string() }),
);
export type SubtitleSource = z.infer<typeof subtitleSourcesSchema>[number];

export interface AssetQuery {
  limit: number;
  cursor?: string | undefined;
  status?: AssetStatus | undefined;
  itemId?: string | undefined;
}

const cursorShape = z.object({ createdAt: z.string(), id: z.uuid() });

export class AssetsRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  insert(values: Insertable<DB['videoAssets']>, executor: Kysely<DB> = this.#db): Promise<AssetRow> {
    return executor.insertInto('videoAssets').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async setJob(id: string, jobId: string | null, executor: Kysely<DB> = this.#db): Promise<void> {
    await executor.updateTable('videoAssets').set({ jobId }).where('id', '=', id).execute();
  }

  /** The asset an item's source object was registered as, if it was (a retried registration). */
  findBySource(
    itemId: string,
    sourceKey: string,
    executor: Kysely<DB> = this.#db,
  ): Promise<AssetRow | undefined> {
    return executor
      .selectFrom('videoAssets')
      .selectAll()
      .where('itemId', '=', itemId)
      .where('sourceKey', '=', sourceKey)
      .executeTakeFirst();
  }

  find(id: string, executor: Kysely<DB> = this.#db): Promise<AssetRow | undefined> {
    return executor.selectFrom('videoAssets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(query: AssetQuery): Promise<Page<AssetRow>> {
    const after = decodeCursor(query.cursor, cursorShape);
    let select = this.#db
      .selectFrom('videoAssets')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.status) select = select.where('status', '=', query.status);
    if (query.itemId) select = select.where('itemId', '=', query.itemId);
    if (after) {
      select = select.where((eb) =>
        eb.or([
          eb('createdAt', '<', new Date(after.createdAt)),
          eb.and([eb('createdAt', '=', new Date(after.createdAt)), eb('id', '<', after.id)]),
        ]),
      );
    }
    return toPage(await select.execute(), query.limit, {
      key: (row) => ({ createdAt: row.createdAt.toISOString(), id: row.id }),
      map: (row) => row,
    });
  }

  /**
   * Moves an asset between states; only from one of `from`, and with `owner` only while that
   * runner holds the claim. Returns whether it moved.
   */
  async transition(options: {
    id: string;
    from: readonly AssetStatus[];
    set: Omit<Updateable<DB['videoAssets']>, 'id' | 'createdAt'>;
    owner?: string;
    executor?: Kysely<DB>;
  }): Promise<boolean> {
    let update = (options.executor ?? this.#db)
      .updateTable('videoAssets')
      .set({ ...options.set, updatedAt: this.#clock.now() })
      .where('id', '=', options.id)
      .where('status', 'in', [...options.from]);
    if (options.owner !== undefined) update = update.where('claimedBy', '=', options.owner);
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Claims an asset for one transcode, atomically: a queued asset, or one whose runner stopped
   * renewing its lease (a killed worker). One UPDATE decides, so of two runners exactly one gets
   * the row back; the other gets undefined and backs off. The row keeps the previous attempt's
   * package prefix, for the new runner to clean up.
   */
  claim(options: {
    id: string;
    owner: string;
    jobId: string;
    leaseSeconds: number;
  }): Promise<AssetRow | undefined> {
    const now = this.#clock.now();
    return this.#db
      .updateTable('videoAssets')
      .set((eb) => ({
        status: 'processing',
        progress: 0,
        attempts: eb('attempts', '+', 1),
        jobId: options.jobId,
        claimedBy: options.owner,
        claimExpiresAt: new Date(now.getTime() + options.leaseSeconds * 1000),
        startedAt: now,
        updatedAt: now,
        failureCode: null,
        failureReason: null,
      }))
      .where('id', '=', options.id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'queued'),
          eb.and([
            eb('status', '=', 'processing'),
            eb.or([eb('claimExpiresAt', 'is', null), eb('claimExpiresAt', '<', now)]),
          ]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends a held claim; false when the runner no longer holds it (cancelled, or taken over). */
  async renewClaim(options: { id: string; owner: string; leaseSeconds: number }): Promise<boolean> {
    const now = this.#clock.now();
    const result = await this.#db
      .updateTable('videoAssets')
      .set({ claimExpiresAt: new Date(now.getTime() + options.leaseSeconds * 1000) })
      .where('id', '=', options.id)
      .where('status', '=', 'processing')
      .where('claimedBy', '=', options.owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** An asset's video renditions, smallest first, with their measured quality. */
  videoRenditions(assetId: string): Promise<Array<Selectable<DB['videoRenditions']>>> {
    return this.#db
      .selectFrom('videoRenditions')
      .selectAll()
      .where('assetId', '=', assetId)
      .where('kind', '=', 'video')
      .orderBy('height')
      .orderBy('name')
      .execute();
  }

  /** The asset an item plays now, if it has one. */
  async current(itemId: string): Promise<AssetRow | undefined> {
    return this.#db
      .selectFrom('itemVideos')
      .innerJoin('videoAssets', 'videoAssets.id', 'itemVideos.assetId')
      .selectAll('videoAssets')
      .where('itemVideos.itemId', '=', itemId)
      .executeTakeFirst();
  }

  /**
   * Records a finished package and points the item at it, in the caller's transaction (with the
   * keys, MediaKeys.store): renditions, the asset's state and the pointer commit together or not
   * at all. Only while `owner` holds the claim; returns whether it did.
   */
  async recordPackage(
    trx: Kysely<DB>,
    options: { asset: AssetRow; result: TranscodeResult; prefix: string; owner: string },
  ): Promise<boolean> {
    const { asset, result, prefix, owner } = options;
    const { manifest, probe } = result;
    const now = this.#clock.now();
    const held = await trx
      .selectFrom('videoAssets')
      .select('id')
      .where('id', '=', asset.id)
      .where('status', '=', 'processing')
      .where('claimedBy', '=', owner)
      .forUpdate()
      .executeTakeFirst();
    if (!held) return false;
    await trx.deleteFrom('videoRenditions').where('assetId', '=', asset.id).execute();
    const renditions = [
      ...manifest.renditions.map((rendition) => ({
        assetId: asset.id,
        name: rendition.name,
        kind: 'video',
        tier: rendition.tier,
        width: rendition.width,
        height: rendition.height,
        bandwidth: rendition.bandwidth,
        averageBandwidth: rendition.averageBandwidth,
        codecs: rendition.codecs,
        frameRate: rendition.frameRate,
        playlist: rendition.playlist,
        durationSeconds: rendition.durationSeconds,
        ssim: rendition.quality?.ssim ?? null,
        psnr: rendition.quality?.psnr ?? null,
        qualityFrames: rendition.quality?.frames ?? null,
      })),
      ...manifest.audioTracks.map((track) => ({
        assetId: asset.id,
        name: track.name,
        kind: 'audio',
        tier: 'SD',
        bandwidth: track.bandwidth,
        averageBandwidth: track.averageBandwidth,
        language: track.language,
        label: track.label,
        isDefault: track.isDefault,
        playlist: track.playlist,
        durationSeconds: track.durationSeconds,
      })),
      ...manifest.subtitleTracks.map((track) => ({
        assetId: asset.id,
        name: track.name,
        kind: 'subtitles',
        language: track.language,
        label: track.label,
        isDefault: track.isDefault,
        playlist: track.playlist,
      })),
    ];
    if (renditions.length > 0) await trx.insertInto('videoRenditions').values(renditions).execute();
    const tallest = manifest.renditions.reduce((best, r) => (r.height > best.height ? r : best));
    // The manifest without its keys: those live wrapped in content_keys only.
    const { keys: _keys, ...publicManifest } = manifest;
    await trx
      .updateTable('videoAssets')
      .set({
        status: 'ready',
        progress: 100,
        packagePrefix: prefix,
        manifest: JSON.stringify(publicManifest),
        durationSeconds: probe.durationSeconds,
        width: tallest.width,
        height: tallest.height,
        failureCode: null,
        failureReason: null,
        claimedBy: null,
        claimExpiresAt: null,
        finishedAt: now,
        updatedAt: now,
      })
      .where('id', '=', asset.id)
      .execute();
    // The package the item played until now is superseded from this moment (package retention).
    await trx
      .updateTable('videoAssets')
      .set({ supersededAt: now, updatedAt: now })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('itemVideos')
          .select('itemVideos.assetId')
          .where('itemVideos.itemId', '=', asset.itemId),
      )
      .where('id', '!=', asset.id)
      .execute();
    await trx
      .insertInto('itemVideos')
      .values({ itemId: asset.itemId, assetId: asset.id })
      .onConflict((oc) => oc.column('itemId').doUpdateSet({ assetId: asset.id, updatedAt: now }))
      .execute();
    return true;
  }

  /**
   * Packages replaced before `cutoff` that still have files (ready, or retiring after an
   * interrupted deletion), oldest first; never an item's current package.
   */
  superseded(options: { before: Date; limit: number }): Promise<AssetRow[]> {
    return this.#db
      .selectFrom('videoAssets')
      .selectAll()
      .where('status', 'in', ['ready', 'retiring'])
      .where('supersededAt', '<=', options.before)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('itemVideos')
              .select('itemVideos.assetId')
              .whereRef('itemVideos.assetId', '=', 'videoAssets.id'),
          ),
        ),
      )
      .orderBy('supersededAt')
      .limit(options.limit)
      .execute();
  }

  /**
   * ready → retiring, in the caller's transaction (its keys go in the same one), unless the item
   * was pointed back at it meanwhile; true when the asset is (now) retiring.
   */
  async markRetiring(id: string, executor: Kysely<DB>): Promise<boolean> {
    const row = await executor
      .updateTable('videoAssets')
      .set({ status: 'retiring', updatedAt: this.#clock.now() })
      .where('id', '=', id)
      .where('status', 'in', ['ready', 'retiring'])
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('itemVideos').select('itemVideos.assetId').where('itemVideos.assetId', '=', id),
          ),
        ),
      )
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** retiring → retired, once its files are gone. */
  async markRetired(id: string): Promise<void> {
    const now = this.#clock.now();
    await this.#db
      .updateTable('videoAssets')
      .set({ status: 'retired', retiredAt: now, updatedAt: now })
      .where('id', '=', id)
      .where('status', '=', 'retiring')
      .execute();
  }
}
