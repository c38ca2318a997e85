import { DownloadNotRenewable } from './playback.errors.ts';

/**
 * Whether an offline licence may be renewed. Pure: the caller gathers the facts. Checked in this
 * order, so the reason shown is the one that matters most (a revoked device first: no other
 * fact could make renewing it right).
 */

export type LicenceRenewalRefusal =
  | 'DEVICE_REVOKED'
  | 'DOWNLOAD_RETURNED'
  | 'PLAN_EXCLUDES_DOWNLOADS'
  | 'PLAN_BELOW_DOWNLOAD_QUALITY'
  | 'PLAN_DOWNLOAD_CAP';

export type LicenceRenewalDecision = { allowed: true } | { allowed: false; reason: LicenceRenewalRefusal };

export interface LicenceRenewalFacts {
  /** The device was signed out or removed from the account's download devices. */
  deviceRevoked: boolean;
  /** The viewer deleted ("returned") the download, freeing its slot. */
  downloadReturned: boolean;
  /** The account's current plan still has downloads (PlanQuality.allowsDownloads). */
  planAllowsDownloads: boolean;
  /**
   * The current plan still reaches the downloaded rendition's quality (a premium download kept
   * after a downgrade to basic must not get its 1080p keys again). Absent means yes.
   */
  planCoversQuality?: boolean;
  /**
   * The download is among the first `maxDownloads` the account still holds (in the order they
   * were made): after a plan change lowers the cap, the newest ones beyond it stop renewing until
   * others are returned. Absent means yes.
   */
  withinPlanCap?: boolean;
}

export function licenceRenewal(facts: LicenceRenewalFacts): LicenceRenewalDecision {
  if (facts.deviceRevoked) return { allowed: false, reason: 'DEVICE_REVOKED' };
  if (facts.downloadReturned) return { allowed: false, reason: 'DOWNLOAD_RETURNED' };
  if (!facts.planAllowsDownloads) return { allowed: false, reason: 'PLAN_EXCLUDES_DOWNLOADS' };
  if (facts.planCoversQuality === false) return { allowed: false, reason: 'PLAN_BELOW_DOWNLOAD_QUALITY' };
  if (facts.withinPlanCap === false) return { allowed: false, reason: 'PLAN_DOWNLOAD_CAP' };
  return { allowed: true };
}

const DETAIL: Readonly<Record<LicenceRenewalRefusal, string>> = {
  DEVICE_REVOKED: 'This device may no longer hold downloads',
  DOWNLOAD_RETURNED: 'This download was removed',
  PLAN_EXCLUDES_DOWNLOADS: 'Your plan does not include downloads',
  PLAN_BELOW_DOWNLOAD_QUALITY: 'Your plan no longer includes the quality of this download',
  PLAN_DOWNLOAD_CAP: 'Your plan allows fewer downloads than you hold: remove one to renew this one',
};

/** Throws DOWNLOAD_NOT_RENEWABLE with `extensions.reason` when renewal is refused. */
export function assertLicenceRenewable(facts: LicenceRenewalFacts): void {
  const decision = licenceRenewal(facts);
  if (!decision.allowed) throw DownloadNotRenewable(DETAIL[decision.reason], { reason: decision.reason });
}
