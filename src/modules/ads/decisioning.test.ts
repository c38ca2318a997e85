import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  breakSchedule,
  ineligibility,
  pacingMiss,
  selectPod,
  targetingMiss,
  type AdContext,
  type LiveCampaign,
  type Targeting,
} from './decisioning.ts';

const now = new Date('2026-06-10T12:00:00Z');
const creative = {
  id: 'cr',
  name: 'Ad',
  clickThroughUrl: 'https://example.com',
  companionImageUrl: null,
  durationSeconds: 15,
  renditions: [{ width: 640, height: 360, bitrateKbps: 700, key: 'k' }],
};
const campaign = (overrides: Partial<LiveCampaign> = {}): LiveCampaign => ({
  id: 'c1',
  advertiserId: 'a1',
  advertiserName: 'Acme',
  name: 'Campaign',
  priority: 5,
  cpmMinor: 1000,
  budgetMinor: 1_000_000,
  dailyImpressionCap: null,
  frequencyCapPerDay: null,
  competitiveCategory: null,
  startsAt: new Date('2026-06-01T00:00:00Z'),
  endsAt: new Date('2026-07-01T00:00:00Z'),
  targeting: {},
  creatives: [creative],
  spentMilli: 0,
  spentTodayMilli: 0,
  impressionsToday: 0,
  ...overrides,
});
const context: AdContext = {
  genres: ['drama', 'crime'],
  maturityLevel: 16,
  region: 'DE',
  deviceType: 'tv',
  contentKind: 'vod',
  now,
};

describe('targeting', () => {
  const cases: Array<[string, Targeting, Partial<AdContext>, string | null]> = [
    ['no targeting matches anything', {}, {}, null],
    ['a shared genre matches', { genres: ['comedy', 'crime'] }, {}, null],
    ['no shared genre', { genres: ['comedy'] }, {}, 'genre'],
    ['maturity below the minimum', { minMaturity: 18 }, {}, 'maturity'],
    ['maturity above the maximum', { maxMaturity: 12 }, {}, 'maturity'],
    ['maturity inside the range', { minMaturity: 12, maxMaturity: 16 }, {}, null],
    ['region listed', { regions: ['DE', 'AT'] }, {}, null],
    ['region not listed', { regions: ['FR'] }, {}, 'region'],
    ['unknown region never matches a region list', { regions: ['DE'] }, { region: null }, 'region'],
    ['device type listed', { deviceTypes: ['tv'] }, {}, null],
    ['device type not listed', { deviceTypes: ['mobile'] }, {}, 'device'],
    ['hour of day (UTC) listed', { hoursUtc: [11, 12] }, {}, null],
    ['hour of day not listed', { hoursUtc: [20, 21, 22] }, {}, 'hour'],
    ['live only on VOD', { contentKinds: ['live'] }, {}, 'content_kind'],
    ['VOD on VOD', { contentKinds: ['vod'] }, {}, null],
  ];
  for (const [name, targeting, overrides, expected] of cases) {
    it(name, () => assert.equal(targetingMiss(targeting, { ...context, ...overrides }), expected));
  }
});

describe('flight, budget, daily cap and pacing', () => {
  const cases: Array<[string, Partial<LiveCampaign>, string | null]> = [
    ['fresh campaign serves', {}, null],
    ['before its flight', { startsAt: new Date('2026-06-11T00:00:00Z') }, 'outside_flight'],
    ['after its flight', { endsAt: new Date('2026-06-10T11:00:00Z') }, 'outside_flight'],
    ['no ready creative', { creatives: [] }, 'no_creative'],
    // 1,000,000 minor = 1e9 milli; one more impression at 1000 would pass it.
    ['budget exhausted', { spentMilli: 1_000_000_000 - 999 }, 'budget_exhausted'],
    [
      'a budget with room for one more impression serves',
      { spentMilli: 1_000_000_000 - 1000 - 1, endsAt: new Date('2026-06-11T00:00:00Z') },
      null,
    ],
    ['daily impression cap reached', { dailyImpressionCap: 10, impressionsToday: 10 }, 'daily_cap'],
    ['under the daily cap', { dailyImpressionCap: 10, impressionsToday: 9 }, null],
    // 21 days left (Jun 10 → Jul 1): today's share is 1e9 / 21 ≈ 47.6M milli; at noon + 10 % slack, 60 % of it.
    ['ahead of even pacing at noon', { spentTodayMilli: 30_000_000, spentMilli: 30_000_000 }, 'paced'],
    ['behind even pacing at noon', { spentTodayMilli: 20_000_000, spentMilli: 20_000_000 }, null],
  ];
  for (const [name, overrides, expected] of cases) {
    it(name, () => assert.equal(ineligibility(campaign(overrides), context), expected));
  }

  it('the last day may spend all that remains', () => {
    const lastDay = campaign({
      endsAt: new Date('2026-06-11T00:00:00Z'),
      spentMilli: 900_000_000,
      spentTodayMilli: 0,
    });
    assert.equal(pacingMiss(lastDay, new Date('2026-06-10T23:00:00Z')), null);
    assert.equal(
      pacingMiss({ ...lastDay, spentMilli: 999_999_500, spentTodayMilli: 99_999_500 }, now),
      'budget_exhausted',
    );
  });
});

