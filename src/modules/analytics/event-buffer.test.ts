import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AnalyticsEvent } from './analytics.events.ts';
import { EventBuffer } from './event-buffer.ts';
import { partitionDay, partitionName } from './events.repository.ts';

const event = (): AnalyticsEvent => ({
  eventId: randomUUID(),
  type: 'PlaybackRebuffered',
  occurredAt: new Date('2026-11-30T12:00:00Z'),
  userId: null,
  sessionId: null,
  titleId: null,
  itemId: null,
  planId: '',
  region: '',
  device: '',
  appVersion: '',
  payload: { durationMs: 10 },
});
const events = (count: number) => Array.from({ length: count }, event);

describe('analytics event buffer', () => {
  it('takes a batch whole or not at all, never past its bound', () => {
    const buffer = new EventBuffer({ maxEvents: 5 });
    assert.equal(buffer.offer(events(3)), 'accepted');
    assert.equal(buffer.offer(events(3)), 'full');
    assert.equal(buffer.size, 3);
    assert.equal(buffer.offer(events(2)), 'accepted');
    assert.equal(buffer.offer(events(1)), 'full');
    assert.equal(buffer.size, 5);
  });

  it('drains the oldest first, in slices', () => {
    const buffer = new EventBuffer({ maxEvents: 10 });
    const offered = events(4);
    buffer.offer(offered);
    assert.deepEqual(buffer.drain(3), offered.slice(0, 3));
    assert.deepEqual(buffer.drain(3), offered.slice(3));
    assert.equal(buffer.size, 0);
  });

  it('puts a failed batch back in front, dropping what no longer fits', () => {
    const buffer = new EventBuffer({ maxEvents: 4 });
    const failed = events(3);
    buffer.offer(failed);
    buffer.drain(3);
    const newer = events(2);
    buffer.offer(newer);
    assert.equal(buffer.putBack(failed), 1);
    assert.deepEqual(buffer.drain(10), [...failed.slice(0, 2), ...newer]);
  });
});

describe('analytics partition names', () => {
  it('names a UTC day and reads it back; refuses other tables', () => {
    const day = new Date('2026-02-03T00:00:00Z');
    assert.equal(partitionName(day), 'analytics_events_p20260203');
    assert.deepEqual(partitionDay('analytics_events_p20260203'), day);
    assert.equal(partitionDay('analytics_events'), undefined);
    assert.equal(partitionDay('users; drop table users'), undefined);
  });
});
