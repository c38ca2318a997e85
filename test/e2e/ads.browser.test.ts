import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { readyAdCampaign } from '../support/ad-campaigns.ts';
import { launchChromium, withoutChromium } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { registerViewer, type SignedIn } from '../support/accounts.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';

/**
 * Ads in the web player, in Debian's Chromium: a free-plan viewer's page reads the stream's VMAP,
 * plays the pre-roll (our VAST, our MP4 rendition) and fires its beacons, then starts the
 * content; a premium viewer's page starts the content directly, with no ad element at all.
 */

const skip = withoutChromium;

/** What the checks read of the page (this project's TypeScript has no DOM library). */
interface AdsPage {
  document: {
    getElementById(id: 'video' | 'ad-video'): { currentTime: number; ended: boolean } | null;
  };
  marqueePlayer: { adLog: Array<{ event: string; ad?: string }> };
}

const adLog = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as AdsPage).marqueePlayer.adLog.map((entry) => entry.event));

async function playAs(page: Page, origin: string, itemId: string, viewer: SignedIn) {
  await page.goto(`${origin}/watch/${itemId}`);
  await page.locator('#email').fill(viewer.email);
  await page.locator('#password').fill(viewer.password);
  await page.locator('#sign-in button[type=submit]').click();
  try {
    await page.waitForFunction(
      () => {
        const { document, marqueePlayer } = globalThis as unknown as AdsPage;
        const started = marqueePlayer.adLog.some((entry) => entry.event === 'content-start');
        return started && (document.getElementById('video')?.currentTime ?? 0) > 0.5;
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );
  } catch (error) {
    throw new Error(`content not playing; ad log: ${JSON.stringify(await adLog(page))}`, { cause: error });
  }
}

describe('ads in the web player (Chromium)', { skip }, () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let browser: Browser;
  let origin: string;
  let movieId: string;
  let campaignId: string;

  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    h = await harness(undefined, { PUBLIC_URL: `http://localhost:${port}`, ADS_FLUSH_MS: '100' });
    scratch = await scratchDir();
    const [, launched] = await Promise.all([
      h.context.app.listen({ host: '127.0.0.1', port }),
      launchChromium(),
    ]);
    browser = launched;
    ({ movieId } = await publishedClip(h, { title: 'Ads in the browser', dir: scratch.dir, seconds: 4 }));
    campaignId = await readyAdCampaign({
      app: h.context.app,
      adminHeaders: h.admin.headers,
      name: 'Fizz launch',
      dir: scratch.dir,
      creativeSeconds: 2,
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await scratch?.remove();
  });

  it('a free-plan viewer sees the pre-roll, then the content; its beacons are counted', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const ads: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/ads/media/')) ads.push(response.status());
    });
    await playAs(page, origin, movieId, await registerViewer(h.context.app));
    assert.deepEqual(await adLog(page), [
      'break-start',
      'impression',
      'start',
      'firstQuartile',
      'midpoint',
      'thirdQuartile',
      'complete',
      'break-end',
      'content-start',
    ]);
    assert.ok(ads.length > 0 && ads.every((status) => status === 200 || status === 206), String(ads));
    const today = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const report = await h.context.app.inject({
        url: `/api/admin/ads/report?from=${today}&to=${today}`,
        headers: h.admin.headers,
      });
      const row = report
        .json<{ campaigns: Array<{ campaignId: string; impressions: number; completes: number }> }>()
        .campaigns.find((candidate) => candidate.campaignId === campaignId);
      if (row?.impressions === 1 && row.completes === 1) break;
      assert.ok(Date.now() < deadline, `beacons counted: ${JSON.stringify(row)}`);
      await sleep(100);
    }
    await context.close();
  });

  it('a premium viewer starts the content directly', async () => {
    const viewer = await registerViewer(h.context.app);
    const granted = await h.context.app.inject({
      method: 'POST',
      url: `/api/admin/users/${viewer.userId}/complimentary-plan`,
      headers: h.admin.headers,
      payload: { planId: 'premium' },
    });
    assert.equal(granted.statusCode, 204, granted.body);
    const context = await browser.newContext();
    const page = await context.newPage();
    await playAs(page, origin, movieId, viewer);
    assert.deepEqual(await adLog(page), ['content-start']);
    assert.equal(
      await page.evaluate(
        () => (globalThis as unknown as AdsPage).document.getElementById('ad-video') === null,
      ),
      true,
    );
    await context.close();
  });
});
