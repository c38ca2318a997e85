import type { JsonWebKey } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import type { MediaKeys, PackageManifest } from '../media/index.ts';
import type { DeliveryService } from './delivery.service.ts';
import type { DownloadDeviceRow } from './download-devices.repository.ts';
import type { DownloadDevicesService } from './download-devices.service.ts';
import type { DownloadRow, DownloadsRepository } from './downloads.repository.ts';
import { assertLicenceRenewable } from './licence-renewal.ts';
import {
  issueOfflineLicence,
  type LicenceSigner,
  type OfflineContentKey,
  type OfflineLicence,
} from './offline-licence.ts';
import {
  DownloadLimit,
  DownloadNotFound,
  DownloadPlanRequired,
  PlaybackNotReady,
} from './playback.errors.ts';
import type { Entitlements, Watcher } from './playback.service.ts';
import { mayReceiveKey, type PlanQuality } from './quality.ts';
import {
  chooseRendition,
  renditionOfHeight,
  renditionsFor,
  shortSide,
  type Rendition,
} from './renditions.ts';

export interface DownloadsServiceDeps {
  repository: DownloadsRepository;
  transactor: Transactor;
  entitlements: Entitlements;
  devices: DownloadDevicesService;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  items: PlayableItems;
  delivery: DeliveryService;
  /** Media's content keys, unwrapped there (the master key stays in media). */
  keys: MediaKeys;
  signer: LicenceSigner;
  licenceDays: number;
  playWindowHours: number;
}

export interface DownloadView {
  id: string;
  itemId: string;
  itemName: string | null;
  deviceId: string;
  maxHeight: number;
  status: 'active' | 'expired' | 'returned';
  createdAt: Date;
  licenceExpiresAt: Date;
  renewedAt: Date | null;
  returnedAt: Date | null;
}

/** How long the signed URLs of a download's files work: time enough to fetch a film on a slow line. */
const PACKAGE_URL_TTL_MS = 24 * 3600_000;

/**
 * Offline downloads: the downloads counted against the plan, and their licences. A download is
 * one rendition of one package on one device, for good: its licence renews for that rendition
 * only, so the files a device stored always decrypt. Entitlement is playback's, so a download is
 * refused for exactly the reasons a stream would be.
 */
export class DownloadsService {
  readonly #deps: DownloadsServiceDeps;
  readonly #repository: DownloadsRepository;

  constructor(deps: DownloadsServiceDeps) {
    this.#deps = deps;
    this.#repository = deps.repository;
  }

