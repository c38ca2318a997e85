import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, withoutChromium } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { viewerOnPlan, type SignedIn } from '../support/accounts.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';

/**
 * The web player in a real browser: Debian's Chromium, driven by playwright-core, signs in on
 * /watch/:itemId and plays an AES-128 encrypted title through hls.js from a listening server.
 * The page is opened at 127.0.0.1 while PUBLIC_URL says localhost, as a newcomer or a LAN
 * viewer would: playback must not depend on the address. A viewer on 'basic' decodes 720p (the
 * plan cap, though the title goes to 1080p); a reload plays again, and leaving the page ends the
 * stream; with a tampered token the key server refuses, no picture is ever decoded and the
 * player ends its stream.
 *
 * A 4K source (2 s of 3840×2160 at 6 fps, through the same pipeline: content-aware ladder up to
 * 2160p, quality step, encryption) plays at every plan's cap: 2160p for Premium, 1080p for
 * Standard, 720p for Basic and 480p for Free. Debian's Chromium decodes H.264 at level 5.1 in
 * software; it has no HEVC decoder (MSE refuses hvc1), so the HEVC copies are proven with
 * ffprobe in test/integration/playback-hevc.test.ts, not here.
 */

const skip = withoutChromium;

interface VideoState {
  currentTime: number;
  videoWidth: number;
  videoHeight: number;
  status: string;
}

/**
 * The bits of the page these checks read. This project's TypeScript has no DOM library, and the
 * player's CSP forbids eval, so page-side checks are functions typed against this shape.
 */
interface PlayerPage {
  document: {
    querySelector(selector: 'video'): { currentTime: number; videoWidth: number; videoHeight: number };
    getElementById(id: 'status'): { textContent: string };
  };
  marqueePlayer: { hls: { levels: Array<{ height: number }> } };
}

const videoState = (page: Page): Promise<VideoState> =>
  page.evaluate(() => {
    const { document } = globalThis as unknown as PlayerPage;
    const video = document.querySelector('video');
    return {
      currentTime: video.currentTime,
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
      status: document.getElementById('status').textContent,
    };
  });

async function signInAndPlay(page: Page, origin: string, itemId: string, viewer: SignedIn) {
  await page.goto(`${origin}/watch/${itemId}`);
  await page.locator('#email').fill(viewer.email);
  await page.locator('#password').fill(viewer.password);
  await page.locator('#sign-in button[type=submit]').click();
}