describe('pod selection', () => {
  const a = campaign({ id: 'a', priority: 9, competitiveCategory: 'cars' });
  const b = campaign({ id: 'b', priority: 8, competitiveCategory: 'cars', cpmMinor: 5000 });
  const c = campaign({ id: 'c', priority: 5, competitiveCategory: 'soda' });
  const d = campaign({ id: 'd', priority: 5, cpmMinor: 2000 });
  const ids = (pod: ReturnType<typeof selectPod>) => pod.map((choice) => choice.campaign.id);

  it('priority first, then price; one ad per campaign', () => {
    assert.deepEqual(ids(selectPod({ eligible: [c, d, a], podSize: 3, servedToday: new Map() })), [
      'a',
      'd',
      'c',
    ]);
  });
  it('never two of one competitive category in a pod', () => {
    assert.deepEqual(ids(selectPod({ eligible: [a, b, c], podSize: 3, servedToday: new Map() })), ['a', 'c']);
  });
  it('a category excluded by the session is skipped', () => {
    assert.deepEqual(
      ids(
        selectPod({ eligible: [a, b, c], podSize: 3, servedToday: new Map(), excludedCategories: ['cars'] }),
      ),
      ['c'],
    );
  });
  it('the frequency cap per profile and day holds', () => {
    const capped = { ...a, frequencyCapPerDay: 3 };
    assert.deepEqual(
      ids(selectPod({ eligible: [capped, c], podSize: 1, servedToday: new Map([['a', 2]]) })),
      ['a'],
    );
    assert.deepEqual(
      ids(selectPod({ eligible: [capped, c], podSize: 1, servedToday: new Map([['a', 3]]) })),
      ['c'],
    );
  });
  it('the pod is at most podSize long, and may be empty', () => {
    assert.equal(selectPod({ eligible: [a, c, d], podSize: 1, servedToday: new Map() }).length, 1);
    assert.deepEqual(selectPod({ eligible: [], podSize: 2, servedToday: new Map() }), []);
  });
});

describe('break schedule', () => {
  const policy = { hasAds: true, preroll: true, midrollIntervalSeconds: 600, podMax: 2 };
  const offsets = (options: Parameters<typeof breakSchedule>[0]) =>
    breakSchedule(options).map((adBreak) => adBreak.offsetSeconds);
  it('no ads: no breaks', () =>
    assert.deepEqual(
      offsets({ policy: { ...policy, hasAds: false }, durationSeconds: 3600, cuePoints: [] }),
      [],
    ));
  it('a pre-roll and a mid-roll every interval, none in the last 30 s', () =>
    assert.deepEqual(offsets({ policy, durationSeconds: 1800, cuePoints: [] }), [0, 600, 1200]));
  it('mid-rolls move to the nearest cue point within half an interval', () =>
    assert.deepEqual(
      offsets({ policy, durationSeconds: 1800, cuePoints: [580, 1000, 1450] }),
      [0, 580, 1000],
    ));
  it('no pre-roll when the policy has none; no mid-rolls at interval 0', () => {
    assert.deepEqual(
      offsets({ policy: { ...policy, preroll: false }, durationSeconds: 1300, cuePoints: [] }),
      [600, 1200],
    );
    assert.deepEqual(
      offsets({ policy: { ...policy, midrollIntervalSeconds: 0 }, durationSeconds: 9999, cuePoints: [] }),
      [0],
    );
  });
  it('each break carries the policy’s pod length and its index', () =>
    assert.deepEqual(breakSchedule({ policy, durationSeconds: 700, cuePoints: [] }), [
      { index: 0, offsetSeconds: 0, podSize: 2 },
      { index: 1, offsetSeconds: 600, podSize: 2 },
    ]));
});
