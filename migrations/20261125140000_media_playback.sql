-- Media and playback: uploaded sources and their encrypted HLS packages, content keys wrapped
-- under the master key, which package each playable item plays; playback sessions (streams),
-- resume positions, and offline downloads with the device keys their licences are wrapped for.

-- One uploaded source and what the pipeline made of it. An item keeps every upload it ever had;
-- item_videos says which one it plays.
create table video_assets (
  id uuid primary key default gen_random_uuid(),
  -- A movie (titles.id) or an episode (episodes.id): the catalog's PlayableItems resolves it.
  item_id uuid not null,
  source_key text not null,
  source_name text not null,
  source_bytes bigint not null,
  -- Subtitle files uploaded with the source: [{storageKey, language, label}].
  subtitles jsonb not null default '[]',
  status text not null default 'queued',
  progress real not null default 0,
  attempts integer not null default 0,
  job_id text,
  failure_code text,
  failure_reason text,
  -- Where the package lives in storage: a fresh prefix per attempt, so a re-run never
  -- overwrites what viewers are being served.
  package_prefix text,
  manifest jsonb,
  duration_seconds double precision,
  width integer,
  height integer,
  uploaded_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  constraint video_assets_status_known check (status in ('queued', 'processing', 'ready', 'failed', 'cancelled'))
);
create index video_assets_item_idx on video_assets (item_id, created_at desc);
create index video_assets_recent_idx on video_assets (created_at desc, id desc);

-- The pointer: which finished package an item plays. Switched in one statement when a
-- transcode finishes, so viewers see the old package or the new one, never a mix.
create table item_videos (
  item_id uuid primary key,
  asset_id uuid not null references video_assets (id),
  updated_at timestamptz not null default now()
);

create table video_renditions (
  asset_id uuid not null references video_assets (id) on delete cascade,
  name text not null,
  kind text not null,
  tier text,
  width integer,
  height integer,
  bandwidth integer,
  average_bandwidth integer,
  codecs text,
  frame_rate real,
  language text,
  label text,
  is_default boolean not null default false,
  playlist text not null,
  duration_seconds double precision,
  primary key (asset_id, name),
  constraint video_renditions_kind_known check (kind in ('video', 'audio', 'subtitles'))
);

-- AES-128 content keys, wrapped (AES-256-GCM) under the master key that never enters the database.
create table content_keys (
  id uuid primary key,
  asset_id uuid not null references video_assets (id) on delete cascade,
  tier text not null,
  wrapped_key bytea not null,
  iv bytea not null,
  first_segment integer not null,
  renditions text[] not null,
  created_at timestamptz not null default now(),
  constraint content_keys_tier_known check (tier in ('SD', 'HD', 'FHD', 'UHD'))
);
create index content_keys_asset_idx on content_keys (asset_id);

-- A stream: one device playing one item. It counts against the plan's limit until its heartbeat lapses.
create table playback_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  profile_id uuid references profiles (id) on delete set null,
  -- The signed-in device (sessions.id) that started it.
  auth_session_id uuid not null,
  device_name text not null,
  item_id uuid not null,
  item_name text not null,
  asset_id uuid not null references video_assets (id),
  max_height integer not null,
  ip text,
  started_at timestamptz not null default now(),
  last_heartbeat_at timestamptz not null default now(),
  position_seconds double precision not null default 0,
  ended_at timestamptz,
  ended_reason text
);
create index playback_sessions_active_idx on playback_sessions (user_id, last_heartbeat_at desc) where ended_at is null;

-- Resume watching: the last position per profile and item (the account's when no profile is active).
create table watch_progress (
  user_id uuid not null references users (id) on delete cascade,
  profile_key text not null,
  item_id uuid not null,
  position_seconds double precision not null,
  duration_seconds double precision,
  updated_at timestamptz not null default now(),
  primary key (user_id, profile_key, item_id)
);
create index watch_progress_recent_idx on watch_progress (user_id, profile_key, updated_at desc);

-- A device that may hold offline downloads: the public key its licences are wrapped for.
create table download_devices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  auth_session_id uuid,
  name text not null,
  public_key text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index download_devices_user_idx on download_devices (user_id) where revoked_at is null;

create table downloads (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  profile_id uuid references profiles (id) on delete set null,
  device_id uuid not null references download_devices (id) on delete cascade,
  item_id uuid not null,
  asset_id uuid not null references video_assets (id),
  max_height integer not null,
  created_at timestamptz not null default now(),
  licence_expires_at timestamptz not null,
  first_played_at timestamptz,
  renewed_at timestamptz,
  returned_at timestamptz
);
create index downloads_user_active_idx on downloads (user_id, created_at desc) where returned_at is null;
