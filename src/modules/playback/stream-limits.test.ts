import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideStreamStart, isSessionLive, type ActivePlaybackSession } from './stream-limits.ts';

const now = new Date('2026-03-01T20:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const session = (
  id: string,
  deviceId: string,
  itemId: string,
  heartbeatSecondsAgo: number,
): ActivePlaybackSession => ({
  id,
  deviceId,
  itemId,
  startedAt: secondsAgo(3600 - id.charCodeAt(0)),
  lastHeartbeatAt: secondsAgo(heartbeatSecondsAgo),
  deviceName: `device ${deviceId}`,
  itemName: `item ${itemId}`,
});

describe('decideStreamStart', () => {
  const cases: Array<{
    name: string;
    sessions: ActivePlaybackSession[];
    request?: { deviceId: string };
    maxStreams: number;
    heartbeatLapseSeconds?: number;
    allowed: boolean;
    active: string[];
    replaced?: string[];
    lapsed?: string[];
  }> = [
    { name: 'nothing playing', sessions: [], maxStreams: 1, allowed: true, active: [] },
    { name: 'a plan with no streams', sessions: [], maxStreams: 0, allowed: false, active: [] },
    {
      name: 'the one slot taken by another device',
      sessions: [session('a', 'tv', 'film', 10)],
      maxStreams: 1,
      allowed: false,
      active: ['a'],
    },
    {
      name: 'one of two slots taken',
      sessions: [session('a', 'tv', 'film', 10)],
      maxStreams: 2,
      allowed: true,
      active: ['a'],
    },
    {
      name: 'a heartbeat 74.9 s old still counts',
      sessions: [session('a', 'tv', 'film', 74.9)],
      maxStreams: 1,
      allowed: false,
      active: ['a'],
    },
    {
      name: 'a heartbeat exactly 75 s old has lapsed',
      sessions: [session('a', 'tv', 'film', 75)],
      maxStreams: 1,
      allowed: true,
      active: [],
      lapsed: ['a'],
    },
    {
      name: 'a custom lapse',
      sessions: [session('a', 'tv', 'film', 40)],
      maxStreams: 1,
      heartbeatLapseSeconds: 30,
      allowed: true,
      active: [],
      lapsed: ['a'],
    },
    {
      name: 'the same device restarting the same item replaces its own session',
      sessions: [session('a', 'phone', 'show-e1', 5)],
      maxStreams: 1,
      allowed: true,
      active: [],
      replaced: ['a'],
    },
    {
      name: 'the same device starting another item replaces its session too (one screen, one stream)',
      sessions: [session('a', 'phone', 'film', 5)],
      maxStreams: 1,
      allowed: true,
      active: [],
      replaced: ['a'],
    },
    {
      name: 'a device with two open sessions (from before this rule) replaces both',
      sessions: [session('a', 'phone', 'film', 5), session('b', 'phone', 'show-e1', 8)],
      maxStreams: 1,
      allowed: true,
      active: [],
      replaced: ['a', 'b'],
    },
    {
      name: 'another device on the same item counts',
      sessions: [session('a', 'tv', 'show-e1', 5)],
      maxStreams: 1,
      allowed: false,
      active: ['a'],
    },
    {
      name: 'a mix, oldest first',
      sessions: [
        session('c', 'laptop', 'film', 20),
        session('a', 'tv', 'film', 10),
        session('b', 'phone', 'show-e1', 3),
        session('d', 'tablet', 'film', 600),
      ],
      maxStreams: 3,
      allowed: true,
      active: ['a', 'c'],
      replaced: ['b'],
      lapsed: ['d'],
    },
  ];
  for (const test of cases) {
    it(test.name, () => {
      const decision = decideStreamStart({
        sessions: test.sessions,
        request: test.request ?? { deviceId: 'phone' },
        now,
        maxStreams: test.maxStreams,
        heartbeatLapseSeconds: test.heartbeatLapseSeconds,
      });
      const ids = (list: ActivePlaybackSession[]) => list.map((entry) => entry.id);
      assert.equal(decision.allowed, test.allowed);
      assert.deepEqual(ids(decision.active), test.active);
      assert.deepEqual(ids(decision.replaced), test.replaced ?? []);
      assert.deepEqual(ids(decision.lapsed), test.lapsed ?? []);
    });
  }

  it('refuses impossible limits', () => {
    const base = { sessions: [], request: { deviceId: 'a' }, now };
    assert.throws(() => decideStreamStart({ ...base, maxStreams: -1 }), /maxStreams/);
    assert.throws(() => decideStreamStart({ ...base, maxStreams: 1, heartbeatLapseSeconds: 0 }), /heartbeat/);
  });
});

describe('isSessionLive', () => {
  it('is live strictly within the lapse', () => {
    assert.equal(isSessionLive({ session: { lastHeartbeatAt: secondsAgo(74) }, now }), true);
    assert.equal(isSessionLive({ session: { lastHeartbeatAt: secondsAgo(75) }, now }), false);
    assert.equal(
      isSessionLive({ session: { lastHeartbeatAt: secondsAgo(20) }, now, heartbeatLapseSeconds: 10 }),
      false,
    );
  });
});
