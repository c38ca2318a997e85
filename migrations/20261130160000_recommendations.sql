-- Recommendations: the engagement signals they learn from, precomputed rows per profile, item
-- neighbours, "not interested", admins' pins and excludes, and impressions/clicks of rows.
-- A subject is a profile id, or 'account:<user id>' for an account without profiles.

-- The latest of each kind of signal per subject and title (from engagement events).
create table recommendation_signals (
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  title_id uuid not null references titles (id) on delete cascade,
  -- play | finish | thumb | my_list
  kind text not null,
  -- play: completion ratio 0–1; thumb: 1 up, -1 down; otherwise 1.
  value real not null default 1,
  at timestamptz not null,
  primary key (subject, title_id, kind)
);
create index recommendation_signals_user_idx on recommendation_signals (user_id);
create index recommendation_signals_title_idx on recommendation_signals (title_id);
create index recommendation_signals_at_idx on recommendation_signals (at);

-- One subject's rows, computed by the training job or refreshed after its own events;
-- subjects starting with '@' are shared ('@popular', '@trending').
create table recommendation_rows (
  subject text primary key,
  rows jsonb not null,
  computed_at timestamptz not null
);

-- Each title's most similar titles, by source (collaborative and content), for "more like this"
-- and for refreshing one profile's rows without the whole model.
create table recommendation_neighbours (
  title_id uuid primary key references titles (id) on delete cascade,
  collaborative jsonb not null,
  content jsonb not null,
  computed_at timestamptz not null
);

create table recommendation_not_interested (
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  title_id uuid not null references titles (id) on delete cascade,
  at timestamptz not null,
  primary key (subject, title_id)
);
create index recommendation_not_interested_user_idx on recommendation_not_interested (user_id);
create index recommendation_not_interested_title_idx on recommendation_not_interested (title_id);

-- Admins' rules: a title pinned to the front of a row kind, or excluded from every row.
create table recommendation_rules (
  title_id uuid not null references titles (id) on delete cascade,
  -- top_picks | because | trending | genre | similar | all
  row_kind text not null,
  action text not null check (action in ('pin', 'exclude')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null,
  primary key (title_id, row_kind)
);
create index recommendation_rules_created_by_idx on recommendation_rules (created_by);

-- What was shown and what was clicked, per row kind, for click-through.
create table recommendation_feedback (
  id bigint generated always as identity primary key,
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  title_id uuid not null references titles (id) on delete cascade,
  row_kind text not null,
  kind text not null check (kind in ('impression', 'click')),
  at timestamptz not null
);
create index recommendation_feedback_user_idx on recommendation_feedback (user_id);
create index recommendation_feedback_title_idx on recommendation_feedback (title_id);
create index recommendation_feedback_row_idx on recommendation_feedback (row_kind, kind, at);