describe('the web player in Chromium', { skip }, () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let browser: Browser;
  let origin: string;
  let movieId: string;

  /** A fresh viewer each time: a basic plan's stream limit would refuse a second device. */
  const viewerOn = (plan: string): Promise<SignedIn> => viewerOnPlan(h.context, plan);
  const basicViewer = () => viewerOn('basic');

  /** The account's streams that count against its plan, as the API lists them. */
  const streamsOf = async (viewer: SignedIn): Promise<string[]> =>
    (await h.context.app.inject({ url: '/api/playback/sessions', headers: viewer.headers }))
      .json<{ items: Array<{ id: string }> }>()
      .items.map((stream) => stream.id);
  /** Waits until the account has no stream left (the player's end request is asynchronous). */
  const untilNoStreams = async (viewer: SignedIn, why: string) => {
    const deadline = Date.now() + 15_000;
    while ((await streamsOf(viewer)).length > 0) {
      if (Date.now() > deadline) throw new Error(`${why}: the stream still counts`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  before(async () => {
    const setupStarted = Date.now();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    h = await harness(undefined, {
      // The 1080p title gets the first four; the 4K one all five.
      TRANSCODE_LADDER: '240:300,480:600,720:900,1080:1400,2160:4000',
      // Another address than the one the browser uses: nothing the player fetches may depend on it.
      PUBLIC_URL: `http://localhost:${port}`,
    });
    scratch = await scratchDir();
    const [, launched] = await Promise.all([
      h.context.app.listen({ host: '127.0.0.1', port }),
      launchChromium(),
    ]);
    browser = launched;
    ({ movieId } = await publishedClip(h, { title: 'Browser test', dir: scratch.dir, seconds: 8 }));
    console.log(`# server up, title transcoded and published in ${Date.now() - setupStarted} ms`);
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await scratch?.remove();
  });

  it('plays the encrypted title at the plan cap at 127.0.0.1: time advances, 720p decoded', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const keyStatuses: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/keys/')) keyStatuses.push(response.status());
    });
    const started = Date.now();
    const viewer = await basicViewer();
    const startRequest = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url().endsWith(`/api/playback/${movieId}`),
    );
    await signInAndPlay(page, origin, movieId, viewer);
    // The player declares HEVC exactly when Media Source Extensions says it decodes it (Debian's
    // Chromium: no), so an HEVC-capable browser would be offered the HEVC copies.
    const hevc = await page.evaluate(
      (type) =>
        (
          globalThis as unknown as { MediaSource: { isTypeSupported(type: string): boolean } }
        ).MediaSource.isTypeSupported(type),
      'video/mp4; codecs="hvc1.1.6.L120.90"',
    );
    assert.deepEqual((await startRequest).postDataJSON(), { codecs: hevc ? ['hevc'] : [] });
    try {
      await page.waitForFunction(
        () => {
          const video = (globalThis as unknown as PlayerPage).document.querySelector('video');
          return video.currentTime > 1.5 && video.videoHeight === 720;
        },
        undefined,
        { timeout: 20_000, polling: 100 },
      );
    } catch (error) {
      throw new Error(`not playing 720p: ${JSON.stringify(await videoState(page))}`, { cause: error });
    }
    const state = await videoState(page);
    assert.equal(state.videoHeight, 720);
    assert.equal(state.videoWidth, 1280);
    assert.ok(state.currentTime > 1.5);
    assert.match(state.status, /1280×720 \(plan cap 720p\)/);
    assert.ok(keyStatuses.length > 0 && keyStatuses.every((status) => status === 200), String(keyStatuses));
    const levels = await page.evaluate(() =>
      (globalThis as unknown as PlayerPage).marqueePlayer.hls.levels.map((level) => level.height),
    );
    assert.deepEqual(levels, [240, 480, 720], 'the 1080p rendition is not even listed');
    assert.equal(
      await page.locator('#sign-in').isVisible(),
      false,
      'the sign-in form is gone once signed in',
    );
    console.log(
      `# playing ${state.videoWidth}×${state.videoHeight} at ${state.currentTime.toFixed(2)} s, ` +
        `${Date.now() - started} ms after sign-in; key responses ${keyStatuses.join(',')}`,
    );

    // A reload plays again on a one-stream plan, and counts once.
    const [before] = await streamsOf(viewer);
    await page.reload();
    await page.waitForFunction(
      () => (globalThis as unknown as PlayerPage).document.querySelector('video').currentTime > 0.5,
      undefined,
      { timeout: 20_000, polling: 100 },
    );
    const after = await streamsOf(viewer);
    assert.equal(after.length, 1, 'one stream after the reload');
    assert.notEqual(after[0], before, 'the reload’s own stream');

    // Leaving the page ends its stream at once (pagehide), rather than after the heartbeat lapses.
    await page.goto('about:blank');
    await untilNoStreams(viewer, 'after leaving the page');
    await context.close();
  });

  it('with a tampered key token: no key is delivered and no picture is decoded', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const keyStatuses: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/keys/')) keyStatuses.push(response.status());
    });
    // Flip one character of the playback token on every key request, the way an attacker
    // replaying a forged token would; playlists still load with the real one.
    await page.route('**/api/keys/**', async (route) => {
      const url = new URL(route.request().url());
      const token = url.searchParams.get('token') ?? '';
      url.searchParams.set(
        'token',
        token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      );
      await route.continue({ url: url.toString() });
    });
    const refused = page.waitForResponse((response) => response.url().includes('/api/keys/'));
    const started = Date.now();
    const viewer = await basicViewer();
    await signInAndPlay(page, origin, movieId, viewer);
    assert.equal((await refused).status(), 401);
    const firstRefusal = Date.now() - started;
    // hls.js retries the key a few times before giving up; the picture must stay dark throughout.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PlayerPage).document
          .getElementById('status')
          .textContent.startsWith('Playback error'),
      undefined,
      { timeout: 20_000, polling: 100 },
    );
    console.log(
      `# first key refused ${firstRefusal} ms after sign-in, player gave up after ${Date.now() - started} ms`,
    );
    const state = await videoState(page);
    assert.ok(keyStatuses.length > 0, 'the player asked for a key');
    assert.ok(
      keyStatuses.every((status) => status === 401),
      `every key request refused: ${keyStatuses.join(',')}`,
    );
    assert.equal(state.videoHeight, 0, 'no picture decoded');
    assert.equal(state.currentTime, 0, 'no time played');
    assert.match(state.status, /Playback error: keyLoadError/);
    // The failed stream doesn't hold the plan's one slot: the player ended it.
    await untilNoStreams(viewer, 'after a fatal playback error');
    await context.close();
  });

  it('plays a 4K title at every plan’s cap: 2160p for Premium, 1080p, 720p and 480p below', async () => {
    const transcodeStarted = Date.now();
    const uhd = await publishedClip(h, {
      title: '4K browser test',
      dir: scratch.dir,
      seconds: 2,
      width: 3840,
      height: 2160,
      // 12 frames of 4K: one 2 s segment per rendition, and a software decode two cores keep up with.
      fps: 6,
    });
    console.log(`# 4K title transcoded and published in ${Date.now() - transcodeStarted} ms`);
    /** The ladder's heights, and the width each has in 16:9 (480p rounds up to even). */
    const widths = new Map([
      [240, 426],
      [480, 854],
      [720, 1280],
      [1080, 1920],
      [2160, 3840],
    ]);
    /** One viewer on `plan` signs in and plays: the picture reaches the cap, nothing above is listed. */
    const playsAtCap = async (plan: string, cap: number) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const started = Date.now();
      await signInAndPlay(page, origin, uhd.movieId, await viewerOn(plan));
      try {
        await page.waitForFunction(
          (height) => {
            const video = (globalThis as unknown as PlayerPage).document.querySelector('video');
            return video.currentTime > 0.5 && video.videoHeight === height;
          },
          cap,
          { timeout: 30_000, polling: 100 },
        );
      } catch (error) {
        throw new Error(`${plan}: not playing ${cap}p: ${JSON.stringify(await videoState(page))}`, {
          cause: error,
        });
      }
      const state = await videoState(page);
      assert.equal(state.videoHeight, cap, plan);
      assert.equal(state.videoWidth, widths.get(cap), plan);
      assert.match(state.status, new RegExp(`\\(plan cap ${cap}p\\)`), plan);
      const levels = await page.evaluate(() =>
        (globalThis as unknown as PlayerPage).marqueePlayer.hls.levels.map((level) => level.height),
      );
      assert.deepEqual(
        levels,
        [...widths.keys()].filter((height) => height <= cap),
        `${plan}: the renditions listed to the player`,
      );
      console.log(
        `# ${plan}: playing ${state.videoWidth}×${state.videoHeight} at ${state.currentTime.toFixed(2)} s, ` +
          `${Date.now() - started} ms after sign-in`,
      );
      await context.close();
    };
    // One after another: side by side they took as long on two cores (CPU-bound decodes), and a
    // failure names its plan.
    const playStarted = Date.now();
    for (const [plan, cap] of [
      ['premium', 2160],
      ['standard', 1080],
      ['basic', 720],
      ['free', 480],
    ] as const) {
      await playsAtCap(plan, cap);
    }
    console.log(`# four plans played at their caps in ${Date.now() - playStarted} ms`);
  });
});
