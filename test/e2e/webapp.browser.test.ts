import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { readyAdCampaign } from '../support/ad-campaigns.ts';
import { assertAccessible, launchChromium, serveAxe, withoutChromium } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { bearer, loginAs, registerViewer, strongPassword, uniqueEmail } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';

/**
 * The viewer web app in Debian's Chromium against a listening server on embedded defaults: a new
 * visitor signs up, makes an adult profile (with a PIN) and a kids profile, subscribes to Basic
 * in the sandbox, finds a title by a misspelt search, plays it at Basic's 720p cap, stops half-way
 * and resumes within 5 s of that point, likes it, adds another title to My List and sees both on
 * the home screen; the kids profile never sees the adult title. The app runs under its real CSP
 * (no violation may be logged); axe-core finds no serious or critical problem on each page;
 * screenshots at desktop and phone sizes go to artifacts/webapp/ (git-ignored).
 * On the way the player shows what the package carries: two audio tracks and English subtitles to
 * pick, seek previews from the thumbnails track, "next episode" at an episode's end; a refusal
 * says why and offers the remedy (end the other stream; switch profile).
 * A free-plan viewer (a plan with ads) gets the stream's pre-roll first — labelled, not seekable,
 * its beacons counted by the ad server — and then the content, a mid-roll when the content
 * reaches one, and an upgrade link for a title above the plan.
 */

const skip = withoutChromium;
const root = path.join(import.meta.dirname, '..', '..');
const artifacts = path.join(root, 'artifacts', 'webapp');

/** The bits of the page the checks read (this project's TypeScript has no DOM library). */
interface AppPage {
  document: {
    querySelector(selector: string): {
      currentTime: number;
      videoHeight: number;
      paused: boolean;
      hidden: boolean;
      textContent: string | null;
    } | null;
  };
}

const videoState = (page: Page) =>
  page.evaluate(() => {
    const video = (globalThis as unknown as AppPage).document.querySelector('video[data-player]');
    return video ? { currentTime: video.currentTime, videoHeight: video.videoHeight } : null;
  });

async function untilPlaying(page: Page, after: number) {
  try {
    await page.waitForFunction(
      (min) => {
        const video = (globalThis as unknown as AppPage).document.querySelector('video[data-player]');
        return !!video && video.currentTime > min && video.videoHeight > 0;
      },
      after,
      { timeout: 25_000, polling: 100 },
    );
  } catch (error) {
    const notice = await page.locator('[role=alert]').allTextContents();
    throw new Error(
      `not playing past ${after} s: ${JSON.stringify(await videoState(page))} ${notice.join(' | ')}`,
      {
        cause: error,
      },
    );
  }
}

