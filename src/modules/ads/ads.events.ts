import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { BeaconEvent } from './vast-xml.ts';

/**
 * What the ad server counted, for analytics (at-most-once: the counts are committed in
 * `ad_delivery_daily` before this is published). One per ad instance and event.
 */
export const ADS_EVENTS_CHANNEL = 'ads.events';

export type AdsEvent =
  | {
      type: 'AdBeaconCounted';
      /** ISO 8601: when the beacon arrived. */
      at: string;
      event: BeaconEvent;
      instanceId: string;
      campaignId: string;
      /** What the campaign owes for it, in thousandths of a minor unit (impressions only). */
      revenueMilliMinor: number;
    }
  | {
      /** Ad slots asked for and filled since the last batch (for the fill rate). */
      type: 'AdSlotsCounted';
      at: string;
      /** Tells two batches with the same counts apart. */
      batchId: string;
      requested: number;
      filled: number;
    };

export type PublishAdsEvent = (event: AdsEvent) => Promise<void>;

/** Publishes without failing the caller: the counts are already stored. */
export function adsEventPublisher(pubsub: PubSub, logger: Logger): PublishAdsEvent {
  return async (event) => {
    try {
      await pubsub.publish(ADS_EVENTS_CHANNEL, event);
    } catch (error) {
      logger.warn({ err: error, type: event.type }, 'ads event not published');
    }
  };
}
