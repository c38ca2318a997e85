-- Live ingest liveness (issue 16): the ingest hosting an event's publisher (or its grace window)
-- notes the time every few seconds. An event still 'live' whose ingest stopped noting — the
-- worker was SIGTERM'd, killed or lost — is ended by the `live.end-unattended` job after the
-- grace window, instead of staying live forever.
alter table live_events add column ingest_seen_at timestamptz;
