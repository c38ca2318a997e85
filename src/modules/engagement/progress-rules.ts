/**
 * The rules of watch progress, pure: where a position is clamped, when an item counts as
 * finished, where playing resumes.
 */

/**
 * Finished: within 30 s of the end, or in the last 5 % of a short item (credits). A finished
 * item leaves "continue watching" and plays again from the start.
 */
export function isFinished(positionSeconds: number, durationSeconds: number | null): boolean {
  if (durationSeconds === null || durationSeconds <= 0) return false;
  return durationSeconds - positionSeconds < Math.min(30, durationSeconds * 0.05);
}

/** A reported position as stored: never past the item's end (negative positions are refused earlier). */
export function clampPosition(positionSeconds: number, durationSeconds: number | null): number {
  const atLeastZero = Math.max(0, positionSeconds);
  return durationSeconds === null ? atLeastZero : Math.min(atLeastZero, durationSeconds);
}

/** Where playing resumes: the stored position, or the start once finished. */
export function resumeFrom(positionSeconds: number, durationSeconds: number | null): number {
  return isFinished(positionSeconds, durationSeconds) ? 0 : positionSeconds;
}

/**
 * The time a position counts as recorded at: the player's timestamp (offline playback syncs
 * later), never after the server's now, so a wrong device clock can't pin a position forever.
 */
export function recordedAt(playerTime: Date | undefined, now: Date): Date {
  if (!playerTime || playerTime > now) return now;
  return playerTime;
}
