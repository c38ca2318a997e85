-- Catalog: plans (tiers a title may require), maturity ratings, genres, people, titles with
-- seasons and episodes, credits, artwork, availability, and the ratings demo viewers gave.

-- Subscription plans. Until payments land, these rows are the plans; the tier orders them.
create table plans (
  id text primary key,
  name text not null,
  tier integer not null unique,
  max_height integer not null,
  max_streams integer not null,
  max_devices integer not null,
  max_downloads integer not null,
  max_download_devices integer not null,
  price_cents integer not null default 0,
  currency text not null default 'USD',
  created_at timestamptz not null default now()
);
insert into plans (id, name, tier, max_height, max_streams, max_devices, max_downloads, max_download_devices, price_cents) values
  ('free', 'Free', 0, 480, 1, 2, 0, 0, 0),
  ('basic', 'Basic', 1, 720, 1, 3, 10, 1, 799),
  ('standard', 'Standard', 2, 1080, 2, 5, 30, 2, 1399),
  ('premium', 'Premium', 3, 2160, 4, 8, 100, 6, 1999);

alter table users add column plan_id text not null default 'free' references plans (id);
-- Where the account lives (ISO 3166-1 alpha-2), when known; region rules use the request's
-- country first.
alter table users add column country text;

-- A configurable rating system: each rating maps to an age ("level"); a profile's maturity
-- limit is an age too.
create table maturity_ratings (
  code text primary key,
  system text not null,
  level integer not null,
  label text not null,
  position integer not null
);
insert into maturity_ratings (code, system, level, label, position) values
  ('G', 'us-film', 0, 'General audiences', 1),
  ('PG', 'us-film', 10, 'Parental guidance suggested', 2),
  ('PG-13', 'us-film', 13, 'Parents strongly cautioned', 3),
  ('R', 'us-film', 17, 'Restricted', 4),
  ('NC-17', 'us-film', 18, 'Adults only', 5),
  ('TV-Y', 'us-tv', 0, 'All children', 10),
  ('TV-Y7', 'us-tv', 7, 'Directed to older children', 11),
  ('TV-G', 'us-tv', 0, 'General audience', 12),
  ('TV-PG', 'us-tv', 10, 'Parental guidance suggested', 13),
  ('TV-14', 'us-tv', 14, 'Parents strongly cautioned', 14),
  ('TV-MA', 'us-tv', 17, 'Mature audience only', 15);

create table genres (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique,
  name text not null,
  created_at timestamptz not null default now()
);

create table people (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  biography text,
  photo_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index people_name_trgm_idx on people using gin (lower(name) gin_trgm_ops);

create table titles (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  title text not null,
  original_title text,
  synopsis text not null default '',
  release_date date,
  release_year integer,
  runtime_minutes integer,
  maturity_rating text references maturity_ratings (code),
  -- Copied from the rating so that filtering by a profile's limit needs no join.
  maturity_level integer not null default 0,
  audio_languages text[] not null default '{}',
  subtitle_languages text[] not null default '{}',
  tags text[] not null default '{}',
  poster_key text,
  backdrop_key text,
  publish_at timestamptz,
  unpublish_at timestamptz,
  -- ISO 3166-1 alpha-2 countries where the title may be shown; null means everywhere.
  allowed_regions text[],
  min_plan_tier integer not null default 0,
  status text not null default 'draft',
  popularity double precision not null default 0,
  rating_average double precision,
  rating_count integer not null default 0,
  external_ids jsonb not null default '{}',
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (
    setweight(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(original_title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(synopsis, '')), 'B')
  ) stored,
  constraint titles_kind_known check (kind in ('movie', 'series')),
  constraint titles_status_known check (status in ('draft', 'processing', 'ready', 'published', 'archived')),
  constraint titles_window_ordered check (unpublish_at is null or publish_at is null or unpublish_at > publish_at)
);
create index titles_search_idx on titles using gin (search);
create index titles_title_trgm_idx on titles using gin (lower(title) gin_trgm_ops);
create index titles_published_idx on titles (published_at desc, id desc) where status = 'published';
create index titles_popularity_idx on titles (popularity desc, id desc) where status = 'published';
create index titles_rating_idx on titles (rating_average desc nulls last, id desc) where status = 'published';
create index titles_title_sort_idx on titles (lower(title), id) where status = 'published';
create index titles_year_idx on titles (release_year) where status = 'published';
create index titles_audio_idx on titles using gin (audio_languages);
create unique index titles_movielens_key on titles ((external_ids ->> 'movielens')) where external_ids ? 'movielens';

create table title_genres (
  title_id uuid not null references titles (id) on delete cascade,
  genre_id uuid not null references genres (id) on delete restrict,
  primary key (title_id, genre_id)
);
create index title_genres_genre_idx on title_genres (genre_id, title_id);

create table title_credits (
  id uuid primary key default gen_random_uuid(),
  title_id uuid not null references titles (id) on delete cascade,
  person_id uuid not null references people (id) on delete restrict,
  role text not null,
  character_name text,
  position integer not null default 0,
  constraint title_credits_role_known check (role in ('actor', 'director', 'writer', 'producer', 'creator', 'composer'))
);
create index title_credits_title_idx on title_credits (title_id, position);
create index title_credits_person_idx on title_credits (person_id);

create table seasons (
  id uuid primary key default gen_random_uuid(),
  title_id uuid not null references titles (id) on delete cascade,
  number integer not null,
  name text,
  synopsis text not null default '',
  release_date date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (title_id, number)
);

create table episodes (
  id uuid primary key default gen_random_uuid(),
  season_id uuid not null references seasons (id) on delete cascade,
  title_id uuid not null references titles (id) on delete cascade,
  number integer not null,
  name text not null,
  synopsis text not null default '',
  runtime_minutes integer,
  release_date date,
  status text not null default 'draft',
  publish_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (season_id, number),
  constraint episodes_status_known check (status in ('draft', 'processing', 'ready', 'published', 'archived'))
);
create index episodes_title_idx on episodes (title_id);

-- Ratings viewers gave titles (0.5–5). Seeded from MovieLens for the demo viewers; the
-- engagement feature writes here too.
create table title_ratings (
  profile_id uuid not null references profiles (id) on delete cascade,
  title_id uuid not null references titles (id) on delete cascade,
  score numeric not null,
  rated_at timestamptz not null default now(),
  primary key (profile_id, title_id),
  constraint title_ratings_score_range check (score >= 0.5 and score <= 5)
);
create index title_ratings_title_idx on title_ratings (title_id);
