-- Live events (issue 16): an admin-scheduled broadcast with the catalog's gates (plan tier,
-- maturity level, regions), a stream key the broadcaster publishes with (stored as its SHA-256
-- only), its state, and its chat. Chat history lives here because the pub/sub port is
-- at-most-once: a reconnecting viewer resumes from the table, not from the bus.
create table live_events (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  description text,
  artwork_url text,
  scheduled_start timestamptz not null,
  min_plan_tier integer not null default 0,
  -- An age, compared with a profile's maturity limit exactly as a title's level is.
  maturity_level integer not null default 0,
  -- null: everywhere (the catalog's rule).
  allowed_regions text[],
  state text not null default 'scheduled' check (state in ('scheduled', 'live', 'ended')),
  stream_key_hash text not null,
  started_at timestamptz,
  ended_at timestamptz,
  -- Chat settings a moderator changes while the event runs.
  slow_mode_seconds integer not null default 0,
  pinned_message_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index live_events_stream_key_idx on live_events (stream_key_hash);
create index live_events_schedule_idx on live_events (scheduled_start desc, id desc);

-- Chat messages: the id is the order a client resumes from.
create table live_chat_messages (
  id bigint generated always as identity primary key,
  event_id uuid not null references live_events (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  author_name text not null,
  body text not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid references users (id) on delete set null
);
create index live_chat_messages_event_idx on live_chat_messages (event_id, id desc);
create index live_chat_messages_user_idx on live_chat_messages (user_id);
create index live_chat_messages_deleted_by_idx on live_chat_messages (deleted_by);
