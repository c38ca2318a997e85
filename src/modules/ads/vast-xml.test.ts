import { createHmac, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertVast4Inline, parseVast, parseVmap } from '../../../test/support/ad-documents.ts';
import { BeaconBuffer, deliveryIncrements, deliveryRates } from './beacon-buffer.ts';
import { signBeacon, signInstance, verifyBeacon } from './beacon-signing.ts';
import { beaconEvents, buildVast, buildVmap, clockTime, VastOutput, type ServedAd } from './vast-xml.ts';

const served = (overrides: Partial<ServedAd> = {}): ServedAd => ({
  instanceId: '6f1c8f5e-8a51-4c57-9d7e-1d2f6c1f0a11',
  sequence: 1,
  campaignId: 'c1',
  campaignName: 'Spring',
  advertiserName: 'Fizz & Co <EU>',
  creativeId: 'cr1',
  creativeName: 'Fizz "original"',
  durationSeconds: 15.04,
  clickThroughUrl: 'https://example.com/?a=1&b=2',
  companionImageUrl: 'https://example.com/banner.jpg',
  mediaFiles: [
    { url: '/api/ads/media/cr1/360p.mp4', width: 640, height: 360, bitrateKbps: 700 },
    { url: '/api/ads/media/cr1/720p.mp4', width: 1280, height: 720, bitrateKbps: 1800 },
  ],
  beacons: Object.fromEntries(
    beaconEvents.map((event) => [
      event,
      `/api/ads/beacons/${event}?i=1&s=x${event === 'error' ? '&code=[ERRORCODE]' : ''}`,
    ]),
  ) as ServedAd['beacons'],
  ...overrides,
});

