import type { BeaconEvent } from './vast-xml.ts';

/**
 * Beacons waiting to be counted, bounded, one entry per ad instance and event (five identical
 * impressions wait as one). Pure: the tracking service drains it on its interval, the way
 * engagement's ProgressBuffer feeds the progress writer. The database settles duplicates across
 * batches and instances (`ad_beacons` primary key).
 */
export interface PendingBeacon {
  instanceId: string;
  campaignId: string;
  event: BeaconEvent;
  receivedAt: Date;
}

export class BeaconBuffer {
  readonly maxEntries: number;
  #entries = new Map<string, PendingBeacon>();

  constructor(options: { maxEntries: number }) {
    this.maxEntries = options.maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** `duplicate` when the same beacon already waits; `full` when a new one would pass the bound. */
  offer(beacon: PendingBeacon): 'accepted' | 'duplicate' | 'full' {
    const key = `${beacon.instanceId}|${beacon.event}`;
    if (this.#entries.has(key)) return 'duplicate';
    if (this.#entries.size >= this.maxEntries) return 'full';
    this.#entries.set(key, beacon);
    return 'accepted';
  }

  drain(): PendingBeacon[] {
    const entries = [...this.#entries.values()];
    this.#entries = new Map();
    return entries;
  }
}

/** The counters of `ad_delivery_daily` each event moves. */
export const counterOf = {
  impression: 'impressions',
  start: 'starts',
  firstQuartile: 'firstQuartiles',
  midpoint: 'midpoints',
  thirdQuartile: 'thirdQuartiles',
  complete: 'completes',
  skip: 'skips',
  click: 'clicks',
  error: 'errors',
} as const satisfies Record<BeaconEvent, string>;
export type DeliveryCounter = (typeof counterOf)[BeaconEvent];

export interface DeliveryIncrement {
  campaignId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  counts: Partial<Record<DeliveryCounter, number>>;
  spendMilli: number;
}

/**
 * Sums newly counted beacons per campaign and UTC day; an impression spends the campaign's CPM
 * in thousandths of a minor unit (CPM is per thousand).
 */
export function deliveryIncrements(
  counted: ReadonlyArray<Pick<PendingBeacon, 'campaignId' | 'event' | 'receivedAt'>>,
  cpmMinorOf: (campaignId: string) => number,
): DeliveryIncrement[] {
  const byKey = new Map<string, DeliveryIncrement>();
  for (const beacon of counted) {
    const day = beacon.receivedAt.toISOString().slice(0, 10);
    const key = `${beacon.campaignId}|${day}`;
    let increment = byKey.get(key);
    if (!increment) {
      increment = { campaignId: beacon.campaignId, day, counts: {}, spendMilli: 0 };
      byKey.set(key, increment);
    }
    const counter = counterOf[beacon.event];
    increment.counts[counter] = (increment.counts[counter] ?? 0) + 1;
    if (beacon.event === 'impression') increment.spendMilli += cpmMinorOf(beacon.campaignId);
  }
  return [...byKey.values()];
}

/** The report's derived figures; null where the denominator is zero. */
export function deliveryRates(totals: {
  impressions: number;
  completes: number;
  spendMilli: number;
  requested: number;
  filled: number;
}) {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    fillRate: ratio(totals.filled, totals.requested),
    completionRate: ratio(totals.completes, totals.impressions),
    // Effective CPM in minor units: spend per thousand impressions.
    ecpmMinor: ratio(totals.spendMilli, totals.impressions),
  };
}