describe('the viewer web app in Chromium', { skip }, () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let browser: Browser;
  let origin: string;
  let movieId: string;
  let otherId: string;
  let adultId: string;
  let seriesId: string;
  let episodeIds: string[];
  let longId: string;
  let premiumId: string;

  before(async () => {
    const started = Date.now();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // The app is built as `npm start` builds it: only when its sources changed.
    const build = promisify(execFile)(process.execPath, ['scripts/build-web.ts', '--if-stale'], {
      cwd: root,
    });
    h = await harness(undefined, {
      TRANSCODE_LADDER: '240:300,720:900,1080:1400',
      PUBLIC_URL: `http://localhost:${port}`,
      PAYMENTS_SANDBOX: 'true',
    });
    scratch = await scratchDir();
    const [, launched] = await Promise.all([
      h.context.app.listen({ host: '127.0.0.1', port }),
      launchChromium(),
      build,
      mkdir(artifacts, { recursive: true }),
    ]);
    browser = launched;
    const subtitles = path.join(scratch.dir, 'browser-adventure.srt');
    await writeFile(subtitles, '1\n00:00:00,200 --> 00:00:09,800\nHello from the subtitles\n');
    // The long one (past a 60 s mid-roll and the 30 s tail without breaks) is small: one rung.
    const [main, long] = await Promise.all([
      publishedClip(h, {
        title: 'Browser Adventure',
        dir: scratch.dir,
        seconds: 10,
        audio: [{ language: 'eng' }, { language: 'fra', title: 'Français' }],
        subtitles: [subtitles],
      }),
      publishedClip(h, { title: 'Long Feature', dir: scratch.dir, seconds: 95, width: 426, height: 240 }),
    ]);
    movieId = main.movieId;
    longId = long.movieId;
    const titles = catalogMaker(h.context, h.admin);
    // Episodes and a premium title play the same package (what they play is not the point here).
    const db = h.context.deps.database.db;
    const series = await titles.series('Night Shift', [2]);
    seriesId = series.id;
    episodeIds = series.episodes[0] ?? [];
    premiumId = await titles.movie('Premium Feature', { minPlanTier: 2, maturityRating: 'PG' });
    await db
      .insertInto('itemVideos')
      .values([...episodeIds, premiumId].map((itemId) => ({ itemId, assetId: main.assetId })))
      .execute();
    // Mid-rolls every minute on the free plan (the least the plan allows; the default is 10).
    await db.updateTable('plans').set({ adMidrollIntervalSeconds: 60 }).where('id', '=', 'free').execute();
    await h.context.app.inject({
      method: 'PATCH',
      url: `/api/admin/titles/${movieId}`,
      headers: h.admin.headers,
      payload: { maturityRating: 'PG', synopsis: 'A clip that plays in the browser.', releaseYear: 2024 },
    });
    otherId = await titles.movie('Cartoon Friends', { maturityRating: 'G', releaseYear: 2020 });
    adultId = await titles.movie('Midnight Heist', { maturityRating: 'R', releaseYear: 2019 });
    console.log(`# server up, app built, title transcoded and published in ${Date.now() - started} ms`);
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await scratch?.remove();
  });

  it('a new visitor signs up, subscribes, watches, resumes, likes, lists; the kids profile sees no adult title', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Every URL the page asked for: the resource-timing buffer (250 entries) fills up with a
    // stream's segments and keys, so it can't tell whether a later image was fetched.
    const requested = new Set<string>();
    page.on('request', (request) => requested.add(request.url()));
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    await serveAxe(page);
    const shot = (name: string) =>
      page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false });

    // The operator's announcement (an admin setting) is on every page, signed in or not.
    const announce = (announcement: object | null) =>
      h.context.app.inject({
        method: 'PATCH',
        url: '/api/admin/settings',
        headers: h.admin.headers,
        payload: { announcement },
      });
    assert.equal(
      (await announce({ message: 'Maintenance tonight from 02:00 UTC', tone: 'warning' })).statusCode,
      200,
    );

    // Sign up: straight to "who's watching?".
    const email = uniqueEmail('webapp');
    await page.goto(`${origin}/`);
    await page.waitForURL(/\/signin$/);
    await page.getByRole('status').filter({ hasText: 'Maintenance tonight from 02:00 UTC' }).waitFor();
    await assertAccessible(page, 'sign-in');
    assert.equal((await announce(null)).statusCode, 200);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Alex Doe');
    await page.getByLabel('Email').fill(email);
    const password = strongPassword();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/profiles$/);
    await page.getByRole('heading', { name: 'Who’s watching?' }).waitFor();

    // An adult profile with a PIN and a kids profile.
    for (const [name, kids, pin] of [
      // The kids profile first: once a profile has a PIN, an unlocked one may not add profiles.
      ['Kid', true, ''],
      ['Alex', false, '4321'],
    ] as const) {
      await page.getByRole('button', { name: '+ Add profile' }).click();
      const form = page.getByRole('form', { name: 'New profile' });
      await form.getByLabel('Name').fill(name);
      if (kids) await form.getByLabel(/Kids profile/).check();
      if (pin) await form.getByLabel(/PIN/).fill(pin);
      await form.getByRole('button', { name: 'Create profile' }).click();
      await page.locator(`[data-profile="${name}"]`).waitFor();
    }
    await assertAccessible(page, 'profiles');
    await page.locator('[data-profile="Alex"]').click();
    await page.getByLabel('PIN for Alex').fill('4321');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${origin}/`);
    await page.locator('[data-row] [data-title-id]').first().waitFor();
    await assertAccessible(page, 'home');

    // Basic in the sandbox checkout.
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.locator('[data-plan="basic"] button').click();
    await page.waitForURL(/\/checkout\//);
    await page.getByRole('button', { name: 'Pay' }).waitFor();
    await shot('checkout-desktop');
    await assertAccessible(page, 'checkout');
    const checkoutUrl = page.url();
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/account$/);
    await page.locator('[data-subscription-state]').waitFor();
    const state = await page.locator('[data-subscription-state]').getAttribute('data-subscription-state');
    assert.ok(state === 'active' || state === 'trialing', `subscribed: ${state}`);
    assert.match(await page.locator('[data-subscription-state]').innerText(), /Basic/);
    await assertAccessible(page, 'account');

    // A misspelt search finds the title instantly.
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByRole('searchbox').fill('browsr adventur');
    await page.locator(`[aria-label="Search results"] [data-title-id="${movieId}"] a`).click();
    await page.waitForURL(new RegExp(`/title/${movieId}$`));
    await page.getByRole('heading', { name: 'Browser Adventure' }).waitFor();
    await shot('title-desktop');
    await assertAccessible(page, 'title');

    // Play: time advances at Basic's cap (720p, though the title goes to 1080p).
    await page.getByRole('link', { name: '▶ Play' }).click();
    await page.waitForURL(new RegExp(`/play/${movieId}$`));
    await untilPlaying(page, 1.5);
    const playing = await videoState(page);
    assert.ok(playing && playing.videoHeight <= 720 && playing.videoHeight > 0, JSON.stringify(playing));
    assert.match(await page.getByText(/your plan: up to/).innerText(), /720p/);
    await shot('player-desktop');
    await assertAccessible(page, 'player');

    // The package's second audio track, and its English subtitles on screen.
    const audio = page.locator('[data-audio-picker]');
    assert.equal(await audio.locator('option').count(), 2);
    await audio.selectOption({ index: 1 });
    // The picker follows hls.js's AUDIO_TRACK_SWITCHED: 1 means the switch happened.
    await page.waitForFunction(
      () =>
        (
          (globalThis as unknown as AppPage).document.querySelector('[data-audio-picker]') as unknown as {
            value: string;
          }
        ).value === '1',
    );
    await page.locator('[data-subtitle-picker]').selectOption({ label: 'English' });
    // Showing, with the subtitle file's cue loaded (the 10 s clip may be past it by now).
    await page.waitForFunction(
      () => {
        const video = (globalThis as unknown as AppPage).document.querySelector(
          'video[data-player]',
        ) as unknown as {
          textTracks: ArrayLike<{ mode: string; cues: ArrayLike<{ text: string }> | null }>;
        };
        return Array.from(video.textTracks).some(
          (track) =>
            track.mode === 'showing' &&
            Array.from(track.cues ?? []).some((cue) => /Hello from the subtitles/.test(cue.text)),
        );
      },
      undefined,
      { timeout: 15_000, polling: 200 },
    );
    // Pointing at the seek bar previews that moment from the thumbnails track's sprite sheet.
    // (hover() scrolls the bar into view: under a desktop-sized video it is below the fold.)
    const scrub = page.locator('[data-scrub]');
    const bar = await scrub.boundingBox();
    assert.ok(bar, 'a seek bar');
    await scrub.hover({ position: { x: bar.width * 0.6, y: bar.height / 2 } });
    const preview = page.locator('[data-thumbnail-preview*="/api/delivery/"]');
    try {
      await preview.waitFor({ timeout: 10_000 });
    } catch (error) {
      await shot('player-preview-failed');
      throw new Error(
        `no preview: ${await page.locator('.player-scrub').evaluate((node) => (node as unknown as { outerHTML: string }).outerHTML)}`,
        {
          cause: error,
        },
      );
    }
    const spriteUrl = (await preview.getAttribute('data-thumbnail-preview')) ?? '';
    assert.match(spriteUrl, /\/sprite-\d+\.jpg\?/);
    // The browser fetched the sheet for the preview (and it is a JPEG the page may load).
    for (const deadline = Date.now() + 15_000; !requested.has(spriteUrl);) {
      if (Date.now() > deadline) {
        throw new Error(
          `no request for ${spriteUrl}: ${await preview.evaluate((node) => (node as unknown as { outerHTML: string }).outerHTML)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sheet = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get('content-type') };
    }, spriteUrl);
    assert.deepEqual(sheet, { status: 200, type: 'image/jpeg' });
    await shot('player-preview-desktop');
    await page.mouse.move(0, 0);

    // Half-way (5 s of 10), then stop.
    await page.evaluate(() => {
      const video = (globalThis as unknown as AppPage).document.querySelector('video[data-player]');
      if (video) video.currentTime = 5;
    });
    await untilPlaying(page, 5.2);
    const stoppedAt = (await videoState(page))?.currentTime ?? 0;
    await page.getByRole('button', { name: 'Stop and go back' }).click();
    await page.waitForURL(new RegExp(`/title/${movieId}$`));
    // The player reported its start time and the rendition it watched (QoE beacons), before the
    // stream ended: the server takes beacons for open streams only.
    const viewerId = (
      await h.context.deps.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;
    const beacons = async () =>
      h.context.deps.database.db
        .selectFrom('analyticsEvents')
        .select(['type', 'titleId', 'payload'])
        .where('userId', '=', viewerId)
        .where('type', 'in', ['PlaybackStarted', 'RenditionWatched'])
        .execute();
    for (const deadline = Date.now() + 15_000; (await beacons()).length < 2;) {
      if (Date.now() > deadline) throw new Error(`no QoE beacons stored: ${JSON.stringify(await beacons())}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const started = (await beacons()).find((beacon) => beacon.type === 'PlaybackStarted');
    const { startupMs, renditionHeight } = started?.payload as { startupMs: number; renditionHeight: number };
    assert.equal(started?.titleId, movieId);
    assert.ok(
      startupMs > 0 && startupMs < 20_000 && renditionHeight > 0 && renditionHeight <= 720,
      JSON.stringify(started),
    );

    // Like it, and put another title on My List.
    await page.getByRole('button', { name: '♡ Like' }).click();
    await page.getByRole('button', { name: '♥ Liked' }).waitFor();
    await page.goto(`${origin}/title/${otherId}`);
    await page.getByRole('button', { name: '+ My List' }).click();
    await page.getByRole('button', { name: '✓ In My List' }).waitFor();

    // Home: continue watching has the title, My List the other one.
    await page.getByRole('link', { name: 'Home' }).click();
    // On PostgreSQL + Redis the rows may lag the position by the progress flush
    // (ENGAGEMENT_PROGRESS_FLUSH_MS): a viewer coming back to the home screen sees it by then.
    const watching = page.locator(`[data-row="continue-watching"] [data-title-id="${movieId}"]`);
    for (const deadline = Date.now() + 20_000; ;) {
      try {
        await watching.waitFor({ timeout: 3_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await page.reload();
      }
    }
    await page.locator(`[data-row="my-list"] [data-title-id="${otherId}"]`).waitFor();
    await shot('home-desktop');

    // Come back: resumes within 5 s of where it stopped.
    await page.locator(`[data-row="continue-watching"] [data-title-id="${movieId}"] a`).click();
    await page.waitForURL(new RegExp(`/play/${movieId}$`));
    await untilPlaying(page, 0);
    const resumed = (await videoState(page))?.currentTime ?? 0;
    assert.ok(Math.abs(resumed - stoppedAt) < 5, `resumed at ${resumed} s, stopped at ${stoppedAt} s`);
    console.log(`# stopped at ${stoppedAt.toFixed(1)} s, resumed at ${resumed.toFixed(1)} s`);

    // The like stayed.
    await page.goto(`${origin}/title/${movieId}`);
    await page.getByRole('button', { name: '♥ Liked' }).waitFor();

    // Basic is one screen: a stream on the TV refuses this one, which offers to end it.
    const tv = await loginAs(
      h.context.app,
      { email, password },
      { device: { name: 'Living room TV', type: 'tv' } },
    );
    const alex = (await h.context.app.inject({ url: '/api/profiles', headers: tv.headers }))
      .json<{ profiles: Array<{ id: string; name: string }> }>()
      .profiles.find((p) => p.name === 'Alex');
    const onTv = async (method: 'POST', url: string, payload: object) =>
      h.context.app.inject({ method, url, headers: bearer(tv.accessToken), payload });
    assert.equal((await onTv('POST', `/api/profiles/${alex?.id}/select`, { pin: '4321' })).statusCode, 200);
    // The browser's last stream ends as its page goes (a keepalive DELETE): the TV may wait a moment.
    for (const deadline = Date.now() + 10_000; ; await sleep(200)) {
      const started = await onTv('POST', `/api/playback/${movieId}`, {});
      if (started.statusCode === 201) break;
      assert.ok(Date.now() < deadline, `the TV's stream: ${started.statusCode} ${started.body}`);
    }
    await page.goto(`${origin}/play/${movieId}`);
    await page.locator('[data-refusal="PLAYBACK_STREAM_LIMIT"]').waitFor();
    await page
      .locator('[data-stream]')
      .getByText(/Browser Adventure on /)
      .waitFor();
    await shot('player-refusal-desktop');
    await assertAccessible(page, 'player refusal');
    await page.getByRole('button', { name: 'End this stream and watch here' }).click();
    await untilPlaying(page, 0.5);

    // An episode ends: the next one is offered, and plays.
    await page.goto(`${origin}/title/${seriesId}`);
    await page.getByRole('link', { name: '▶ 1' }).click();
    await page.waitForURL(new RegExp(`/play/${episodeIds[0]}\\?series=${seriesId}$`));
    await untilPlaying(page, 0.5);
    await page.evaluate(() => {
      const video = (globalThis as unknown as AppPage).document.querySelector('video[data-player]');
      if (video) video.currentTime = 9;
    });
    await page.locator(`[data-next-episode="${episodeIds[1]}"]`).waitFor({ timeout: 20_000 });
    await shot('player-next-episode-desktop');
    await page.getByRole('link', { name: '▶ Play next episode' }).click();
    await page.waitForURL(new RegExp(`/play/${episodeIds[1]}\\?series=${seriesId}$`));
    await untilPlaying(page, 0.5);

    // Phone-sized screens.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('title-phone');
    await page.goto(`${origin}/`);
    await page.locator('[data-row="my-list"] [data-title-id]').first().waitFor();
    await shot('home-phone');
    await assertAccessible(page, 'home (phone)');
    await page.goto(checkoutUrl);
    await page.getByRole('button', { name: 'Pay' }).waitFor();
    await shot('checkout-phone');
    await page.goto(`${origin}/play/${movieId}`);
    await untilPlaying(page, 0.5);
    await shot('player-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The kids profile: no adult title on the home screen, in search, or by address.
    await page.goto(`${origin}/profiles`);
    await page.locator('[data-profile="Kid"]').click();
    await page.waitForURL(`${origin}/`);
    await page.locator('[data-row] [data-title-id]').first().waitFor();
    await page.locator(`[data-title-id="${otherId}"]`).first().waitFor();
    assert.equal(await page.locator(`[data-title-id="${adultId}"]`).count(), 0, 'no adult title at home');
    await page.goto(`${origin}/search?q=midnight+heist`);
    await page.getByRole('status').filter({ hasText: 'midnight heist' }).waitFor();
    assert.equal(await page.locator(`[data-title-id="${adultId}"]`).count(), 0, 'no adult title in search');
    await page.goto(`${origin}/title/${adultId}`);
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Midnight Heist' }).count(), 0);
    await page.goto(`${origin}/play/${adultId}`);
    await page.locator('[data-refusal="PLAYBACK_MATURITY_BLOCKED"]').waitFor();
    await page.getByRole('link', { name: 'Switch profile', exact: true }).waitFor();

    assert.deepEqual(cspViolations, [], 'the app runs under its CSP');
    await context.close();
  });
  it('a free-plan viewer sees the pre-roll (labelled, not seekable, its beacons counted), then the content', async () => {
    const campaignId = await readyAdCampaign({
      app: h.context.app,
      adminHeaders: h.admin.headers,
      name: 'Fizz in the app',
      dir: scratch.dir,
      creativeSeconds: 3,
    });

    const viewer = await registerViewer(h.context.app, { name: 'Free Viewer' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    const adMedia: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/ads/media/')) adMedia.push(response.status());
    });
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/profiles$/);
    await page.locator('[data-profile="Free Viewer"]').click();
    await page.waitForURL(`${origin}/`);
    await page.goto(`${origin}/play/${movieId}`);

    // The ad plays while the content waits, hidden and not yet loaded.
    const during = await (
      await page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as AppPage;
          const ad = document.querySelector('video[data-ad-player]');
          const label = document.querySelector('[data-ad-label]');
          const content = document.querySelector('video[data-player]');
          if (!ad || !label || !content || ad.hidden || ad.currentTime < 0.2) return null;
          return {
            label: label.textContent,
            contentHidden: content.hidden,
            contentTime: content.currentTime,
          };
        },
        undefined,
        { timeout: 25_000, polling: 50 },
      )
    ).jsonValue();
    assert.deepEqual(during, { label: 'Ad · 1 of 1', contentHidden: true, contentTime: 0 });
    await page.screenshot({ path: path.join(artifacts, 'player-ad-desktop.png') });
    // A scripted seek to the ad's end is undone.
    const afterSeek = await page.evaluate(async () => {
      const ad = (globalThis as unknown as AppPage).document.querySelector('video[data-ad-player]');
      if (!ad) return null;
      const before = ad.currentTime;
      ad.currentTime = before + 2.5;
      await new Promise((resolve) => setTimeout(resolve, 250));
      return { before, after: ad.currentTime, playing: !ad.paused };
    });
    // Still playing: an ad that ended (and was unloaded) would also read a small currentTime.
    assert.ok(
      afterSeek?.playing && afterSeek.after < afterSeek.before + 1,
      `seek undone: ${JSON.stringify(afterSeek)}`,
    );

    // Then the content.
    await untilPlaying(page, 1);
    assert.equal(await page.locator('[data-ad-label]').count(), 0, 'no ad label over the content');
    assert.ok(adMedia.length > 0 && adMedia.every((code) => code === 200 || code === 206), String(adMedia));

    const today = new Date().toISOString().slice(0, 10);
    for (const deadline = Date.now() + 10_000; ; await sleep(200)) {
      const row = (
        await h.context.app.inject({
          url: `/api/admin/ads/report?from=${today}&to=${today}`,
          headers: h.admin.headers,
        })
      )
        .json<{ campaigns: Array<{ campaignId: string; impressions: number; completes: number }> }>()
        .campaigns.find((candidate) => candidate.campaignId === campaignId);
      if (row?.impressions === 1 && row.completes === 1) break;
      assert.ok(Date.now() < deadline, `the pre-roll's beacons were counted: ${JSON.stringify(row)}`);
    }

    // A title above the free plan: why, and the way to upgrade.
    await page.goto(`${origin}/play/${premiumId}`);
    await page.locator('[data-refusal="PLAYBACK_PLAN_REQUIRED"]').waitFor();
    await page.getByRole('link', { name: 'See plans and upgrade' }).click();
    await page.waitForURL(/\/plans$/);

    // The long title: its pre-roll, the content; a seek past the mid-roll (about a minute in)
    // plays that break over the paused content, which then goes on from where it was sent.
    await page.goto(`${origin}/play/${longId}`);
    await untilPlaying(page, 1);
    await page.evaluate(() => {
      const video = (globalThis as unknown as AppPage).document.querySelector('video[data-player]');
      if (video) video.currentTime = 66;
    });
    const midroll = await (
      await page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as AppPage;
          const ad = document.querySelector('video[data-ad-player]');
          const label = document.querySelector('[data-ad-label]');
          const content = document.querySelector('video[data-player]');
          if (!ad || !label || !content || ad.hidden || ad.currentTime < 0.2) return null;
          return { label: label.textContent, contentHidden: content.hidden, contentPaused: content.paused };
        },
        undefined,
        { timeout: 20_000, polling: 50 },
      )
    ).jsonValue();
    assert.deepEqual(midroll, { label: 'Ad · 1 of 1', contentHidden: true, contentPaused: true });
    await page.screenshot({ path: path.join(artifacts, 'player-midroll-desktop.png') });
    await untilPlaying(page, 66.5);
    assert.equal(await page.locator('[data-ad-label]').count(), 0, 'no ad label over the content');
    for (const deadline = Date.now() + 10_000; ; await sleep(200)) {
      const row = (
        await h.context.app.inject({
          url: `/api/admin/ads/report?from=${today}&to=${today}`,
          headers: h.admin.headers,
        })
      )
        .json<{ campaigns: Array<{ campaignId: string; impressions: number; completes: number }> }>()
        .campaigns.find((candidate) => candidate.campaignId === campaignId);
      // Three ads: the first title's pre-roll, this one's pre-roll, and its mid-roll.
      if (row?.impressions === 3 && row.completes === 3) break;
      assert.ok(Date.now() < deadline, `the mid-roll's beacons were counted: ${JSON.stringify(row)}`);
    }
    assert.deepEqual(cspViolations, [], 'the ad plays under the app’s CSP');
    await context.close();
  });
});