describe('VAST 4.2 and VMAP 1.0 documents, read by @dailymotion parsers', () => {
  it('a pod parses with vast-client: sequence, media files, tracking, impression, error macro', async () => {
    const xml = buildVast([served(), served({ instanceId: 'second', sequence: 2, creativeId: 'cr2' })]);
    assert.equal(assertVast4Inline(xml).length, 2);
    const response = await parseVast(xml);
    assert.equal(response.version, '4.2');
    assert.equal(response.ads.length, 2);
    const [first] = response.ads;
    assert.equal(first!.sequence, '1');
    assert.equal(first!.advertiser?.value, 'Fizz & Co <EU>');
    assert.equal(first!.title, 'Fizz "original"');
    assert.equal(first!.impressionURLTemplates[0]!.url, '/api/ads/beacons/impression?i=1&s=x');
    assert.deepEqual(first!.errorURLTemplates, ['/api/ads/beacons/error?i=1&s=x&code=[ERRORCODE]']);
    const linear = first!.creatives.find((creative) => creative.type === 'linear')!;
    assert.equal(linear.duration, 15.04);
    assert.equal(linear.skipDelay, 5);
    assert.deepEqual(
      linear.mediaFiles.map((file) => [file.fileURL, file.width, file.height, file.mimeType]),
      [
        ['/api/ads/media/cr1/360p.mp4', 640, 360, 'video/mp4'],
        ['/api/ads/media/cr1/720p.mp4', 1280, 720, 'video/mp4'],
      ],
    );
    for (const event of ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'])
      assert.equal(linear.trackingEvents[event]?.length, 1, event);
    assert.equal(linear.videoClickThroughURLTemplate?.url, 'https://example.com/?a=1&b=2');
    assert.ok(first!.creatives.some((creative) => creative.type === 'companion'));
  });

  it('an empty break is a valid empty VAST', async () => {
    const xml = buildVast([]);
    assert.equal(assertVast4Inline(xml).length, 0);
    const response = await parseVast(xml);
    assert.equal(response.ads.length, 0);
  });

  it('a schedule parses with vmap: offsets, linear breaks, VAST tag URIs', () => {
    const xml = buildVmap({
      breaks: [
        { index: 0, offsetSeconds: 0, podSize: 2 },
        { index: 1, offsetSeconds: 612.5, podSize: 2 },
      ],
      vastUrl: (index) => `/api/ads/vast?session=s&break=${index}&device=web`,
    });
    const vmap = parseVmap(xml);
    assert.equal(vmap.version, '1.0');
    assert.deepEqual(
      vmap.adBreaks.map((adBreak) => [
        adBreak.timeOffset,
        adBreak.breakType,
        adBreak.adSource?.adTagURI?.uri,
      ]),
      [
        ['start', 'linear', '/api/ads/vast?session=s&break=0&device=web'],
        ['00:10:12.500', 'linear', '/api/ads/vast?session=s&break=1&device=web'],
      ],
    );
  });

  it('the byte writer: UTF-8, ASCII, pre-encoded bytes and base64url as Buffer spells them, growing past its capacity, reused', () => {
    const out = new VastOutput(4);
    const expected: Buffer[] = [];
    out.utf8('Fizz – “Ω”');
    expected.push(Buffer.from('Fizz – “Ω”'));
    out.ascii('/api/ads/beacons/start?i=1');
    expected.push(Buffer.from('/api/ads/beacons/start?i=1'));
    out.bytes(Buffer.from('<Ad>'));
    expected.push(Buffer.from('<Ad>'));
    for (let length = 0; length <= 10; length++) {
      const source = randomBytes(length + 3);
      out.base64url(source, 2, 2 + length);
      expected.push(Buffer.from(source.subarray(2, 2 + length).toString('base64url')));
    }
    assert.deepEqual(out.toBuffer(), Buffer.concat(expected));
    assert.equal(out.toText(), Buffer.concat(expected).toString('utf8'));
    out.reset();
    out.ascii('<VAST/>');
    assert.equal(out.toText(), '<VAST/>');
  });

  it('clock times', () => {
    assert.equal(clockTime(0), '00:00:00.000');
    assert.equal(clockTime(3723.4567), '01:02:03.457');
  });
});

describe('beacons', () => {
  const secret = Buffer.alloc(32, 7);
  const claims = { instanceId: 'i', campaignId: 'c', event: 'impression' as const, expires: 1000 };
  it('a signature verifies only for the claims it was made for', () => {
    const signature = signBeacon(secret, claims);
    // One HMAC-SHA512 of the instance, cut into 7-byte tags in beaconEvents' order: nothing more.
    for (const expires of [1000, 1001, 1002, 1003]) {
      const mac = createHmac('sha512', secret)
        .update(`marquee/ads-beacon/v2\n${claims.instanceId}\n${claims.campaignId}\n${expires}`)
        .digest();
      const tags = signInstance(secret, { ...claims, expires });
      beaconEvents.forEach((event, index) => {
        const tag = mac.subarray(index * 7, index * 7 + 7).toString('base64url');
        assert.equal(tags[event], tag);
        assert.equal(signBeacon(secret, { ...claims, event, expires }), tag);
      });
    }
    assert.equal(verifyBeacon({ secret, claims, signature }), true);
    // Every other event's tag of the same instance is refused for this event, and vice versa.
    const tags = signInstance(secret, claims);
    for (const event of beaconEvents.filter((event) => event !== 'impression')) {
      assert.equal(verifyBeacon({ secret, claims, signature: tags[event] }), false, event);
      assert.equal(verifyBeacon({ secret, claims: { ...claims, event }, signature }), false, event);
      assert.equal(verifyBeacon({ secret, claims: { ...claims, event }, signature: tags[event] }), true);
    }
    assert.equal(verifyBeacon({ secret, claims: { ...claims, instanceId: 'j' }, signature }), false);
    assert.equal(verifyBeacon({ secret, claims: { ...claims, campaignId: 'd' }, signature }), false);
    assert.equal(verifyBeacon({ secret, claims: { ...claims, expires: 2000 }, signature }), false);
    assert.equal(verifyBeacon({ secret: Buffer.alloc(32, 8), claims, signature }), false);
    assert.equal(verifyBeacon({ secret, claims, signature: 'short' }), false);
    assert.equal(verifyBeacon({ secret, claims, signature: `${signature}AA` }), false);
  });

  it('the buffer keeps one beacon per instance and event', () => {
    const buffer = new BeaconBuffer({ maxEntries: 2 });
    const beacon = { instanceId: 'i', campaignId: 'c', event: 'impression' as const, receivedAt: new Date() };
    assert.equal(buffer.offer(beacon), 'accepted');
    for (let n = 0; n < 4; n++) assert.equal(buffer.offer(beacon), 'duplicate');
    assert.equal(buffer.offer({ ...beacon, event: 'start' }), 'accepted');
    assert.equal(buffer.offer({ ...beacon, event: 'complete' }), 'full');
    assert.equal(buffer.drain().length, 2);
    assert.equal(buffer.size, 0);
  });

  it('increments per campaign and UTC day; impressions spend the CPM', () => {
    const at = new Date('2026-06-10T23:59:59Z');
    const next = new Date('2026-06-11T00:00:01Z');
    const increments = deliveryIncrements(
      [
        { campaignId: 'a', event: 'impression', receivedAt: at },
        { campaignId: 'a', event: 'impression', receivedAt: at },
        { campaignId: 'a', event: 'complete', receivedAt: at },
        { campaignId: 'a', event: 'impression', receivedAt: next },
        { campaignId: 'b', event: 'click', receivedAt: at },
      ],
      (id) => (id === 'a' ? 2500 : 100),
    );
    assert.deepEqual(increments, [
      { campaignId: 'a', day: '2026-06-10', counts: { impressions: 2, completes: 1 }, spendMilli: 5000 },
      { campaignId: 'a', day: '2026-06-11', counts: { impressions: 1 }, spendMilli: 2500 },
      { campaignId: 'b', day: '2026-06-10', counts: { clicks: 1 }, spendMilli: 0 },
    ]);
  });

  it('rates: fill, completion, eCPM; null without a denominator', () => {
    assert.deepEqual(
      deliveryRates({ impressions: 4, completes: 3, spendMilli: 10_000, requested: 8, filled: 4 }),
      {
        fillRate: 0.5,
        completionRate: 0.75,
        ecpmMinor: 2500,
      },
    );
    assert.deepEqual(
      deliveryRates({ impressions: 0, completes: 0, spendMilli: 0, requested: 0, filled: 0 }),
      {
        fillRate: null,
        completionRate: null,
        ecpmMinor: null,
      },
    );
  });
});
