-- Comments on titles: one level of replies, soft delete, reports that hide a comment
-- automatically, removal by moderators, and per-account comment bans.
create table comments (
  id uuid primary key default gen_random_uuid(),
  title_id uuid not null references titles (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  profile_key text not null,
  author_name text not null,
  -- A reply's top-level comment (replies to replies are refused: one level).
  parent_id uuid references comments (id) on delete cascade,
  body text not null,
  reply_count integer not null default 0,
  report_count integer not null default 0,
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  hidden_at timestamptz,
  removed_at timestamptz,
  removed_by uuid references users (id) on delete set null
);
create index comments_title_newest_idx on comments (title_id, created_at desc, id desc) where parent_id is null;
create index comments_title_top_idx on comments (title_id, reply_count desc, id desc) where parent_id is null;
create index comments_parent_idx on comments (parent_id, created_at desc, id desc);
create index comments_user_idx on comments (user_id);
create index comments_removed_by_idx on comments (removed_by);

-- One report per account and comment: N distinct reporters hide it.
create table comment_reports (
  comment_id uuid not null references comments (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (comment_id, user_id)
);
create index comment_reports_user_idx on comment_reports (user_id);

-- Accounts that may not comment.
create table comment_bans (
  user_id uuid primary key references users (id) on delete cascade,
  banned_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index comment_bans_banned_by_idx on comment_bans (banned_by);
