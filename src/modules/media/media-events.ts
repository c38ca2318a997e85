import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { AssetRow, AssetStatus } from './assets.repository.ts';

/**
 * Published on the pub/sub port as a transcode moves and when a superseded package is deleted:
 * admin consoles and other instances listen.
 */
export const MEDIA_EVENTS_CHANNEL = 'media.events';
export interface MediaEvent {
  type:
    | 'TranscodeQueued'
    | 'TranscodeProgressed'
    | 'TranscodeFinished'
    | 'TranscodeFailed'
    | 'TranscodeCancelled'
    | 'PackageRetired';
  assetId: string;
  itemId: string;
  status: AssetStatus;
  progress: number;
  reason?: string;
}

export type PublishMediaEvent = (type: MediaEvent['type'], asset: AssetRow, reason?: string) => Promise<void>;

/** Events are advisory (pub/sub is at-most-once; the asset row is the truth): a failed publish is logged. */
export function mediaEventPublisher(deps: { pubsub: PubSub; logger: Logger }): PublishMediaEvent {
  return async (type, asset, reason) => {
    const event: MediaEvent = {
      type,
      assetId: asset.id,
      itemId: asset.itemId,
      status: asset.status as AssetStatus,
      progress: asset.progress,
      ...(reason !== undefined && { reason }),
    };
    await deps.pubsub
      .publish(MEDIA_EVENTS_CHANNEL, event)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not publish a media event'));
  };
}
