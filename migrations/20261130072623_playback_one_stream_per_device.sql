-- One live stream per device (sign-in session): starting playback again on a device replaces the
-- stream it had, whatever the title, so a reload or a failed start never counts twice against
-- the plan. Streams started before this rule may overlap on a device: each device keeps its
-- newest, the rest end as replaced.
update playback_sessions
set ended_at = now(), ended_reason = 'replaced'
where ended_at is null
  and id not in (
    select distinct on (auth_session_id) id
    from playback_sessions
    where ended_at is null
    order by auth_session_id, started_at desc, id desc
  );
create unique index playback_sessions_one_live_per_device
  on playback_sessions (auth_session_id) where ended_at is null;
