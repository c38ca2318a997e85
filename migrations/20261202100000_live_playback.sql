-- Live playback (issue 16): a stream plays either a packaged video asset or a live event, and a
-- content key encrypts either a package or a live event's segments (the live transcoder's
-- rotating keys, wrapped under the master key like every other). An event's recording becomes
-- a draft title, remembered here so the recording job runs once.
alter table playback_sessions alter column asset_id drop not null;
alter table playback_sessions add column live_event_id uuid references live_events (id) on delete cascade;
alter table playback_sessions add constraint playback_sessions_plays_one
  check (num_nonnulls(asset_id, live_event_id) = 1);
create index playback_sessions_live_event_idx on playback_sessions (live_event_id) where live_event_id is not null;

alter table content_keys alter column asset_id drop not null;
alter table content_keys add column live_event_id uuid references live_events (id) on delete cascade;
alter table content_keys add constraint content_keys_encrypt_one
  check (num_nonnulls(asset_id, live_event_id) = 1);
create index content_keys_live_event_idx on content_keys (live_event_id) where live_event_id is not null;

alter table live_events add column recording_title_id uuid references titles (id) on delete set null;
create index live_events_recording_title_idx on live_events (recording_title_id);
