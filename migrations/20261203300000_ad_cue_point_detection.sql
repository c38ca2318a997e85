-- Cue points proposed from a movie's or episode's scene changes (the ads.detect-cue-points job,
-- ffmpeg's scdet), for an admin to accept: they become cue points only when the admin puts them
-- (PUT /api/admin/ads/cue-points/:id). One detection per item; asking again replaces it.
create table ad_cue_point_detections (
  item_id uuid primary key,
  status text not null check (status in ('detecting', 'ready', 'failed')),
  threshold double precision not null check (threshold > 0 and threshold <= 100),
  -- Seconds, ascending.
  proposed jsonb not null default '[]'::jsonb,
  failure text,
  requested_at timestamptz not null,
  finished_at timestamptz
);
