-- Rollups of the domain events other modules publish (sign-ups, subscriptions and their money,
-- streams started, ads, recommendation impressions and clicks, live): one row per granularity,
-- bucket, event type and two keys whose meaning depends on the type (see rollups.repository.ts:
-- plan and currency for subscriptions, beacon event and campaign for ads, row for recommendations,
-- live event for live). Kept by analytics.roll-up like analytics_rollups, and kept past retention.
create table analytics_counters (
  granularity text not null check (granularity in ('hour', 'day')),
  bucket timestamptz not null,
  type text not null,
  key1 text not null,
  key2 text not null,
  -- How many (a batch event counts what it carries: recommendation counts, ad slots requested).
  count bigint not null default 0,
  -- Money or a second count: minor units for subscriptions, thousandths of a minor unit of ad
  -- revenue, ad slots filled.
  amount bigint not null default 0,
  -- Change of monthly recurring revenue (minor units) and of paying subscribers.
  mrr_delta bigint not null default 0,
  paying_delta bigint not null default 0,
  -- Highest value seen (live viewers, concurrent streams).
  peak bigint not null default 0,
  primary key (granularity, bucket, type, key1, key2)
);
create index analytics_counters_type_idx on analytics_counters (granularity, type, bucket);

-- Who was active on which UTC day (any event with an account): daily and monthly active profiles
-- count distinct rows here, never the raw events. Only grows: a late event adds its day's row.
create table analytics_active_profiles (
  day date not null,
  user_id uuid not null,
  profile_key text not null,
  primary key (day, user_id, profile_key)
);
