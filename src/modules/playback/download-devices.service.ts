import type { JsonWebKey } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { deviceKeyThumbprint, parseDevicePublicKey, type DevicePublicKeyInput } from './device-keys.ts';
import type { DownloadDeviceRow, DownloadDevicesRepository } from './download-devices.repository.ts';
import { DownloadDeviceLimit, DownloadDeviceNotFound, DownloadPlanRequired } from './playback.errors.ts';
import type { Entitlements, Watcher } from './playback.service.ts';

export interface DownloadDevicesServiceDeps {
  repository: DownloadDevicesRepository;
  transactor: Transactor;
  entitlements: Pick<Entitlements, 'planOf' | 'plansAllowing'>;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
}

export interface DownloadDeviceView {
  id: string;
  name: string;
  /** RFC 7638 thumbprint of the device key: what a licence's `dkt` names. */
  keyThumbprint: string;
  createdAt: Date;
}

/**
 * The devices that may hold downloads, each with the P-256 key its licences are wrapped for, and
 * the plan's cap on how many.
 */
export class DownloadDevicesService {
  readonly #deps: DownloadDevicesServiceDeps;

  constructor(deps: DownloadDevicesServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Registers a device's public key. The same key again (by thumbprint) is the same device: an
   * app that reinstalls or retries doesn't use up a slot.
   */
  async register(options: {
    watcher: Watcher;
    name: string;
    publicKey: DevicePublicKeyInput;
    context: RequestContext;
  }): Promise<{ device: DownloadDeviceView; created: boolean }> {
    const { watcher, context } = options;
    const { repository } = this.#deps;
    const key = parseDevicePublicKey(options.publicKey);
    const thumbprint = deviceKeyThumbprint(key);
    const plan = await this.#deps.entitlements.planOf(watcher.userId);
    if (!plan.allowsDownloads)
      throw DownloadPlanRequired(`Your ${plan.name} plan does not include downloads`, {
        plans: await this.#deps.entitlements.plansAllowing((candidate) => candidate.maxDownloads > 0),
      });
    const now = this.#deps.clock.now();
    return this.#deps.transactor.run(async (trx) => {
      await repository.lockAccount(watcher.userId, trx);
      const devices = await repository.activeDevices(watcher.userId, trx);
      const same = devices.find((device) => thumbprintOf(device) === thumbprint);
      if (same) return { device: deviceView(same), created: false };
      if (devices.length >= plan.maxDownloadDevices) {
        throw DownloadDeviceLimit(
          `Your ${plan.name} plan allows downloads on ${plan.maxDownloadDevices} device${plan.maxDownloadDevices === 1 ? '' : 's'}: remove one first`,
          {
            maxDownloadDevices: plan.maxDownloadDevices,
            devices: devices.map((device) => ({ id: device.id, name: device.name })),
          },
        );
      }
      const device = await repository.insertDevice(
        {
          userId: watcher.userId,
          authSessionId: watcher.authSessionId,
          name: options.name,
          publicKey: JSON.stringify(key.export({ format: 'jwk' })),
          now,
        },
        trx,
      );
      await this.#deps.audit.record(trx, context, {
        action: 'download_device.registered',
        targetType: 'download_device',
        targetId: device.id,
        after: { name: device.name, keyThumbprint: thumbprint },
      });
      return { device: deviceView(device), created: true };
    });
  }

  async list(userId: string): Promise<DownloadDeviceView[]> {
    return (await this.#deps.repository.activeDevices(userId)).map(deviceView);
  }

  /** A device of this account (revoked ones included), or undefined. */
  find(userId: string, deviceId: string): Promise<DownloadDeviceRow | undefined> {
    return this.#deps.repository.device({ userId, id: deviceId });
  }

  /** A device of this account that may take downloads, or DOWNLOAD_DEVICE_NOT_FOUND. */
  async live(userId: string, deviceId: string): Promise<DownloadDeviceRow> {
    const device = await this.find(userId, deviceId);
    if (!device || device.revokedAt) throw DownloadDeviceNotFound('Register this device for downloads first');
    return device;
  }

  /**
   * Revokes a device: its licences can't be renewed, and it can't take new downloads. `byStaff`:
   * support did it from the admin console, audited under the account like its other sessions.
   */
  async revoke(options: {
    userId: string;
    deviceId: string;
    context: RequestContext;
    byStaff?: boolean;
  }): Promise<void> {
    const { userId, deviceId, context } = options;
    const { repository } = this.#deps;
    const now = this.#deps.clock.now();
    await this.#deps.transactor.run(async (trx) => {
      const revoked = await repository.revokeDevice({ userId, id: deviceId, now }, trx);
      if (!revoked) {
        const existing = await repository.device({ userId, id: deviceId }, trx);
        if (existing) return; // already revoked: DELETE is idempotent
        throw DownloadDeviceNotFound();
      }
      const before = { name: revoked.name, keyThumbprint: thumbprintOf(revoked) };
      await this.#deps.audit.record(
        trx,
        context,
        options.byStaff
          ? {
              action: 'user.download_device_revoked',
              targetType: 'user',
              targetId: userId,
              before: { deviceId, ...before },
              after: null,
            }
          : { action: 'download_device.revoked', targetType: 'download_device', targetId: deviceId, before },
      );
    });
    this.#deps.logger.info(
      { userId, deviceId, byStaff: options.byStaff ?? false },
      'download device revoked',
    );
  }
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