  /**
   * Registers a download of an item on one of the account's devices: the best rendition that
   * fits the plan (and the device's `maxHeight`, if it asks for less), its audio and subtitles,
   * an offline licence wrapping only the keys of those renditions, and signed URLs to fetch them.
   * Downloading the same rendition of the same package to the same device again refreshes that
   * download (same id and slot, a fresh licence and package); any other rendition is a new
   * download, and the earlier one keeps its own.
   */
  async download(options: {
    watcher: Watcher;
    itemId: string;
    deviceId: string;
    maxHeight?: number | undefined;
    context: RequestContext;
  }) {
    const { watcher, context } = options;
    const { entitlements } = this.#deps;
    const repository = this.#repository;
    const { item, plan, video: current } = await entitlements.entitle(watcher, options.itemId);
    if (!plan.allowsDownloads)
      throw DownloadPlanRequired(`Your ${plan.name} plan does not include downloads`, {
        plans: await this.#deps.entitlements.plansAllowing((candidate) => candidate.maxDownloads > 0),
      });
    const device = await this.#deps.devices.live(watcher.userId, options.deviceId);
    const video = chooseRendition({
      renditions: renditionsFor(current.manifest.renditions),
      planMaxHeight: plan.maxHeight,
      ...(options.maxHeight !== undefined && { requestedMaxHeight: options.maxHeight }),
    });
    const now = this.#deps.clock.now();
    const licenceExpiresAt = this.#licenceExpiry(now);
    const download = await this.#deps.transactor.run(async (trx) => {
      await repository.lockAccount(watcher.userId, trx);
      const values = { assetId: current.assetId, maxHeight: shortSide(video), licenceExpiresAt };
      const again = await repository.activeDownloadOf(
        { deviceId: device.id, itemId: item.id, assetId: current.assetId, maxHeight: values.maxHeight },
        trx,
      );
      if (again) return repository.renewed({ id: again.id, licenceExpiresAt, now }, trx);
      const held = await repository.countActiveDownloads(watcher.userId, trx);
      if (held >= plan.maxDownloads) {
        throw DownloadLimit(
          `Your ${plan.name} plan allows ${plan.maxDownloads} downloads at once: remove one first`,
          { maxDownloads: plan.maxDownloads },
        );
      }
      const row = await repository.insertDownload(
        {
          userId: watcher.userId,
          profileId: watcher.profileId,
          deviceId: device.id,
          itemId: item.id,
          createdAt: now,
          ...values,
        },
        trx,
      );
      await this.#deps.audit.record(trx, context, {
        action: 'download.created',
        targetType: 'download',
        targetId: row.id,
        after: { itemId: item.id, deviceId: device.id, maxHeight: row.maxHeight },
      });
      return row;
    });
    const licence = await this.#licence({ download, device, plan, video, manifest: current.manifest });
    const offlinePackage = await this.#deps.delivery.offlinePackage({
      downloadId: download.id,
      assetId: current.assetId,
      video: video.playlist,
      expiresAt: new Date(now.getTime() + PACKAGE_URL_TTL_MS),
    });
    this.#deps.logger.info(
      {
        downloadId: download.id,
        userId: watcher.userId,
        itemId: item.id,
        deviceId: device.id,
        height: video.height,
      },
      'download registered',
    );
    return {
      download: this.#view(download, item.name),
      licence,
      package: offlinePackage,
    };
  }

  /** The account's downloads, newest first. */
  async list(userId: string): Promise<DownloadView[]> {
    const rows = await this.#repository.downloads(userId);
    const names = new Map<string, string | null>();
    for (const itemId of new Set(rows.map((row) => row.itemId))) {
      names.set(itemId, (await this.#deps.items.find(itemId))?.name ?? null);
    }
    return rows.map((row) => this.#view(row, names.get(row.itemId) ?? null));
  }

  /** Returns a download: its slot is free again and its licence can't be renewed. */
  async returnDownload(options: {
    userId: string;
    downloadId: string;
    context: RequestContext;
  }): Promise<void> {
    const { userId, downloadId, context } = options;
    const repository = this.#repository;
    const now = this.#deps.clock.now();
    await this.#deps.transactor.run(async (trx) => {
      const returned = await repository.returnDownload({ userId, id: downloadId, now }, trx);
      if (!returned) {
        if (await repository.download({ userId, id: downloadId }, trx)) return; // already returned
        throw DownloadNotFound();
      }
      await this.#deps.audit.record(trx, context, {
        action: 'download.returned',
        targetType: 'download',
        targetId: downloadId,
        before: { itemId: returned.itemId, deviceId: returned.deviceId },
      });
    });
    this.#deps.logger.info({ userId, downloadId }, 'download returned');
  }

  /**
   * A fresh licence for a download, for the rendition it holds, when the device still may hold
   * it, it wasn't returned and the account's current plan still has downloads at its quality;
   * the title must also still be watchable (Entitlements.entitle). Otherwise
   * DOWNLOAD_NOT_RENEWABLE with the reason.
   */
  async renew(options: { watcher: Watcher; downloadId: string }) {
    const { watcher } = options;
    const { entitlements } = this.#deps;
    const download = await this.#repository.download({ userId: watcher.userId, id: options.downloadId });
    if (!download) throw DownloadNotFound();
    const device = await this.#deps.devices.find(watcher.userId, download.deviceId);
    const plan = await entitlements.planOf(watcher.userId);
    assertLicenceRenewable({
      deviceRevoked: !device || device.revokedAt !== null,
      downloadReturned: download.returnedAt !== null,
      planAllowsDownloads: plan.allowsDownloads,
      planCoversQuality: download.maxHeight <= plan.maxHeight,
      withinPlanCap:
        download.returnedAt !== null ||
        (await this.#repository.heldBefore({
          userId: watcher.userId,
          id: download.id,
          createdAt: download.createdAt,
        })) < plan.maxDownloads,
    });
    const { item } = await entitlements.entitle(watcher, download.itemId);
    const view = await entitlements.packageOf(download.assetId);
    const video = view && renditionOfHeight(renditionsFor(view.manifest.renditions), download.maxHeight);
    if (!view || !video)
      throw PlaybackNotReady('The downloaded video is no longer available: download it again');
    const now = this.#deps.clock.now();
    const renewed = await this.#repository.renewed({
      id: download.id,
      licenceExpiresAt: this.#licenceExpiry(now),
      now,
    });
    const licence = await this.#licence({
      download: renewed,
      device: device!,
      plan,
      video,
      manifest: view.manifest,
    });
    this.#deps.logger.info({ downloadId: download.id, userId: watcher.userId }, 'download licence renewed');
    return { download: this.#view(renewed, item.name), licence };
  }

  #licenceExpiry(now: Date): Date {
    return new Date(now.getTime() + this.#deps.licenceDays * 86_400_000);
  }

  /** The licence: the keys of the video rendition and the audio, never a tier above the plan. */
  async #licence(options: {
    download: DownloadRow;
    device: DownloadDeviceRow;
    plan: PlanQuality;
    video: Rendition;
    manifest: PackageManifest;
  }): Promise<OfflineLicence> {
    const { download, device, plan, video, manifest } = options;
    const keys = await this.#deps.keys.ofAsset({
      assetId: download.assetId,
      renditions: [video.name, ...manifest.audioTracks.map((track) => track.name)],
    });
    // A package deleted by retention (its licence had lapsed) has no keys left: fetch it anew.
    if (keys.length === 0)
      throw PlaybackNotReady('The downloaded video is no longer available: download it again');
    const contentKeys: OfflineContentKey[] = keys
      .filter((key) => mayReceiveKey({ keyTier: key.tier, maxHeight: plan.maxHeight }))
      .map(({ keyId, key, iv }) => ({ keyId, key, iv }));
    return issueOfflineLicence({
      devicePublicKey: JSON.parse(device.publicKey) as JsonWebKey,
      contentKeys,
      claims: {
        downloadId: download.id,
        userId: download.userId,
        deviceId: device.id,
        itemId: download.itemId,
        assetId: download.assetId,
        maxHeight: download.maxHeight,
        expiresAt: download.licenceExpiresAt,
        playWindowSeconds: this.#deps.playWindowHours * 3600,
      },
      signer: this.#deps.signer,
      now: this.#deps.clock.now(),
    });
  }

  #view(row: DownloadRow, itemName: string | null): DownloadView {
    const now = this.#deps.clock.now();
    return {
      id: row.id,
      itemId: row.itemId,
      itemName,
      deviceId: row.deviceId,
      maxHeight: row.maxHeight,
      status: row.returnedAt ? 'returned' : row.licenceExpiresAt <= now ? 'expired' : 'active',
      createdAt: row.createdAt,
      licenceExpiresAt: row.licenceExpiresAt,
      renewedAt: row.renewedAt,
      returnedAt: row.returnedAt,
    };
  }
}
