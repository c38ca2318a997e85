import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import packageJson from '../package.json' with { type: 'json' };
import type { Config } from './config/config.ts';
import { AccessLog } from './http/access-log.ts';
import { LazyRequestLogger } from './http/request-logger.ts';
import { HttpMetrics } from './http/metrics.ts';
import { httpStackPlugin, requestIdFrom } from './http/http-stack.ts';
import { problemFor, sendProblem } from './http/problem.ts';
import { metricsRoute } from './http/metrics.route.ts';
import { serializerCompiler } from './http/serializer.ts';
import { openApiPlugin } from './http/openapi.ts';
import { webAppRoutes } from './http/web-app.routes.ts';
import type { AppQueue } from './jobs/job-catalog.ts';
import { adPolicyOf, createAds } from './modules/ads/index.ts';
import { createAnalytics } from './modules/analytics/index.ts';
import { AuditLog } from './modules/audit/index.ts';
import { createCatalog } from './modules/catalog/index.ts';
import { blockedWordIn, createEngagement } from './modules/engagement/index.ts';
import { healthRoutes } from './modules/health/index.ts';
import { createIdentity } from './modules/identity/index.ts';
import { createLive, liveHlsPrefix } from './modules/live/index.ts';
import { createMediaService, ffmpegTools, JobEventsHub, mediaRoutes } from './modules/media/index.ts';
import { createPlayback } from './modules/playback/index.ts';
import { createRecommendations } from './modules/recommendations/index.ts';
import { createSubscriptions } from './modules/subscriptions/index.ts';
import { accountContact, accountIdByEmail, setAccountPlan } from './modules/identity/index.ts';
import { createUploads } from './modules/uploads/index.ts';
import type { Cache } from './platform/cache/cache.port.ts';
import type { Clock } from './platform/clock.ts';
import type { Database } from './platform/db/database.ts';
import type { Logger } from './platform/logger.ts';
import type { Mailer } from './platform/mail/mail.port.ts';
import { OutboxMailer } from './platform/mail/outbox.mail.ts';
import type { PubSub } from './platform/pubsub/pubsub.port.ts';
import type { RateLimits } from './platform/ratelimit/ratelimit.port.ts';
import type { Storage } from './platform/storage/storage.port.ts';
import { createSettings } from './modules/settings/index.ts';

/** The ports the HTTP application runs on. Tests build them from real embedded parts. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  pubsub: PubSub;
  rateLimits: RateLimits;
  storage: Storage;
  mailer: Mailer;
  queue: AppQueue;
  clock: Clock;
}

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const version: string = packageJson.version;

/** TRUST_PROXY as Fastify wants it: a hop count becomes "trust the nearest N hops". */
function trustProxySetting(value: Config['http']['trustProxy']) {
  if (typeof value === 'number') return (_address: string, hop: number) => hop < value;
  return typeof value === 'boolean' ? value : [...value];
}

