import { createMediaKeys } from '../../src/modules/media/index.ts';
import type { TestContext } from './test-app.ts';

/** What an RTMP or SRT ingest is built from in a test: the test app's own ports, config and keys. */
export async function liveIngestDeps(context: TestContext) {
  return {
    db: context.deps.database.db,
    pubsub: context.deps.pubsub,
    storage: context.deps.storage,
    queue: context.deps.queue,
    keys: await createMediaKeys(context.deps.database.db, context.deps.config.media),
    clock: context.deps.clock,
    logger: context.deps.logger,
    config: context.deps.config,
  };
}
