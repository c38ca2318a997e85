-- The moderation queue: why each report was made, and reports a moderator dismissed. A dismissed
-- report stops counting (comments.report_count counts open reports) but keeps its row, so the
-- same account cannot report that comment again and hide it once more.
alter table comment_reports
  add column reason text not null default 'other'
    check (reason in ('spam', 'harassment', 'spoiler', 'inappropriate', 'other')),
  add column dismissed_at timestamptz,
  add column dismissed_by uuid references users (id) on delete set null;
create index comment_reports_dismissed_by_idx on comment_reports (dismissed_by);
create index comment_reports_open_idx on comment_reports (comment_id) where dismissed_at is null;

-- What the queue lists, newest first: comments hidden, or with open reports, not removed.
create index comments_moderation_idx on comments (created_at desc, id desc)
  where removed_at is null and (hidden_at is not null or report_count > 0);
