-- Analytics: raw events appended to a table partitioned by day (analytics.maintain-partitions
-- creates partitions ahead and drops whole ones past ANALYTICS_RETENTION_DAYS), and rollups by
-- hour and day that dashboards read (analytics.roll-up keeps them, from a watermark). No default
-- partition: an event outside the partitions that exist is refused by the sink before insert, so
-- creating a new partition never has to scan one.
create table analytics_events (
  id bigserial not null,
  -- The producer's id (a beacon's own uuid, or a hash of a domain event): a retried batch or an
  -- event heard by two API instances is stored once.
  event_id uuid not null,
  type text not null,
  occurred_at timestamptz not null,
  received_at timestamptz not null,
  user_id uuid,
  session_id uuid,
  title_id uuid,
  item_id uuid,
  plan_id text not null default '',
  region text not null default '',
  device text not null default '',
  app_version text not null default '',
  payload jsonb not null default '{}'::jsonb
) partition by range (occurred_at);
create unique index analytics_events_event_idx on analytics_events (event_id, occurred_at);
create index analytics_events_id_idx on analytics_events (id);
create index analytics_events_occurred_idx on analytics_events (occurred_at);

-- One row per granularity, bucket and dimensions; '' is "unknown" (dimensions are the key).
create table analytics_rollups (
  granularity text not null check (granularity in ('hour', 'day')),
  bucket timestamptz not null,
  title_id text not null,
  plan_id text not null,
  region text not null,
  device text not null,
  plays bigint not null default 0,
  finishes bigint not null default 0,
  watch_ms bigint not null default 0,
  startup_ms_sum bigint not null default 0,
  startup_count bigint not null default 0,
  rebuffer_count bigint not null default 0,
  rebuffer_ms bigint not null default 0,
  bitrate_switches bigint not null default 0,
  errors bigint not null default 0,
  events bigint not null default 0,
  primary key (granularity, bucket, title_id, plan_id, region, device)
);
create index analytics_rollups_bucket_idx on analytics_rollups (granularity, bucket);

-- How far the rollup job has read the raw events (by their ingest id).
create table analytics_watermarks (
  name text primary key,
  last_event_id bigint not null default 0,
  updated_at timestamptz not null
);