/**
 * Builds the whole HTTP application without listening: tests drive it with `app.inject()`
 * (which readies it), main.ts calls `listen()`.
 * This is the composition root for requests — each feature plugin receives only what it uses.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const metrics = new HttpMetrics({
    poolStats: () => deps.database.poolStats(),
    queueDepth: () => deps.queue.depth(),
  });

  const loggerInstance: FastifyBaseLogger = deps.logger;
  const accessLog = new AccessLog(deps.logger.child({}, { redact: [] }), metrics);
  const app = Fastify({
    loggerInstance,
    logController: accessLog,
    childLoggerFactory: (parent, bindings, options) => new LazyRequestLogger(parent, bindings, options),
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: trustProxySetting(config.http.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The router's own refusals (a path segment past maxParamLength, a malformed percent-encoding)
    // answer before any route or error handler: render them as problems like every other 4xx.
    frameworkErrors: (error, request, reply) => void sendProblem(reply, problemFor(error, request)),
  }).withTypeProvider<ZodTypeProvider>();
  // The access log hands its lines over once per event-loop turn; a closing app hands over the last.
  app.addHook('onClose', async () => accessLog.flush());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const audit = new AuditLog(deps.database.db);
  const subscriptions = createSubscriptions({
    db: deps.database.db,
    clock: deps.clock,
    queue: deps.queue,
    cache: deps.cache,
    audit,
    logger: deps.logger.child({ component: 'subscriptions' }),
    pubsub: deps.pubsub,
    config,
    setAccountPlan: (executor, change) => setAccountPlan(executor, { ...change, now: deps.clock.now() }),
    contactOf: accountContact,
    accountIdByEmail,
    // Identity is built next; this runs only once requests arrive.
    planIdOf: (userId) => identity.planIdOf(userId),
    // Recommendations are built below; a plan change moves the account's rows' stamp (titles above the tier).
    onPlanChanged: (userId) => recommendations.service.planChanged(userId),
  });
  // Before the modules that read settings (sign-ups, the word filter of comments and live chat).
  const { plugin: settingsPlugin, settings } = await createSettings({
    db: deps.database.db,
    pubsub: deps.pubsub,
    audit,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'settings' }),
    defaults: { blockedWords: [...config.engagement.comments.blockedWords] },
  });
  const identity = await createIdentity({
    db: deps.database.db,
    cache: deps.cache,
    clock: deps.clock,
    rateLimits: deps.rateLimits,
    queue: deps.queue,
    audit,
    outbox: new OutboxMailer(deps.database.db),
    logger: deps.logger.child({ component: 'identity' }),
    pubsub: deps.pubsub,
    config,
    signUpsOpen: () => settings.current().signUpsOpen,
    // The device cap follows the account's plan.
    limits: {
      maxDevices: async (userId) =>
        (await subscriptions.plans.find(await identity.planIdOf(userId)))?.maxDevices ??
        config.auth.maxDevices,
    },
  });
  await app.register(httpStackPlugin, { config });
  // Before any route: every route declares its access, and the guard and OpenAPI security follow.
  await app.register(identity.routeAccess);
  await app.register(openApiPlugin, { publicUrl: config.http.publicUrl, version });
  await app.register(metricsRoute, { metrics, token: config.http.metricsToken });
  await app.register(identity.plugin);
  const catalog = await createCatalog({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    storage: deps.storage,
    clock: deps.clock,
    audit,
    config,
  });
  app.addHook('onClose', () => catalog.close());
  await app.register(catalog.plugin);
  const tools = ffmpegTools(config.media);
  const { media, packages, keys } = await createMediaService({
    db: deps.database.db,
    storage: deps.storage,
    pubsub: deps.pubsub,
    queue: deps.queue,
    items: catalog.items,
    logger: deps.logger.child({ component: 'media' }),
    clock: deps.clock,
    tools,
    config: config.media,
  });
  await app.register(mediaRoutes, { media, jobEvents: new JobEventsHub(deps.pubsub) });
  await app.register(settingsPlugin);
  const engagement = createEngagement({
    db: deps.database.db,
    pubsub: deps.pubsub,
    rateLimits: deps.rateLimits,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'engagement' }),
    items: catalog.items,
    ratings: catalog.ratings,
    audit,
    blockedWords: () => settings.current().blockedWords,
    config,
  });
  // Writes the buffered watch progress before the database closes (platform close follows app close).
  app.addHook('onClose', () => engagement.close());
  await app.register(engagement.plugin);
  const recommendations = createRecommendations({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'recommendations' }),
    facts: catalog.facts,
    items: catalog.items,
    version: catalog.version,
    config,
    // From the cached subscription status: a cache read on this hot path, not two queries.
    planTierOf: (userId) => subscriptions.subscriptions.planTierOf(userId, () => identity.planIdOf(userId)),
  });
  await recommendations.start();
  app.addHook('onClose', () => recommendations.close());
  await app.register(recommendations.plugin);
  await app.register(subscriptions.plugin);
  const live = createLive({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    rateLimits: deps.rateLimits,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'live' }),
    audit,
    items: catalog.items,
    planTierOf: (userId) => subscriptions.subscriptions.planTierOf(userId, () => identity.planIdOf(userId)),
    isBanned: (userId) => engagement.isBanned(userId),
    blockedWordIn: (text) => blockedWordIn(text, settings.current().blockedWords),
    config,
  });
  const playback = await createPlayback({
    db: deps.database.db,
    cache: deps.cache,
    clock: deps.clock,
    storage: deps.storage,
    rateLimits: deps.rateLimits,
    logger: deps.logger.child({ component: 'playback' }),
    items: catalog.items,
    packages,
    keys,
    isSignedIn: (sessionId) => identity.isSignedIn(sessionId),
    planIdOf: (userId) => identity.planIdOf(userId),
    deviceNameOf: (sessionId) => identity.deviceNameOf(sessionId),
    checkStaffAccess: (actor, userId, intent) => identity.checkStaffAccess(actor, userId, intent),
    plans: subscriptions.plans,
    audit,
    progress: engagement.progress,
    live: (eventId, viewer) => live.events.forPlayback(eventId, viewer),
    livePrefix: liveHlsPrefix,
    pubsub: deps.pubsub,
    config,
  });
  await app.register(playback.plugin);
  const ads = await createAds({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    storage: deps.storage,
    queue: deps.queue,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'ads' }),
    audit,
    tools,
    streamOf: (userId, streamId) => playback.playback.ownStream(userId, streamId),
    sourceOf: (itemId) => media.currentSource(itemId),
    policyOf: async (userId) => {
      const plan = await subscriptions.plans.find(await identity.planIdOf(userId));
      if (!plan) throw new Error(`account ${userId} is on a plan that does not exist`);
      return adPolicyOf(plan);
    },
    itemFacts: async (itemId) => {
      const item = await catalog.items.find(itemId);
      if (!item) return { genres: [], maturityLevel: 0 };
      return { genres: (await catalog.titles.get(item.titleId)).genres, maturityLevel: item.maturityLevel };
    },
    config,
  });
  // Counts the buffered beacons before the database closes.
  app.addHook('onClose', () => ads.close());
  await app.register(ads.plugin);
  const analytics = await createAnalytics({
    db: deps.database.db,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'analytics' }),
    liveStreamOf: (userId, sessionId) => playback.playback.ownStream(userId, sessionId),
    titleOf: async (itemId) => (await catalog.items.find(itemId))?.titleId,
    planIdOf: (userId) => identity.planIdOf(userId),
    concurrentViewers: () => playback.playback.concurrentViewers(),
    genresOf: (titleIds) => catalog.facts.genresOf(titleIds),
    config,
  });
  // Domain events reach analytics over pub/sub: no module calls it.
  const stopListening = await analytics.ingest.listen(deps.pubsub);
  // Writes the buffered events before the database closes.
  app.addHook('onClose', async () => {
    await stopListening();
    await analytics.close();
  });
  await app.register(analytics.plugin);
  const uploads = createUploads({
    storage: deps.storage,
    cache: deps.cache,
    pubsub: deps.pubsub,
    media,
    items: catalog.items,
    tools,
    config,
  });
  await app.register(uploads.plugin);
  app.addHook('onClose', async () => live.close());
  await app.register(live.plugin);

  // The viewer web app at /, the admin console at /admin (their pages and assets only; every API
  // path stays the API's).
  await app.register(webAppRoutes);

  await app.register(healthRoutes, {
    checks: {
      database: () => deps.database.ping(),
      cache: () => deps.cache.ping(),
      storage: () => deps.storage.ping(),
      queue: () => deps.queue.ping(),
    },
  });

  return app;
}
