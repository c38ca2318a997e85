import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { PlaybackRepository } from './playback.repository.ts';

/**
 * Playback's count of the streams open at an instant (a heartbeat within the lapse), for the
 * worker's analytics sample: the same count as `PlaybackService.concurrentViewers`.
 */
export function concurrentStreamCounter(options: { db: Kysely<DB>; heartbeatLapseSeconds: number }) {
  const streams = new PlaybackRepository(options.db);
  return (now: Date): Promise<number> =>
    streams.concurrentStreams(new Date(now.getTime() - options.heartbeatLapseSeconds * 1000));
}
