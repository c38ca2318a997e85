import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { DownloadsRepository } from './downloads.repository.ts';
import { PlaybackRepository } from './playback.repository.ts';

/**
 * Playback's answer to media's package retention: which assets a stream still plays (open, with
 * a heartbeat within the lapse) or an unexpired offline licence still covers. A download whose
 * licence lapsed may lose its package: renewing it then asks for a fresh download.
 */
export function packagesInUse(options: { db: Kysely<DB>; heartbeatLapseSeconds: number }) {
  const streams = new PlaybackRepository(options.db);
  const downloads = new DownloadsRepository(options.db);
  return async (assetIds: readonly string[], now: Date): Promise<ReadonlySet<string>> => {
    const since = new Date(now.getTime() - options.heartbeatLapseSeconds * 1000);
    const [streaming, held] = await Promise.all([
      streams.assetsStreaming(assetIds, since),
      downloads.assetsHeld(assetIds, now),
    ]);
    return new Set([...streaming, ...held]);
  };
}
