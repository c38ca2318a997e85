-- Subscriptions, payments and offers. The subscriptions module owns these tables and `plans`;
-- it is the only writer of users.plan_id (through identity's service).

-- Plans gain what checkout and the plans page need. `tier` stays the catalog tier a plan unlocks
-- (titles.min_plan_tier compares to it). price_cents/currency stay for old readers; prices now
-- live in plan_prices, one per currency and interval.
alter table plans add column trial_days integer not null default 0 check (trial_days between 0 and 365);
alter table plans add column has_ads boolean not null default false;
alter table plans add column active boolean not null default true;
alter table plans add column updated_at timestamptz not null default now();
update plans set has_ads = true where id = 'free';
update plans set trial_days = 7 where id in ('basic', 'standard', 'premium');

create table plan_prices (
  id uuid primary key default gen_random_uuid(),
  plan_id text not null references plans (id) on delete cascade,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  billing_interval text not null check (billing_interval in ('month', 'year')),
  -- Minor units (cents, paise); at most 1,000,000.00 a period.
  amount_minor bigint not null check (amount_minor between 0 and 100000000),
  stripe_price_id text,
  razorpay_plan_id text,
  created_at timestamptz not null default now(),
  unique (plan_id, currency, billing_interval)
);
insert into plan_prices (plan_id, currency, billing_interval, amount_minor)
select id, 'USD', 'month', price_cents from plans where price_cents > 0
union all
select id, 'USD', 'year', price_cents * 10 from plans where price_cents > 0
union all
select id, 'INR', 'month', price_cents * 25 from plans where price_cents > 0;

create table coupons (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  percent_off integer check (percent_off between 1 and 100),
  amount_off_minor bigint check (amount_off_minor between 1 and 100000000),
  currency text check (currency ~ '^[A-Z]{3}$'),
  duration text not null check (duration in ('once', 'repeating', 'forever')),
  duration_months integer check (duration_months between 1 and 120),
  valid_from timestamptz,
  valid_until timestamptz,
  max_redemptions integer check (max_redemptions >= 1),
  per_user_limit integer not null default 1 check (per_user_limit >= 1),
  redemption_count integer not null default 0 check (redemption_count >= 0),
  first_subscription_only boolean not null default false,
  -- Null: every plan.
  plan_ids text[],
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((percent_off is null) <> (amount_off_minor is null)),
  check ((amount_off_minor is null) = (currency is null)),
  check ((duration = 'repeating') = (duration_months is not null)),
  check (max_redemptions is null or redemption_count <= max_redemptions)
);

create table subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  plan_id text not null references plans (id),
  price_id uuid references plan_prices (id) on delete set null,
  provider text not null check (provider in ('stripe', 'razorpay', 'sandbox', 'complimentary')),
  provider_subscription_id text,
  provider_customer_id text,
  status text not null check (status in ('incomplete', 'trialing', 'active', 'past_due', 'grace', 'canceled', 'expired')),
  billing_interval text check (billing_interval in ('month', 'year')),
  currency text,
  amount_minor bigint check (amount_minor >= 0),
  current_period_start timestamptz,
  current_period_end timestamptz,
  trial_end timestamptz,
  grace_until timestamptz,
  cancel_at_period_end boolean not null default false,
  -- A downgrade waits for the period end.
  pending_plan_id text references plans (id),
  coupon_id uuid references coupons (id) on delete set null,
  -- The newest provider event applied, so an older one arriving late changes nothing.
  provider_updated_at timestamptz,
  canceled_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index subscriptions_user_id on subscriptions (user_id, created_at desc);
create index subscriptions_plan_id on subscriptions (plan_id);
create index subscriptions_price_id on subscriptions (price_id);
create index subscriptions_pending_plan_id on subscriptions (pending_plan_id);
create index subscriptions_coupon_id on subscriptions (coupon_id);
create unique index subscriptions_provider_id on subscriptions (provider, provider_subscription_id)
  where provider_subscription_id is not null;
-- One subscription that entitles per account, settled by the database.
create unique index subscriptions_one_live on subscriptions (user_id)
  where status in ('trialing', 'active', 'past_due', 'grace');
create index subscriptions_period_end on subscriptions (current_period_end)
  where status in ('trialing', 'active', 'past_due', 'grace');

create table coupon_redemptions (
  id uuid primary key default gen_random_uuid(),
  coupon_id uuid not null references coupons (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  subscription_id uuid references subscriptions (id) on delete set null,
  redeemed_at timestamptz not null default now()
);
create index coupon_redemptions_coupon_user on coupon_redemptions (coupon_id, user_id);
create index coupon_redemptions_user_id on coupon_redemptions (user_id);
create index coupon_redemptions_subscription_id on coupon_redemptions (subscription_id);

create table subscription_payments (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid not null references subscriptions (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  provider text not null,
  provider_payment_id text not null,
  status text not null check (status in ('paid', 'failed', 'refunded', 'disputed')),
  amount_minor bigint not null check (amount_minor >= 0),
  currency text not null,
  period_start timestamptz,
  period_end timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, provider_payment_id)
);
create index subscription_payments_subscription_id on subscription_payments (subscription_id);
create index subscription_payments_user_id on subscription_payments (user_id, created_at desc);

-- Every verified provider event, once (keyed by the provider's own id); applied by a job.
create table webhook_events (
  provider text not null,
  event_id text not null,
  type text not null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  applied_at timestamptz,
  primary key (provider, event_id)
);
create index webhook_events_unapplied on webhook_events (received_at) where applied_at is null;
