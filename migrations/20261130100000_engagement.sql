-- Engagement: thumbs and My List per profile; what progress needs to stay exact across instances;
-- rating aggregates kept incrementally (an exact sum, and the prior the Bayesian score uses).

-- Thumbs up or down, per profile (profile_key as in watch_progress: 'account' without a profile).
create table title_reactions (
  user_id uuid not null references users (id) on delete cascade,
  profile_key text not null,
  title_id uuid not null references titles (id) on delete cascade,
  reaction text not null,
  reacted_at timestamptz not null default now(),
  primary key (user_id, profile_key, title_id),
  constraint title_reactions_reaction check (reaction in ('up', 'down'))
);
create index title_reactions_title_idx on title_reactions (title_id);

-- My List: the titles a profile keeps, in its own order (smallest position first).
create table my_list (
  user_id uuid not null references users (id) on delete cascade,
  profile_key text not null,
  title_id uuid not null references titles (id) on delete cascade,
  position integer not null,
  added_at timestamptz not null default now(),
  primary key (user_id, profile_key, title_id)
);
create index my_list_order_idx on my_list (user_id, profile_key, position);
create index my_list_title_idx on my_list (title_id);

-- The title an item belongs to (itself for a movie, its series for an episode), so continue
-- watching shows one row per series; finished items leave it. updated_at is the player's time
-- of the position (capped at the server's now), so the latest position wins on any instance.
alter table watch_progress add column title_id uuid;
alter table watch_progress add column finished boolean not null default false;
update watch_progress set title_id = coalesce((select e.title_id from episodes e where e.id = watch_progress.item_id), item_id);
create index watch_progress_continue_idx on watch_progress (user_id, profile_key, updated_at desc) where not finished;

-- The exact sum behind rating_average, so one rating changes the aggregates without a recount,
-- and the prior mean the Bayesian rating_score shrinks towards (refreshed by the bulk recount).
alter table titles add column rating_sum numeric not null default 0;
update titles set rating_sum = s.total
  from (select title_id, sum(score) as total from title_ratings group by title_id) s
  where s.title_id = titles.id;
create table title_rating_prior (
  singleton boolean primary key default true,
  mean double precision not null,
  constraint title_rating_prior_one_row check (singleton)
);
insert into title_rating_prior (mean) select coalesce(avg(score), 3)::float8 from title_ratings;
