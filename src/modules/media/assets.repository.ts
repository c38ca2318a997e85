import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';
import { z } from 'zod';
import { wrapKey } from './key-wrap.ts';
import type { TranscodeResult } from './transcode.ts';

/** The SQL of the media pipeline: video assets, the item → asset pointer, renditions, wrapped keys. */

export type AssetRow = Selectable<DB['videoAssets']>;
export type AssetStatus = 'queued' | 'processing' | 'ready' | 'failed' | 'cancelled';

export interface SubtitleSource {
  storageKey: string;
  language: string;
  label: string;
}

export interface AssetQuery {
  limit: number;
  cursor?: string | undefined;
  status?: AssetStatus | undefined;
  itemId?: string | undefined;
}

const cursorShape = z.object({ createdAt: z.string(), id: z.uuid() });

export class AssetsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
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

  /** Moves an asset between states; only from one of `from`. Returns whether it moved. */
  async transition(options: {
    id: string;
    from: readonly AssetStatus[];
    set: Omit<Updateable<DB['videoAssets']>, 'id' | 'createdAt'>;
    executor?: Kysely<DB>;
  }): Promise<boolean> {
    const result = await (options.executor ?? this.#db)
      .updateTable('videoAssets')
      .set({ ...options.set, updatedAt: new Date() })
      .where('id', '=', options.id)
      .where('status', 'in', [...options.from])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
   * Records a finished package and points the item at it, in the caller's transaction: renditions,
   * wrapped keys, the asset's state and the pointer commit together or not at all.
   */
  async recordPackage(
    trx: Kysely<DB>,
    options: { asset: AssetRow; result: TranscodeResult; prefix: string; masterKey: Buffer },
  ): Promise<void> {
    const { asset, result, prefix, masterKey } = options;
    const { manifest, probe } = result;
    await trx.deleteFrom('videoRenditions').where('assetId', '=', asset.id).execute();
    await trx.deleteFrom('contentKeys').where('assetId', '=', asset.id).execute();
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
    if (manifest.keys.length > 0) {
      await trx
        .insertInto('contentKeys')
        .values(
          manifest.keys.map((key) => ({
            id: key.keyId,
            assetId: asset.id,
            tier: key.tier,
            wrappedKey: wrapKey({ masterKey, contentKey: key.key, keyId: key.keyId }),
            iv: key.iv,
            firstSegment: key.firstSegment,
            renditions: key.renditions,
          })),
        )
        .execute();
    }
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
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where('id', '=', asset.id)
      .execute();
    await trx
      .insertInto('itemVideos')
      .values({ itemId: asset.itemId, assetId: asset.id })
      .onConflict((oc) => oc.column('itemId').doUpdateSet({ assetId: asset.id, updatedAt: new Date() }))
      .execute();
  }
}
