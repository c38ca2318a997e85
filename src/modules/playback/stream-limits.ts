/**
 * The concurrent-stream rule. Pure: the caller loads the account's open playback sessions, asks,
 * then (in the same transaction, so two devices can't both take the last slot) ends the sessions
 * the decision replaced and inserts the new one.
 */

export interface ActivePlaybackSession {
  id: string;
  /** The auth session (device) the playback runs on. */
  deviceId: string;
  itemId: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
  /** For the "who is watching" message when the limit is reached. */
  deviceName: string;
  itemName: string;
}

export interface StreamDecision {
  allowed: boolean;
  /** The live sessions that count against the limit, oldest first. When refused, these are who is watching. */
  active: ActivePlaybackSession[];
  /** Live sessions the new one takes the place of: end them when starting it. */
  replaced: ActivePlaybackSession[];
  /** Sessions whose heartbeat has lapsed: they no longer count and may be closed. */
  lapsed: ActivePlaybackSession[];
}

/** Players beat every 30 s; 2.5 beats of silence lets one beat be lost without ending the stream. */
export const DEFAULT_HEARTBEAT_LAPSE_SECONDS = 75;

/**
 * Whether `request` may start a stream. A session is live while its last heartbeat is less than
 * `heartbeatLapseSeconds` old.
 *
 * Replacement rule: a live session on the same device (the same sign-in session) is replaced by
 * the new one rather than counted, whatever it plays. That is a player reloading, recovering
 * from a network change, a start whose player failed before it could say so, or the viewer
 * picking another title: one screen, one stream. Counting it would lock a one-stream plan out of
 * its own screen until the heartbeat lapses (75 s). A device that wants two players at once
 * (two tabs, picture-in-picture) signs in twice: each sign-in is a device, counted as such.
 */
export function decideStreamStart(options: {
  sessions: readonly ActivePlaybackSession[];
  request: { deviceId: string };
  now: Date;
  maxStreams: number;
  heartbeatLapseSeconds?: number;
}): StreamDecision {
  const { sessions, request, now, maxStreams } = options;
  const lapseMs = (options.heartbeatLapseSeconds ?? DEFAULT_HEARTBEAT_LAPSE_SECONDS) * 1000;
  if (!Number.isInteger(maxStreams) || maxStreams < 0)
    throw new RangeError('maxStreams must be an integer ≥ 0');
  if (!(lapseMs > 0)) throw new RangeError('heartbeatLapseSeconds must be positive');
  const active: ActivePlaybackSession[] = [];
  const replaced: ActivePlaybackSession[] = [];
  const lapsed: ActivePlaybackSession[] = [];
  for (const session of sessions) {
    if (now.getTime() - session.lastHeartbeatAt.getTime() >= lapseMs) lapsed.push(session);
    else if (session.deviceId === request.deviceId) replaced.push(session);
    else active.push(session);
  }
  active.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
  return { allowed: active.length < maxStreams, active, replaced, lapsed };
}

/** Whether a running session may keep streaming: its heartbeat is within the lapse. */
export function isSessionLive(options: {
  session: Pick<ActivePlaybackSession, 'lastHeartbeatAt'>;
  now: Date;
  heartbeatLapseSeconds?: number;
}): boolean {
  const lapseMs = (options.heartbeatLapseSeconds ?? DEFAULT_HEARTBEAT_LAPSE_SECONDS) * 1000;
  return options.now.getTime() - options.session.lastHeartbeatAt.getTime() < lapseMs;
}
