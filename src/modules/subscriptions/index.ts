import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Logger } from '../../platform/logger.ts';
import { domainEventPublisher } from '../../platform/pubsub/domain-events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { SUBSCRIPTION_EVENTS_CHANNEL, type SubscriptionEvent } from './subscription.events.ts';
import type { AuditLog } from '../audit/index.ts';
import { CheckoutService } from './checkout.service.ts';
import { CouponsRepository } from './coupons.repository.ts';
import { OffersService } from './offers.service.ts';
import { PlansRepository } from './plans.repository.ts';
import { PlansService } from './plans.service.ts';
import { ProviderEventsService } from './provider-events.service.ts';
import type { PaymentProvider, ProviderName } from './providers/payment-provider.ts';
import { PaymentProviders } from './providers/provider-registry.ts';
import { RazorpayProvider } from './providers/razorpay.provider.ts';
import { SandboxProvider } from './providers/sandbox.provider.ts';
import { StripeProvider } from './providers/stripe.provider.ts';
import { priceListAdminRoutes } from './price-list-admin.routes.ts';
import { SubscriptionsAdminRepository } from './subscriptions-admin.repository.ts';
import { subscriptionsAdminRoutes } from './subscriptions-admin.routes.ts';
import { SubscriptionsAdminService } from './subscriptions-admin.service.ts';
import { subscriptionsRoutes } from './subscriptions.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { StatusCache } from './status-cache.ts';
import { SubscriptionNoticesRepository } from './subscription-notices.repository.ts';
import { SubscriptionNoticesService, type ContactOf } from './subscription-notices.service.ts';
import { SubscriptionsRepository } from './subscriptions.repository.ts';
import { SubscriptionsService, type SetAccountPlan } from './subscriptions.service.ts';
import { WebhookEventsRepository } from './webhook-events.repository.ts';

export {
  SUBSCRIPTION_EVENTS_CHANNEL,
  lifecycleEvents,
  type SubscriptionEvent,
} from './subscription.events.ts';
export type { PlanRow } from './plans.repository.ts';
export type { Plan } from './plans.service.ts';
export type { SetAccountPlan } from './subscriptions.service.ts';
export { entitlementsOf } from './subscriptions.service.ts';

export interface SubscriptionsDeps {
  db: Kysely<DB>;
  clock: Clock;
  queue: AppQueue;
  /** The shared cache (status answers). */
  cache: Cache;
  audit: AuditLog;
  logger: Logger;
  config: Pick<Config, 'subscriptions'> & { http: Pick<Config['http'], 'publicUrl'> };
  /** Identity's write of an account's plan; nobody else calls it. */
  setAccountPlan: SetAccountPlan;
  /** Where an account's mails go (identity's `accountContact`). */
  contactOf: ContactOf;
  /** The account with an address (identity's `accountIdByEmail`), for support's search. */
  accountIdByEmail: (executor: Kysely<DB>, email: string) => Promise<string | undefined>;
  /** The account's current plan id (identity's column). */
  planIdOf: (userId: string) => Promise<string>;
  /** After a commit that changed an account's plan. */
  onPlanChanged?: (userId: string) => Promise<void>;
  /** Where subscriptions' domain events (activations, renewals, cancellations, refunds) go. */
  pubsub: PubSub;
}

export interface Subscriptions {
  plugin: FastifyPluginAsync;
  plans: PlansService;
  subscriptions: SubscriptionsService;
  checkout: CheckoutService;
  events: ProviderEventsService;
  offers: OffersService;
  /** Support actions and the figures analytics reads (`metrics()`). */
  admin: SubscriptionsAdminService;
  /** The reminder mails the schedule sends. */
  notices: SubscriptionNoticesService;
}

/**
 * Only what an audited complimentary grant needs (the `set-plan` CLI): no providers, no queue.
 */
export function createPlanGrants(
  deps: Pick<SubscriptionsDeps, 'db' | 'clock' | 'audit' | 'logger' | 'setAccountPlan'>,
) {
  const transactor = transactorFor(deps.db);
  const plans = new PlansRepository(deps.db);
  const providers = new PaymentProviders(new Map());
  return new SubscriptionsService({
    subscriptions: new SubscriptionsRepository(deps.db),
    plans,
    offers: new OffersService({
      coupons: new CouponsRepository(deps.db),
      transactor,
      audit: deps.audit,
      clock: deps.clock,
      providers,
    }),
    providers,
    transactor,
    clock: deps.clock,
    audit: deps.audit,
    logger: deps.logger,
    setAccountPlan: deps.setAccountPlan,
    onPlanChanged: async () => {},
    // A complimentary grant is no revenue: lifecycleEvents makes no event for one.
    publish: async () => {},
  });
}

