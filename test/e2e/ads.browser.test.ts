import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
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
 * In the viewer web app, a free-plan viewer who seeks past a mid-roll (placed at the title's cue
 * point) sees that mid-roll first, then the content goes on from where the seek was headed.
 */

const skip = withoutChromium;

/** What the checks read of the page (this project's TypeScript has no DOM library). */
interface AdsPage {
  document: {
    getElementById(id: 'video' | 'ad-video'): { currentTime: number; ended: boolean } | null;
    querySelector(selector: string): {
      currentTime: number;
      paused: boolean;
      hidden: boolean;
    } | null;
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
    // The viewer app is built as `npm start` builds it: only when its sources changed.
    const build = promisify(execFile)(process.execPath, ['scripts/build-web.ts', '--if-stale'], {
      cwd: path.join(import.meta.dirname, '..', '..'),
    });
    h = await harness(undefined, {
      PUBLIC_URL: `http://localhost:${port}`,
      ADS_FLUSH_MS: '100',
      TRANSCODE_LADDER: '240:300',
    });
    scratch = await scratchDir();
    const [, launched] = await Promise.all([
      h.context.app.listen({ host: '127.0.0.1', port }),
      launchChromium(),
      build,
    ]);
    browser = launched;
    // Long enough for a mid-roll: the shortest interval a plan may have is 60 s, and none falls
    // in the last 30 s. Small and at 10 frames a second, so its one rendition transcodes fast.
    ({ movieId } = await publishedClip(h, {
      title: 'Ads in the browser',
      dir: scratch.dir,
      seconds: 95,
      width: 426,
      height: 240,
      fps: 10,
    }));
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

  it('in the web app, seeking past a mid-roll plays it first, then the content from the seek target', async () => {
    // Free now: no pre-roll, a mid-roll every 60 s, moved to the title's cue point at 35 s.
    await h.context.deps.database.db
      .updateTable('plans')
      .set({ adPreroll: false, adMidrollIntervalSeconds: 60 })
      .where('id', '=', 'free')
      .execute();
    const cue = await h.context.app.inject({
      method: 'PUT',
      url: `/api/admin/ads/cue-points/${movieId}`,
      headers: h.admin.headers,
      payload: { seconds: [35] },
    });
    assert.equal(cue.statusCode, 200, cue.body);
    const viewer = await registerViewer(h.context.app, { name: 'Midroll Viewer' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const schedules: Array<Promise<string>> = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/ads/vmap')) schedules.push(response.text());
    });
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/profiles$/);
    await page.locator('[data-profile="Midroll Viewer"]').click();
    await page.waitForURL(`${origin}/`);
    await page.goto(`${origin}/play/${movieId}`);

    const content = () =>
      page.evaluate(() => {
        const { document } = globalThis as unknown as AdsPage;
        const video = document.querySelector('video[data-player]');
        const ad = !!document.querySelector('[data-ad-label]');
        return video && { time: video.currentTime, paused: video.paused, hidden: video.hidden, ad };
      });
    const seek = (seconds: number) =>
      page.evaluate((to) => {
        const video = (globalThis as unknown as AdsPage).document.querySelector('video[data-player]');
        if (video) video.currentTime = to;
      }, seconds);
    /** Waits for the page to reach a state; says what the content video was doing if it doesn't. */
    const until = async (what: string, reached: () => Promise<unknown>) => {
      try {
        await reached();
      } catch (error) {
        throw new Error(`${what}: ${JSON.stringify(await content())}`, { cause: error });
      }
    };
    const waiting = { timeout: 30_000, polling: 50 };

    // No pre-roll on this plan now: the content starts at once.
    await until('the content plays', () =>
      page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as AdsPage;
          const video = document.querySelector('video[data-player]');
          return !!video && !document.querySelector('[data-ad-label]') && video.currentTime > 1;
        },
        undefined,
        waiting,
      ),
    );
    const [schedule] = await Promise.all(schedules);
    assert.match(schedule!, /timeOffset="00:00:35\.000"/, 'the mid-roll sits at the cue point');
    assert.doesNotMatch(schedule!, /timeOffset="start"/, 'no pre-roll');

    // The viewer jumps to 70 s, past the mid-roll at 35 s: it plays while the content waits there.
    await seek(70);
    await until('the mid-roll plays', () =>
      page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as AdsPage;
          const ad = document.querySelector('video[data-ad-player]');
          return !!document.querySelector('[data-ad-label]') && !!ad && !ad.hidden && ad.currentTime > 0.2;
        },
        undefined,
        waiting,
      ),
    );
    const during = await content();
    assert.equal(during?.hidden, true, 'the content is hidden during the ad');
    assert.equal(during?.paused, true, 'the content waits during the ad');
    assert.ok(during && Math.abs(during.time - 70) < 1, `the content waits at 70 s: ${during?.time}`);

    // Then the content goes on from 70 s, not from the break at 35 s.
    await until('the content goes on', () =>
      page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as AdsPage;
          const video = document.querySelector('video[data-player]');
          return (
            !!video &&
            !document.querySelector('[data-ad-label]') &&
            !video.hidden &&
            !video.paused &&
            video.currentTime > 70.5
          );
        },
        undefined,
        waiting,
      ),
    );
    const resumed = await content();
    assert.ok(resumed && resumed.time < 80, `went on from the seek target: ${resumed?.time}`);
    // Played once: back before it and past it again, no ad.
    await seek(33);
    await until('played past the break again', () =>
      page.waitForFunction(
        () =>
          ((globalThis as unknown as AdsPage).document.querySelector('video[data-player]')?.currentTime ??
            0) > 36,
        undefined,
        waiting,
      ),
    );
    assert.equal((await content())?.ad, false, 'the mid-roll does not play twice');

    // Its beacons were counted: the pre-roll test's impression and this one.
    const today = new Date().toISOString().slice(0, 10);
    for (const deadline = Date.now() + 10_000; ; await sleep(100)) {
      const row = (
        await h.context.app.inject({
          url: `/api/admin/ads/report?from=${today}&to=${today}`,
          headers: h.admin.headers,
        })
      )
        .json<{ campaigns: Array<{ campaignId: string; impressions: number; completes: number }> }>()
        .campaigns.find((candidate) => candidate.campaignId === campaignId);
      if (row?.impressions === 2 && row.completes === 2) break;
      assert.ok(Date.now() < deadline, `the mid-roll's beacons were counted: ${JSON.stringify(row)}`);
    }
    await context.close();
  });
});
