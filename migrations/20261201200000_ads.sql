-- Ads for plans that carry them (issue #17): advertisers, campaigns, creatives, title cue points,
-- and what was delivered. The ads module owns these tables; subscriptions still owns `plans` and
-- gains each plan's ad policy here (read through its service).

-- The plan's ad policy: a pre-roll or not, a mid-roll every N seconds (0: none) placed at the
-- nearest cue point, and at most this many ads in one break. Only plans with has_ads use it.
alter table plans add column ad_preroll boolean not null default true;
alter table plans add column ad_midroll_interval_seconds integer not null default 600
  check (ad_midroll_interval_seconds = 0 or ad_midroll_interval_seconds between 60 and 7200);
alter table plans add column ad_pod_max integer not null default 2 check (ad_pod_max between 1 and 6);

create table ad_advertisers (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  created_at timestamptz not null default now()
);

create table ad_campaigns (
  id uuid primary key default gen_random_uuid(),
  advertiser_id uuid not null references ad_advertisers (id) on delete cascade,
  name text not null,
  status text not null default 'active' check (status in ('active', 'paused')),
  -- Higher first; price breaks ties among equal priorities.
  priority integer not null check (priority between 1 and 10),
  -- Minor units per thousand impressions; each impression spends cpm_minor thousandths of a minor unit.
  cpm_minor bigint not null check (cpm_minor between 0 and 10000000),
  budget_minor bigint not null check (budget_minor between 1 and 100000000000),
  daily_impression_cap integer check (daily_impression_cap between 1 and 1000000000),
  frequency_cap_per_day integer check (frequency_cap_per_day between 1 and 100),
  competitive_category text,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  -- {genres, minMaturity, maxMaturity, regions, deviceTypes, hoursUtc, contentKinds}: absent = any.
  targeting jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index ad_campaigns_advertiser_idx on ad_campaigns (advertiser_id);

create table ad_creatives (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references ad_campaigns (id) on delete cascade,
  name text not null,
  click_through_url text not null,
  companion_image_url text,
  status text not null default 'awaiting_upload'
    check (status in ('awaiting_upload', 'processing', 'ready', 'failed')),
  source_key text,
  duration_seconds double precision,
  -- [{height, width, bitrateKbps, key}]: progressive MP4s the VAST MediaFiles point at.
  renditions jsonb not null default '[]'::jsonb,
  failure text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index ad_creatives_campaign_idx on ad_creatives (campaign_id);

-- Admin-set break points of a playable item (a movie or an episode), in seconds.
create table ad_cue_points (
  item_id uuid not null,
  seconds double precision not null check (seconds > 0),
  primary key (item_id, seconds)
);

-- Each beacon counted once per ad instance and event, whichever instance received it and
-- however often it was sent.
create table ad_beacons (
  instance_id uuid not null,
  event text not null,
  campaign_id uuid not null,
  received_at timestamptz not null,
  primary key (instance_id, event)
);
create index ad_beacons_received_idx on ad_beacons (received_at);

-- What was delivered per campaign and UTC day: budgets, pacing and the report read it.
create table ad_delivery_daily (
  campaign_id uuid not null references ad_campaigns (id) on delete cascade,
  day date not null,
  impressions bigint not null default 0,
  starts bigint not null default 0,
  first_quartiles bigint not null default 0,
  midpoints bigint not null default 0,
  third_quartiles bigint not null default 0,
  completes bigint not null default 0,
  skips bigint not null default 0,
  clicks bigint not null default 0,
  errors bigint not null default 0,
  -- Thousandths of a minor unit (an impression at cpm_minor costs cpm_minor of them).
  spend_milli bigint not null default 0,
  primary key (campaign_id, day)
);

-- Ad slots asked for and filled per UTC day: the fill rate.
create table ad_slots_daily (
  day date primary key,
  requested bigint not null default 0,
  filled bigint not null default 0
);
