-- Quality of experience by rendition, plan, region and device, with a histogram of start times:
-- the dashboard reads start-time percentiles (p50, p95) and QoE per rendition from here, never
-- from the raw events. Kept by analytics.roll-up beside analytics_rollups, from the same hours.
-- startup_bin_N counts plays whose start time fell in bin N; the bins' upper bounds (ms) are
-- 250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 10000, 20000 and then everything above
-- (src/modules/analytics/qoe-bins.ts). A new bound needs a new migration.
create table analytics_qoe_rollups (
  granularity text not null check (granularity in ('hour', 'day')),
  bucket timestamptz not null,
  -- 0 when the player did not say.
  rendition_height integer not null,
  plan_id text not null,
  region text not null,
  device text not null,
  plays bigint not null default 0,
  startup_ms_sum bigint not null default 0,
  watch_ms bigint not null default 0,
  rebuffer_count bigint not null default 0,
  rebuffer_ms bigint not null default 0,
  bitrate_switches bigint not null default 0,
  errors bigint not null default 0,
  startup_bin_0 bigint not null default 0,
  startup_bin_1 bigint not null default 0,
  startup_bin_2 bigint not null default 0,
  startup_bin_3 bigint not null default 0,
  startup_bin_4 bigint not null default 0,
  startup_bin_5 bigint not null default 0,
  startup_bin_6 bigint not null default 0,
  startup_bin_7 bigint not null default 0,
  startup_bin_8 bigint not null default 0,
  startup_bin_9 bigint not null default 0,
  startup_bin_10 bigint not null default 0,
  startup_bin_11 bigint not null default 0,
  primary key (granularity, bucket, rendition_height, plan_id, region, device)
);
create index analytics_qoe_rollups_bucket_idx on analytics_qoe_rollups (granularity, bucket);
