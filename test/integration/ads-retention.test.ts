import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BeaconRetention } from '../../src/modules/ads/index.ts';
import { CampaignsRepository } from '../../src/modules/ads/campaigns.repository.ts';
import { DeliveryRepository } from '../../src/modules/ads/delivery.repository.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The ads.retain-beacons job on a real database: counted beacons older than the retention are
 * deleted in batches, younger ones (whose URLs may still be valid, so their rows still stop
 * replays) are kept, and the campaign's daily counts they fed stay as they were.
 */
describe('ad beacon retention', () => {
  let testDatabase: TestDatabase;
  const logger = createLogger({ level: 'silent', pretty: false });
  const DAY = 86_400_000;

  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(() => testDatabase.drop());

  it('deletes beacons past the retention in batches, keeps younger ones and every count', async () => {
    const db = testDatabase.database.db;
    const campaigns = new CampaignsRepository(db);
    const delivery = new DeliveryRepository(db);
    const advertiser = await campaigns.insertAdvertiser('Retained Ltd');
    const campaign = await campaigns.insertCampaign({
      advertiserId: advertiser!.id,
      name: 'Old spring',
      priority: 5,
      cpmMinor: 1000,
      budgetMinor: 1_000_000,
      startsAt: new Date('2026-01-01T00:00:00Z'),
      endsAt: new Date('2026-12-31T00:00:00Z'),
    });
    const clock = new ManualClock('2026-06-30T12:00:00Z');
    const now = clock.now().getTime();
    // 25 impressions each 40, 31 and 29.9 days old, and 5 from today.
    const ages = [
      ...Array<number>(25).fill(40),
      ...Array<number>(25).fill(31),
      ...Array<number>(25).fill(29.9),
    ];
    const beacons = [...ages, 0, 0, 0, 0, 0].map((days) => ({
      instanceId: randomUUID(),
      campaignId: campaign.id,
      event: 'impression' as const,
      receivedAt: new Date(now - days * DAY),
    }));
    assert.equal((await delivery.insertNewBeacons(beacons)).length, 80);
    await delivery.addDelivery({
      campaignId: campaign.id,
      day: '2026-05-21',
      counts: { impressions: 80 },
      spendMilli: 80_000,
    });
    const countsBefore = await db.selectFrom('adDeliveryDaily').selectAll().execute();

    const retention = new BeaconRetention({ delivery, clock, logger, retentionDays: 30, batchSize: 10 });
    const report = await retention.run();
    // 50 older than 30 days, five batches of 10 and one empty one to see the end.
    assert.deepEqual(report, { deleted: 50, before: new Date(now - 30 * DAY) });
    const left = await db.selectFrom('adBeacons').select(['instanceId', 'receivedAt']).execute();
    assert.deepEqual(
      left.map((row) => row.instanceId).sort(),
      beacons
        .filter((beacon) => beacon.receivedAt.getTime() >= now - 30 * DAY)
        .map((beacon) => beacon.instanceId)
        .sort(),
    );
    assert.deepEqual(await db.selectFrom('adDeliveryDaily').selectAll().execute(), countsBefore);

    // A kept beacon still stops its replay; a second run finds nothing more.
    const replay = beacons.at(-1)!;
    assert.equal((await delivery.insertNewBeacons([replay])).length, 0);
    assert.equal((await retention.run()).deleted, 0);
    // A day later the 29.9-day-old ones are past it too.
    clock.advance(DAY);
    assert.equal((await retention.run()).deleted, 25);
  });
});