/** Builds the subscriptions module: plans, offers, checkout, provider events and the schedule. */
export function createSubscriptions(deps: SubscriptionsDeps): Subscriptions {
  const { db, clock, config } = deps;
  const transactor = transactorFor(db);
  const plansRepository = new PlansRepository(db);
  const coupons = new CouponsRepository(db);
  const subscriptionsRepository = new SubscriptionsRepository(db);
  const providerMap = new Map<ProviderName, PaymentProvider>();
  const settings = config.subscriptions;
  if (settings.sandbox)
    providerMap.set(
      'sandbox',
      new SandboxProvider({ publicUrl: config.http.publicUrl, now: () => clock.now() }),
    );
  if (settings.stripe) providerMap.set('stripe', new StripeProvider({ ...settings.stripe, clock }));
  if (settings.razorpay) providerMap.set('razorpay', new RazorpayProvider({ ...settings.razorpay, clock }));
  const providers = new PaymentProviders(providerMap);
  const statusCache = new StatusCache(deps.cache);
  const afterPlanChange = deps.onPlanChanged ?? (async () => {});
  const onPlanChanged = async (userId: string) => {
    await statusCache.invalidate(userId);
    await afterPlanChange(userId);
  };

  const publish = domainEventPublisher<SubscriptionEvent>({
    pubsub: deps.pubsub,
    channel: SUBSCRIPTION_EVENTS_CHANNEL,
    logger: deps.logger,
  });
  const plans = new PlansService({ plans: plansRepository, transactor, audit: deps.audit, clock });
  const offers = new OffersService({ coupons, transactor, audit: deps.audit, clock, providers });
  const subscriptions = new SubscriptionsService({
    subscriptions: subscriptionsRepository,
    plans: plansRepository,
    offers,
    providers,
    transactor,
    clock,
    audit: deps.audit,
    logger: deps.logger,
    setAccountPlan: deps.setAccountPlan,
    onPlanChanged,
    statusCache,
    publish,
  });
  const checkout = new CheckoutService({
    subscriptions: subscriptionsRepository,
    plans: plansRepository,
    offers,
    providers,
    transactor,
    clock,
    logger: deps.logger,
    defaultCurrency: settings.defaultCurrency,
    publicUrl: config.http.publicUrl,
    onChanged: onPlanChanged,
  });
  const admin = new SubscriptionsAdminService({
    admin: new SubscriptionsAdminRepository(db),
    subscriptionsRepository,
    subscriptions,
    providers,
    transactor,
    audit: deps.audit,
    clock,
    accountIdByEmail: (email) => deps.accountIdByEmail(db, email),
    publish,
  });
  const notices = new SubscriptionNoticesService({
    notices: new SubscriptionNoticesRepository(db),
    plans: plansRepository,
    queue: deps.queue,
    transactor,
    clock,
    logger: deps.logger,
    contactOf: deps.contactOf,
    publicUrl: config.http.publicUrl,
  });
  const events = new ProviderEventsService({
    ledger: new WebhookEventsRepository(db),
    subscriptions: subscriptionsRepository,
    plans: plansRepository,
    coupons,
    service: subscriptions,
    transactor,
    queue: deps.queue,
    clock,
    logger: deps.logger,
    onPlanChanged,
    graceDays: settings.graceDays,
    publish,
  });

  const plugin = fp(
    async (app) => {
      await app.register(subscriptionsRoutes, {
        plans,
        offers,
        subscriptions,
        checkout,
        events,
        planIdOf: deps.planIdOf,
        sandboxEnabled: settings.sandbox,
      });
      await app.register(priceListAdminRoutes, { plans, offers });
      await app.register(subscriptionsAdminRoutes, { admin });
      await app.register(webhookRoutes, { events, subscriptions });
    },
    { name: 'marquee-subscriptions' },
  );
  return { plugin, plans, subscriptions, checkout, events, offers, admin, notices };
}
