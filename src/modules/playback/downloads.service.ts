import type { JsonWebKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import { unwrapKey, type QualityTier } from '../media/index.ts';
import type { DeliveryService } from './delivery.service.ts';
import { deviceKeyThumbprint, parseDevicePublicKey } from './device-keys.ts';
import { DownloadsRepository, type DownloadDeviceRow, type DownloadRow } from './downloads.repository.ts';
import { assertLicenceRenewable } from './licence-renewal.ts';
import {
  issueOfflineLicence,
  type LicenceSigner,
  type OfflineContentKey,
  type OfflineLicence,
} from './offline-licence.ts';
import {
  DownloadDeviceLimit,
  DownloadDeviceNotFound,
  DownloadLimit,
  DownloadNotFound,
  DownloadPlanRequired,
  PlaybackNotReady,
  PlaybackPlanRequired,
} from './playback.errors.ts';
import type { PackageManifest, PlaybackService, Watcher } from './playback.service.ts';
import { fitsHeight } from './playlist-rewrite.ts';
import { mayReceiveKey, planQuality, type PlanQuality } from './quality.ts';

export interface DownloadsServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  items: PlayableItems;
  playback: PlaybackService;
  delivery: DeliveryService;
  masterKey: Buffer;
  signer: LicenceSigner;
  licenceDays: number;
  playWindowHours: number;
}

export interface DownloadDeviceView {
  id: string;
  name: string;
  /** RFC 7638 thumbprint of the device key: what a licence's `dkt` names. */
  keyThumbprint: string;
  createdAt: Date;
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

type Rendition = PackageManifest['renditions'][number];
const shortSide = (rendition: Rendition) => Math.min(rendition.width, rendition.height);

/**
 * Offline downloads: the devices that may hold them (each with the P-256 key its licences are
 * wrapped for), the downloads counted against the plan, and their licences. Entitlement is
 * PlaybackService's, so a download is refused for exactly the reasons a stream would be.
 */
export class DownloadsService {
  readonly #deps: DownloadsServiceDeps;
  readonly #repository: DownloadsRepository;

  constructor(deps: DownloadsServiceDeps) {
    this.#deps = deps;
    this.#repository = new DownloadsRepository(deps.db);
  }

