-- Identity and access: accounts, devices (sessions) with rotating refresh tokens, profiles,
-- one-time email tokens, OIDC identities, service API keys, security events, the audit log.

create table users (
  id uuid primary key default gen_random_uuid(),
  -- Normalised: trimmed, NFC, lower-cased. Unique.
  email text not null,
  email_verified_at timestamptz,
  name text not null,
  -- Null for accounts that only ever signed in through an OIDC provider.
  password_hash text,
  roles text[] not null default '{viewer}',
  disabled_at timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_roles_known check (roles <@ array['viewer', 'content_manager', 'support', 'admin']::text[])
);
create unique index users_email_key on users (email);
create index users_created_at_idx on users (created_at desc, id desc);
create index users_search_idx on users using gin ((email || ' ' || name) gin_trgm_ops);

create table profiles (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  avatar text,
  is_kids boolean not null default false,
  -- Highest maturity level (an age, e.g. 13 for PG-13) this profile may see; null: no cap.
  maturity_limit integer,
  pin_hash text,
  language text not null default 'en',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index profiles_user_idx on profiles (user_id, created_at);
create unique index profiles_user_name_key on profiles (user_id, lower(name));

-- One row per signed-in device. The session is the refresh-token family.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  profile_id uuid references profiles (id) on delete set null,
  device_name text not null,
  device_type text not null,
  ip text,
  user_agent text,
  auth_method text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  constraint sessions_device_type_known check (device_type in ('web', 'mobile', 'tablet', 'tv', 'desktop', 'console', 'other'))
);
create index sessions_user_active_idx on sessions (user_id, last_seen_at desc) where revoked_at is null;

-- Opaque refresh tokens, stored as SHA-256 hashes. Each is single-use; using one issues the next.
create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references sessions (id) on delete cascade,
  token_hash text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_session_idx on refresh_tokens (session_id);

-- Single-use, expiring tokens sent by mail (email verification, password reset), hashed.
create table email_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null,
  token_hash text not null,
  email text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  constraint email_tokens_purpose_known check (purpose in ('verify_email', 'reset_password'))
);
create unique index email_tokens_hash_key on email_tokens (token_hash);
create index email_tokens_user_idx on email_tokens (user_id, purpose);

create table oidc_identities (
  provider text not null,
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  email text,
  created_at timestamptz not null default now(),
  last_login_at timestamptz not null default now(),
  primary key (provider, subject)
);
create index oidc_identities_user_idx on oidc_identities (user_id);

-- Credentials for other services ("IAM roles"): hashed, shown once, scoped, expiring, revocable.
create table api_keys (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- The first characters of the key, shown in lists so an operator can tell keys apart.
  prefix text not null,
  key_hash text not null,
  scopes text[] not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text,
  revoked_at timestamptz
);
create unique index api_keys_hash_key on api_keys (key_hash);

-- What happened to an account that its owner or support may need to know about.
create table security_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references users (id) on delete cascade,
  session_id uuid,
  kind text not null,
  ip text,
  user_agent text,
  details jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index security_events_user_idx on security_events (user_id, created_at desc);

-- Every administrative change: who, what, when, before and after. Append-only.
create table audit_log (
  id uuid primary key default gen_random_uuid(),
  actor_type text not null,
  actor_id text,
  action text not null,
  target_type text not null,
  target_id text,
  before jsonb,
  after jsonb,
  ip text,
  request_id text,
  created_at timestamptz not null default now()
);
create index audit_log_created_idx on audit_log (created_at desc, id desc);
create index audit_log_target_idx on audit_log (target_type, target_id, created_at desc);
create index audit_log_actor_idx on audit_log (actor_id, created_at desc);
