-- Plays, finishes and watch time per title and hour or day: the titles, top-titles and top-genres
-- figures read these rows. analytics_rollups holds a title's row once per plan, region and device
-- (hundreds per title and day on a service with many regions and devices), so summing it per
-- title grew with that product rather than with the titles shown. analytics.roll-up rebuilds the
-- same hours and days here from analytics_rollups, in the same transaction.
create table analytics_title_rollups (
  granularity text not null check (granularity in ('hour', 'day')),
  bucket timestamptz not null,
  title_id text not null,
  plays bigint not null default 0,
  finishes bigint not null default 0,
  watch_ms bigint not null default 0,
  primary key (granularity, bucket, title_id)
);

-- What was rolled up before this table existed.
insert into analytics_title_rollups (granularity, bucket, title_id, plays, finishes, watch_ms)
select granularity, bucket, title_id, sum(plays), sum(finishes), sum(watch_ms)
from analytics_rollups
where title_id <> ''
group by 1, 2, 3;
