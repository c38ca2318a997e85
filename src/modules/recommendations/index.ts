import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Logger } from '../../platform/logger.ts';
import { domainEventPublisher } from '../../platform/pubsub/domain-events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { RECOMMENDATION_EVENTS_CHANNEL, type RecommendationEvent } from './recommendations.events.ts';
import type { CatalogFacts, PlayableItems } from '../catalog/index.ts';
import { ENGAGEMENT_EVENTS_CHANNEL, type EngagementEvent } from '../engagement/index.ts';
import { DEFAULT_SIGNAL_WEIGHTS } from './interactions.ts';
import { recommendationsAdminRoutes } from './recommendations-admin.routes.ts';
import { RecommendationsRepository } from './recommendations.repository.ts';
import { recommendationsRoutes } from './recommendations.routes.ts';
import { RecommendationsAdminService } from './recommendations-admin.service.ts';
import { RecommendationsService } from './recommendations.service.ts';
import { ServingVersions } from './serving-versions.ts';
import { StoredRows } from './stored-rows.ts';
import { RecommendationRules } from './rules.ts';
import { TitleDirectory } from './title-directory.ts';
import { RecommendationsTrainer } from './trainer.service.ts';

// The pure models, for the offline evaluation (scripts/eval-recs.ts) and benchmarks.
export * from './interactions.ts';
export * from './rp3beta.ts';
export * from './ease.ts';
export * from './popularity.ts';
export * from './content.ts';
export * from './franchise.ts';
export * from './blend.ts';
export * from './metrics.ts';
export * from './split.ts';
export * from './rows.ts';
export * from './training.ts';
export { subjectOf, RecommendationsService } from './recommendations.service.ts';
export { RecommendationsAdminService } from './recommendations-admin.service.ts';
export { RecommendationsTrainer, type TrainingReport } from './trainer.service.ts';

/** How often batched plays (from progress events) are written as signals. */
const PLAYS_FLUSH_MS = 10_000;

export interface RecommendationsDeps {
  db: Kysely<DB>;
  cache: Cache;
  pubsub: PubSub;
  clock: Clock;
  logger: Logger;
  facts: CatalogFacts;
  items: PlayableItems;
  /** The catalog's version: the in-memory copy of the catalog reloads when it moves. */
  version?: { current(): Promise<number> };
  config: Pick<Config, 'catalog' | 'recommendations'>;
  /** The tier of an account's plan: rows never offer a title above it. */
  planTierOf?: (userId: string) => Promise<number>;
}

export interface Recommendations {
  plugin: FastifyPluginAsync;
  service: RecommendationsService;
  admin: RecommendationsAdminService;
  trainer: RecommendationsTrainer;
  /** Listens to engagement events and refreshes the profile's rows after each. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds recommendations from the ports it uses; the app registers `plugin`, the worker runs `trainer`. */
export function createRecommendations(deps: RecommendationsDeps): Recommendations {
  const repository = new RecommendationsRepository(deps.db);
  const directory = new TitleDirectory({
    facts: deps.facts,
    items: deps.items,
    clock: deps.clock,
    ...(deps.version && { version: deps.version }),
  });
  const rules = new RecommendationRules({ repository, clock: deps.clock });
  const weights = { ...DEFAULT_SIGNAL_WEIGHTS, ...deps.config.recommendations.signalWeights };
  const versions = new ServingVersions({
    cache: deps.cache,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger,
  });
  const service = new RecommendationsService({
    repository,
    directory,
    facts: deps.facts,
    rules,
    stored: new StoredRows({ repository, cache: deps.cache, versions }),
    versions,
    clock: deps.clock,
    logger: deps.logger,
    weights,
  });
  const admin = new RecommendationsAdminService({
    repository,
    directory,
    rules,
    versions,
    clock: deps.clock,
    publish: domainEventPublisher<RecommendationEvent>({
      pubsub: deps.pubsub,
      channel: RECOMMENDATION_EVENTS_CHANNEL,
      logger: deps.logger,
    }),
  });
  const trainer = new RecommendationsTrainer({
    repository,
    directory,
    facts: deps.facts,
    clock: deps.clock,
    logger: deps.logger,
    weights,
    versions,
  });
  let unsubscribe: (() => Promise<void>) | undefined;
  let flushing: NodeJS.Timeout | undefined;
  const flushPlays = () =>
    service.flushPlays().catch((error: unknown) => deps.logger.warn({ err: error }, 'could not write plays'));
  const plugin = fp(
    async (app) => {
      await app.register(recommendationsRoutes, {
        recommendations: service,
        feedback: admin,
        clock: deps.clock,
        countryHeader: deps.config.catalog.countryHeader,
        ...(deps.planTierOf && { planTierOf: deps.planTierOf }),
      });
      await app.register(recommendationsAdminRoutes, { recommendations: admin });
    },
    { name: 'marquee-recommendations' },
  );
  return {
    plugin,
    service,
    admin,
    trainer,
    async start() {
      await versions.start();
      flushing = setInterval(() => void flushPlays(), PLAYS_FLUSH_MS);
      flushing.unref();
      unsubscribe = await deps.pubsub.subscribe(ENGAGEMENT_EVENTS_CHANNEL, (message) => {
        service
          .onEngagementEvent(message as EngagementEvent)
          .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not apply an engagement event'));
      });
    },
    async close() {
      await unsubscribe?.();
      await versions.stop();
      clearInterval(flushing);
      await flushPlays();
    },
  };
}
