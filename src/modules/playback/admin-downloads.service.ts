import type { Actor } from '../identity/index.ts';
import type { RequestContext } from '../audit/index.ts';
import type { DownloadDevicesService, DownloadDeviceView } from './download-devices.service.ts';
import type { DownloadsService, DownloadView } from './downloads.service.ts';

export type StaffAccessCheck = (actor: Actor, userId: string, intent: 'read' | 'change') => Promise<void>;

/** A device that may hold downloads, with the downloads (and so the licences) made for it. */
export interface AdminDownloadDevice extends DownloadDeviceView {
  downloads: DownloadView[];
}

/**
 * Support's view of an account's offline downloads: its download devices with their licences, and
 * revoking one (a lost phone). Who may look and change is identity's rule (`checkStaffAccess`):
 * no account with more rights than the actor's is changed.
 */
export class AdminDownloadsService {
  readonly #devices: Pick<DownloadDevicesService, 'list' | 'revoke'>;
  readonly #downloads: Pick<DownloadsService, 'list'>;
  readonly #checkStaffAccess: StaffAccessCheck;

  constructor(options: {
    devices: Pick<DownloadDevicesService, 'list' | 'revoke'>;
    downloads: Pick<DownloadsService, 'list'>;
    checkStaffAccess: StaffAccessCheck;
  }) {
    this.#devices = options.devices;
    this.#downloads = options.downloads;
    this.#checkStaffAccess = options.checkStaffAccess;
  }

  /** The account's devices that may hold downloads (not revoked), oldest first, each with its downloads. */
  async devicesOf(actor: Actor, userId: string): Promise<AdminDownloadDevice[]> {
    await this.#checkStaffAccess(actor, userId, 'read');
    const [devices, downloads] = await Promise.all([
      this.#devices.list(userId),
      this.#downloads.list(userId),
    ]);
    return devices.map((device) => ({
      ...device,
      downloads: downloads.filter((download) => download.deviceId === device.id),
    }));
  }

  /** Revokes one of the account's download devices: its licences stop renewing. Audited. */
  async revokeDevice(
    actor: Actor,
    target: { userId: string; deviceId: string },
    context: RequestContext,
  ): Promise<void> {
    await this.#checkStaffAccess(actor, target.userId, 'change');
    await this.#devices.revoke({ ...target, context, byStaff: true });
  }
}
