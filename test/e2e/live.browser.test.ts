import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, withoutChromium } from '../support/browser.ts';
import { createLiveIngest, type RtmpIngest } from '../../src/modules/live/index.ts';
import { allowDevices, registerViewer, signInWithRoles } from '../support/accounts.ts';
import { joinChat } from '../support/live-chat.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { liveIngestDeps } from '../support/live-ingest.ts';

/**
 * A live event in a real browser: ffmpeg publishes over RTMP, Debian's Chromium signs in on
 * /watch/:eventId and plays the encrypted live ladder through hls.js (keys from the key server),
 * and a chat message another viewer sends over its own WebSocket appears on the page. Then the
 * viewer web app's live page (/live/:eventId) plays the same event with its chat beside the video.
 */

const skip = withoutChromium;
const root = path.join(import.meta.dirname, '..', '..');
const artifacts = path.join(root, 'artifacts', 'webapp');

/** The bits of the page these checks read (no DOM library in this project's TypeScript). */
interface LivePage {
  document: {
    querySelector(selector: string): { currentTime: number; videoHeight: number };
    getElementById(id: 'chat-messages' | 'status'): { textContent: string };
  };
}

describe('a live event in Chromium', { skip }, () => {
  let context: TestContext;
  let ingest: RtmpIngest;
  let browser: Browser;
  let publisher: ReturnType<typeof spawn> | undefined;

  before(async () => {
    context = await createTestApp({
      env: {
        LIVE_RTMP_HOST: '127.0.0.1',
        LIVE_RTMP_PORT: '0',
        LIVE_RUNGS: '180:300,90:150',
        LIVE_SEGMENT_SECONDS: '1',
        LIVE_DVR_SECONDS: '60',
        LIVE_GRACE_SECONDS: '1',
        LIVE_KEY_ROTATION_SECONDS: '4',
      },
    });
    await allowDevices(context);
    ingest = createLiveIngest(await liveIngestDeps(context));
    await ingest.start();
    // The web app is built as `npm start` builds it: only when its sources changed.
    await promisify(execFile)(process.execPath, ['scripts/build-web.ts', '--if-stale'], { cwd: root });
    await mkdir(artifacts, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    // Before the publisher goes: the event stays live (its end and recording are live.test.ts's).
    await ingest?.close();
    publisher?.kill('SIGKILL');
    await context?.close();
  });

  it('plays the live ladder through hls.js while another viewer’s chat message appears', async () => {
    const { app } = context;
    const editor = await signInWithRoles(context, ['content_manager']);
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Browser live', scheduledStart: new Date().toISOString() },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { event, streamKey } = created.json<{ event: { id: string }; streamKey: string }>();
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });

    publisher = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=40'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=40'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
        ...['-c:a', 'aac', '-f', 'flv', `rtmp://127.0.0.1:${ingest.port}/live/${streamKey}`],
      ],
      { stdio: 'ignore' },
    );
    const other = await registerViewer(app);
    const chat = await joinChat({ app, baseUrl: origin, eventId: event.id, headers: other.headers });
    if (chat.welcome.state !== 'live')
      await chat.client.next('state', (frame) => frame.state === 'live', 15_000);

    const viewer = await registerViewer(app);
    const page = await (await browser.newContext()).newPage();
    const started = Date.now();
    // The first segments take a moment to reach storage: the page retries like a viewer would.
    for (let attempt = 0; ; attempt++) {
      await page.goto(`${origin}/watch/${event.id}`);
      if (attempt === 0) {
        await page.locator('#email').fill(viewer.email);
        await page.locator('#password').fill(viewer.password);
        await page.locator('#sign-in button[type=submit]').click();
      }
      const status = await page
        .waitForFunction(
          () => {
            const text = (globalThis as unknown as LivePage).document.getElementById('status').textContent;
            return /Playing|Cannot play/.test(text) ? text : undefined;
          },
          undefined,
          { timeout: 15_000, polling: 200 },
        )
        .then((handle) => handle.jsonValue());
      if (status?.startsWith('Playing') || attempt === 5) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await page.waitForFunction(
      () => {
        const video = (globalThis as unknown as LivePage).document.querySelector('video');
        return video.currentTime > 2 && video.videoHeight > 0;
      },
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    const height = await page.evaluate(
      () => (globalThis as unknown as LivePage).document.querySelector('video').videoHeight,
    );
    assert.equal(height, 180, 'the top rung the free plan allows (180p ≤ 480p)');
    console.log(`# live picture after ${Date.now() - started} ms`);

    // The page's chat has joined (it shows the panel on welcome); a message from elsewhere arrives.
    await page.locator('#chat').waitFor({ state: 'visible', timeout: 10_000 });
    chat.client.send({ type: 'send', body: 'Hello from the other viewer' });
    await page.waitForFunction(
      () =>
        (globalThis as unknown as LivePage).document
          .getElementById('chat-messages')
          .textContent.includes('Hello from the other viewer'),
      undefined,
      { timeout: 10_000, polling: 100 },
    );
    // And the page's own message reaches the other viewer.
    await page.locator('#chat-input').fill('Hi back from the browser');
    await page.locator('#chat-form button[type=submit]').click();
    await chat.client.next('message', (frame) => frame.message.body === 'Hi back from the browser', 10_000);
    const still = await page.evaluate(
      () => (globalThis as unknown as LivePage).document.querySelector('video').currentTime,
    );
    assert.ok(still > 2, `still playing at ${still}`);

    // The web app's live page: the same event, its picture, and the chat beside it.
    const fan = await registerViewer(app, { name: 'Web Fan' });
    const { profiles } = (await app.inject({ url: '/api/profiles', headers: fan.headers })).json<{
      profiles: Array<{ id: string }>;
    }>();
    const selected = await app.inject({
      method: 'POST',
      url: `/api/profiles/${profiles[0]?.id}/select`,
      headers: fan.headers,
      payload: {},
    });
    assert.equal(selected.statusCode, 200, selected.body);
    const webApp = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await webApp.addInitScript(
      (session) =>
        (
          globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
        ).localStorage.setItem('marquee.session', JSON.stringify(session)),
      { accessToken: fan.accessToken, refreshToken: fan.refreshToken },
    );
    const appPage = await webApp.newPage();
    // The home screen's "Live now" row leads to the event's page.
    await appPage.goto(`${origin}/`);
    const onAir = appPage.locator(`[data-row="live"] [data-title-id="${event.id}"]`);
    await onAir.waitFor({ timeout: 15_000 });
    assert.match(await onAir.innerText(), /Live now/);
    await onAir.locator('a').click();
    await appPage.waitForURL(`${origin}/live/${event.id}`);
    await appPage.waitForFunction(
      () => {
        // Null until the event is loaded and the player is on the page.
        const video = (globalThis as unknown as LivePage).document.querySelector('video[data-player]') as {
          currentTime: number;
          videoHeight: number;
        } | null;
        return !!video && video.currentTime > 1 && video.videoHeight > 0;
      },
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    await appPage.locator('[data-chat="joined"]').waitFor({ timeout: 10_000 });
    chat.client.send({ type: 'send', body: 'Hello, web app' });
    await appPage
      .getByLabel('Live chat', { exact: true })
      .getByText('Hello, web app')
      .waitFor({ timeout: 10_000 });
    await appPage.getByLabel('Message', { exact: true }).fill('Hi from the web app');
    await appPage.getByRole('button', { name: 'Send' }).click();
    await chat.client.next('message', (frame) => frame.message.body === 'Hi from the web app', 10_000);
    const [videoBox, chatBox] = await Promise.all([
      appPage.locator('video[data-player]').boundingBox(),
      appPage.getByLabel('Live chat', { exact: true }).boundingBox(),
    ]);
    assert.ok(
      videoBox && chatBox && chatBox.x >= videoBox.x + videoBox.width - 1,
      `the chat is beside the video: ${JSON.stringify({ videoBox, chatBox })}`,
    );
    await appPage.screenshot({ path: path.join(artifacts, 'live-desktop.png') });
    await webApp.close();
    await chat.client.close();
  });
});