  /**
   * Registers a device's public key. The same key again (by thumbprint) is the same device: an
   * app that reinstalls or retries doesn't use up a slot.
   */
  async registerDevice(options: {
    watcher: Watcher;
    name: string;
    publicKey: unknown;
    context: RequestContext;
  }): Promise<{ device: DownloadDeviceView; created: boolean }> {
    const { watcher, context } = options;
    const key = parseDevicePublicKey(options.publicKey as Parameters<typeof parseDevicePublicKey>[0]);
    const thumbprint = deviceKeyThumbprint(key);
    const { playback } = this.#deps;
    const plan = planQuality(await playback.repository.planOf(watcher.userId));
    if (!plan.allowsDownloads) throw DownloadPlanRequired(`Your ${plan.id} plan does not include downloads`);
    const now = this.#deps.clock.now();
    return this.#deps.db.transaction().execute(async (trx) => {
      await playback.repository.lockAccount(trx, watcher.userId);
      const devices = await this.#repository.activeDevices(watcher.userId, trx);
      const same = devices.find((device) => thumbprintOf(device) === thumbprint);
      if (same) return { device: deviceView(same), created: false };
      if (devices.length >= plan.maxDownloadDevices) {
        throw DownloadDeviceLimit(
          `Your plan allows downloads on ${plan.maxDownloadDevices} device${plan.maxDownloadDevices === 1 ? '' : 's'}: remove one first`,
          {
            maxDownloadDevices: plan.maxDownloadDevices,
            devices: devices.map((device) => ({ id: device.id, name: device.name })),
          },
        );
      }
      const device = await this.#repository.insertDevice(trx, {
        userId: watcher.userId,
        authSessionId: watcher.authSessionId,
        name: options.name,
        publicKey: JSON.stringify(key.export({ format: 'jwk' })),
        now,
      });
      await this.#deps.audit.record(trx, context, {
        action: 'download_device.registered',
        targetType: 'download_device',
        targetId: device.id,
        after: { name: device.name, keyThumbprint: thumbprint },
      });
      return { device: deviceView(device), created: true };
    });
  }

  async devices(userId: string): Promise<DownloadDeviceView[]> {
    return (await this.#repository.activeDevices(userId)).map(deviceView);
  }

  /** Revokes a device: its licences can't be renewed, and it can't take new downloads. */
  async revokeDevice(options: { userId: string; deviceId: string; context: RequestContext }): Promise<void> {
    const { userId, deviceId, context } = options;
    const now = this.#deps.clock.now();
    await this.#deps.db.transaction().execute(async (trx) => {
      const revoked = await this.#repository.revokeDevice(trx, { userId, id: deviceId, now });
      if (!revoked) {
        const existing = await this.#repository.device({ userId, id: deviceId }, trx);
        if (existing) return; // already revoked: DELETE is idempotent
        throw DownloadDeviceNotFound();
      }
      await this.#deps.audit.record(trx, context, {
        action: 'download_device.revoked',
        targetType: 'download_device',
        targetId: deviceId,
        before: { name: revoked.name, keyThumbprint: thumbprintOf(revoked) },
      });
    });
    this.#deps.logger.info({ userId, deviceId }, 'download device revoked');
  }

  /**
   * Registers a download of an item on one of the account's devices: the best rendition that
   * fits the plan (and the device's `maxHeight`, if it asks for less), its audio and subtitles,
   * an offline licence wrapping only the keys of those renditions, and signed URLs to fetch them.
   */
  async download(options: {
    watcher: Watcher;
    itemId: string;
    deviceId: string;
    maxHeight?: number | undefined;
    context: RequestContext;
  }) {
    const { watcher, context } = options;
    const { playback } = this.#deps;
    const { item, plan, asset } = await playback.entitle(watcher, options.itemId);
    if (!plan.allowsDownloads)
      throw DownloadPlanRequired(`Your ${plan.name} plan does not include downloads`);
    const device = await this.#liveDevice(watcher.userId, options.deviceId);
    const view = await playback.assetView(asset.id);
    if (!view) throw PlaybackNotReady('This title has no playable video yet');
    const video = chooseRendition({
      renditions: view.manifest.renditions,
      planMaxHeight: plan.maxHeight,
      ...(options.maxHeight !== undefined && { requestedMaxHeight: options.maxHeight }),
    });
    const now = this.#deps.clock.now();
    const licenceExpiresAt = new Date(now.getTime() + this.#deps.licenceDays * 86_400_000);
    const download = await this.#deps.db.transaction().execute(async (trx) => {
      await playback.repository.lockAccount(trx, watcher.userId);
      const values = { assetId: asset.id, maxHeight: shortSide(video), licenceExpiresAt };
      const again = await this.#repository.activeDownloadOn(trx, { deviceId: device.id, itemId: item.id });
      if (again) return this.#repository.refreshDownload(trx, { id: again.id, ...values, now });
      const held = await this.#repository.countActiveDownloads(watcher.userId, trx);
      if (held >= plan.maxDownloads) {
        throw DownloadLimit(
          `Your ${plan.name} plan allows ${plan.maxDownloads} downloads at once: remove one first`,
          { maxDownloads: plan.maxDownloads },
        );
      }
      const row = await this.#repository.insertDownload(trx, {
        userId: watcher.userId,
        profileId: watcher.profileId,
        deviceId: device.id,
        itemId: item.id,
        createdAt: now,
        ...values,
      });
      await this.#deps.audit.record(trx, context, {
        action: 'download.created',
        targetType: 'download',
        targetId: row.id,
        after: { itemId: item.id, deviceId: device.id, maxHeight: row.maxHeight },
      });
      return row;
    });
    const licence = await this.#licence({ download, device, plan, video, manifest: view.manifest });
    const offlinePackage = await this.#deps.delivery.offlinePackage({
      downloadId: download.id,
      assetId: asset.id,
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
    const now = this.#deps.clock.now();
    await this.#deps.db.transaction().execute(async (trx) => {
      const returned = await this.#repository.returnDownload(trx, { userId, id: downloadId, now });
      if (!returned) {
        if (await this.#repository.download({ userId, id: downloadId }, trx)) return; // already returned
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
   * A fresh licence for a download, when the device still may hold it, it wasn't returned and
   * the account's current plan still has downloads at its quality; the title must also still be
   * watchable (PlaybackService.entitle). Otherwise DOWNLOAD_NOT_RENEWABLE with the reason.
   */
  async renew(options: { watcher: Watcher; downloadId: string }) {
    const { watcher } = options;
    const { playback } = this.#deps;
    const download = await this.#repository.download({ userId: watcher.userId, id: options.downloadId });
    if (!download) throw DownloadNotFound();
    const device = await this.#repository.device({ userId: watcher.userId, id: download.deviceId });
    const plan = planQuality(await playback.repository.planOf(watcher.userId));
    assertLicenceRenewable({
      deviceRevoked: !device || device.revokedAt !== null,
      downloadReturned: download.returnedAt !== null,
      planAllowsDownloads: plan.allowsDownloads,
      planCoversQuality: download.maxHeight <= plan.maxHeight,
    });
    const { item } = await playback.entitle(watcher, download.itemId);
    const view = await playback.assetView(download.assetId);
    const video = view?.manifest.renditions.find((rendition) => shortSide(rendition) === download.maxHeight);
    if (!view || !video)
      throw PlaybackNotReady('The downloaded video is no longer available: download it again');
    const now = this.#deps.clock.now();
    const licenceExpiresAt = new Date(now.getTime() + this.#deps.licenceDays * 86_400_000);
    await this.#repository.renewed({ id: download.id, licenceExpiresAt, now });
    const renewed = { ...download, licenceExpiresAt, renewedAt: now };
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

  async #liveDevice(userId: string, deviceId: string): Promise<DownloadDeviceRow> {
    const device = await this.#repository.device({ userId, id: deviceId });
    if (!device || device.revokedAt) throw DownloadDeviceNotFound('Register this device for downloads first');
    return device;
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
    const rows = await this.#repository.contentKeysFor({
      assetId: download.assetId,
      renditions: [video.name, ...manifest.audioTracks.map((track) => track.name)],
    });
    const contentKeys: OfflineContentKey[] = rows
      .filter((row) => mayReceiveKey({ keyTier: row.tier as QualityTier, maxHeight: plan.maxHeight }))
      .map((row) => ({
        keyId: row.id,
        key: unwrapKey({ masterKey: this.#deps.masterKey, wrapped: row.wrappedKey, keyId: row.id }),
        iv: row.iv,
      }));
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

/**
 * The tallest rendition within both the plan's cap and the one the device asked for; if the
 * device asked for less than the smallest, the smallest the plan allows.
 */
export function chooseRendition(options: {
  renditions: readonly Rendition[];
  planMaxHeight: number;
  requestedMaxHeight?: number;
}): Rendition {
  const { renditions, planMaxHeight, requestedMaxHeight } = options;
  const within = (maxHeight: number) =>
    renditions
      .filter((rendition) => fitsHeight({ width: rendition.width, height: rendition.height, maxHeight }))
      .sort((a, b) => shortSide(b) - shortSide(a) || b.bandwidth - a.bandwidth);
  const allowed = within(planMaxHeight);
  if (allowed.length === 0) {
    throw PlaybackPlanRequired(`No rendition of this title fits your plan's ${planMaxHeight}p`);
  }
  const cap = Math.min(planMaxHeight, requestedMaxHeight ?? planMaxHeight);
  return within(cap)[0] ?? allowed.at(-1)!;
}

function thumbprintOf(device: DownloadDeviceRow): string {
  return deviceKeyThumbprint(parseDevicePublicKey(JSON.parse(device.publicKey) as JsonWebKey));
}

function deviceView(device: DownloadDeviceRow): DownloadDeviceView {
  return {
    id: device.id,
    name: device.name,
    keyThumbprint: thumbprintOf(device),
    createdAt: device.createdAt,
  };
}
