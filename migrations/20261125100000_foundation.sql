-- Foundation: extensions every later migration may rely on, the mail outbox, admin settings.
-- Runs on PostgreSQL 15 and on PGlite (PostgreSQL 18): keep to syntax both accept.

create extension if not exists pg_trgm;

-- Mail sent while no SMTP server is configured (embedded mode): an admin reads it instead.
create table mail_outbox (
  id uuid primary key default gen_random_uuid(),
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  created_at timestamptz not null default now()
);
create index mail_outbox_created_at_idx on mail_outbox (created_at desc);
create index mail_outbox_to_address_idx on mail_outbox (lower(to_address), created_at desc);

-- Admin-editable settings; defaults live in code, a row here overrides one.
create table app_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by uuid
);
