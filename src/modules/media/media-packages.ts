import type { AssetRow, AssetsRepository } from './assets.repository.ts';
import { parsePackageManifest, type PackageManifest } from './package-manifest.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

/** A finished, encrypted package: where it lives in storage and what it holds. */
export interface MediaPackage {
  assetId: string;
  itemId: string;
  /** Storage prefix of the package's files, ending in '/'. */
  prefix: string;
  manifest: PackageManifest;
  durationSeconds: number | null;
}

/**
 * Media's answer to "what plays for this item" and "what is in this package", parsed and typed,
 * for playback and downloads; the tables behind it stay media's.
 */
export class MediaPackages {
  readonly #assets: AssetsRepository;
  /**
   * A ready package never changes (a new transcode writes a new asset), so it is cached by id —
   * for a while: a superseded one is deleted by retention once nothing plays it.
   */
  readonly #cache = new SweptLRUCache<string, MediaPackage>({ max: 10_000, ttl: 10 * 60_000 });

  constructor(options: { assets: AssetsRepository }) {
    this.#assets = options.assets;
  }

  /** The package an item plays now, if it has one. */
  async currentOf(itemId: string): Promise<MediaPackage | undefined> {
    const asset = await this.#assets.current(itemId);
    return asset && this.#packageOf(asset);
  }

  /** A ready package by asset id (a stream keeps playing the package it started on). */
  async byAsset(assetId: string): Promise<MediaPackage | undefined> {
    const hit = this.#cache.get(assetId);
    if (hit) return hit;
    const asset = await this.#assets.find(assetId);
    return asset && this.#packageOf(asset);
  }

  #packageOf(asset: AssetRow): MediaPackage | undefined {
    const hit = this.#cache.get(asset.id);
    if (hit) return hit;
    if (asset.status !== 'ready' || !asset.packagePrefix || !asset.manifest) return undefined;
    const found: MediaPackage = {
      assetId: asset.id,
      itemId: asset.itemId,
      prefix: asset.packagePrefix,
      manifest: parsePackageManifest(asset.manifest, asset.id),
      durationSeconds: asset.durationSeconds,
    };
    this.#cache.set(asset.id, found);
    return found;
  }
}
