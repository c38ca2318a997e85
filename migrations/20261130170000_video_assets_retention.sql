-- Superseded packages are deleted once nothing uses them (media's package retention job): an
-- asset records when a newer package replaced it, and moves ready → retiring (keys deleted, so
-- nothing new can decrypt it) → retired (its files deleted from storage). The prefix and the
-- manifest stay on the row, for the record and so an interrupted deletion can be finished.
alter table video_assets add column superseded_at timestamptz;
alter table video_assets add column retired_at timestamptz;
alter table video_assets drop constraint video_assets_status_known;
alter table video_assets add constraint video_assets_status_known
  check (status in ('queued', 'processing', 'ready', 'failed', 'cancelled', 'retiring', 'retired'));
-- Packages already replaced before this migration count as replaced now.
update video_assets set superseded_at = now()
  where status = 'ready'
    and not exists (select 1 from item_videos where item_videos.asset_id = video_assets.id);
create index video_assets_superseded_idx on video_assets (superseded_at)
  where status in ('ready', 'retiring') and superseded_at is not null;
