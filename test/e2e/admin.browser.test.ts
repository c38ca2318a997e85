import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, launchChromium, serveAxe, withoutChromium } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { loginAs, registerViewer } from '../support/accounts.ts';
import { seedAnalyticsHistory, type SeededHistory } from '../support/analytics-history.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { ffmpegPath, makeComplexityClip, scratchDir } from '../support/media-clips.ts';
import { harness, type Harness } from '../support/media-harness.ts';

/**
 * The admin console (/admin) in Debian's Chromium against a listening server on embedded
 * defaults: an admin signs in, creates a movie, uploads a short clip over tus with a visible
 * progress bar — the connection drops half-way and the upload resumes from the server's offset —
 * watches its transcoding job reach 100 %, publishes the title and finds it in the catalog; the
 * dashboard draws its charts from a seeded week of analytics, with the figures of that history.
 * A viewer is refused. The console runs under its real CSP; axe-core finds no serious or critical
 * problem on each page; screenshots go to artifacts/admin/ (git-ignored).
 */

const skip = withoutChromium;
const root = path.join(import.meta.dirname, '..', '..');
const artifacts = path.join(root, 'artifacts', 'admin');

describe('the admin console in Chromium', { skip }, () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let browser: Browser;
  let origin: string;
  let clip: string;
  let poster: string;
  let history: SeededHistory;
  const seededTitles: Array<{ id: string; name: string }> = [];

  before(async () => {
    const started = Date.now();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // Built as `npm start` builds it: only when a source under web/ changed.
    const build = promisify(execFile)(process.execPath, ['scripts/build-web.ts', '--if-stale'], {
      cwd: root,
    });
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300', PUBLIC_URL: `http://localhost:${port}` });
    scratch = await scratchDir();
    const [, launched] = await Promise.all([
      h.context.app.listen({ host: '127.0.0.1', port }),
      launchChromium(),
      build,
      mkdir(artifacts, { recursive: true }),
    ]);
    browser = launched;
    // Noisy pictures compress badly: a 2 s clip of several tus chunks (the console sends 256 KiB each).
    clip = await makeComplexityClip({
      path: path.join(scratch.dir, 'short-clip.mp4'),
      complexity: 'complex',
      width: 320,
      height: 240,
      seconds: 2,
    });
    poster = path.join(scratch.dir, 'poster.png');
    await promisify(execFile)(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=200x300',
      '-frames:v',
      '1',
      '-y',
      poster,
    ]);
    const titles = catalogMaker(h.context, h.admin);
    for (const name of ['Northern Lights', 'Harbour Days', 'Quiet Engines']) {
      seededTitles.push({ id: await titles.movie(name), name });
    }
    history = await seedAnalyticsHistory(h.context.deps.database.db, {
      titleIds: seededTitles.map((t) => t.id),
      days: 6,
      now: new Date(),
    });
    console.log(
      `# server up, console built, ${history.events} analytics events seeded in ${Date.now() - started} ms`,
    );
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await scratch?.remove();
  });

  async function openConsole(viewport = { width: 1280, height: 800 }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    await serveAxe(page);
    return { context, page, cspViolations };
  }

  async function signIn(page: Page, account: { email: string; password: string }) {
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/signin$/);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    try {
      await page.waitForURL((url) => !url.pathname.endsWith('/signin'), { timeout: 15_000 });
    } catch (error) {
      throw new Error(`still on sign-in: ${await page.locator('main').innerText()}`, { cause: error });
    }
  }

  it('an admin uploads a clip (with progress, resuming), watches it transcode, publishes it and finds it in the catalog', async () => {
    const { context, page, cspViolations } = await openConsole();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

    await signIn(page, h.admin);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await assertAccessible(page, 'sign-in → dashboard');

    // Content: a new draft movie, by the keyboard-reachable navigation.
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    await nav.getByRole('link', { name: 'Content' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/titles$/);
    await page.locator('[data-title-id]').first().waitFor();
    await shot('content-desktop');
    await assertAccessible(page, 'content');
    const form = page.getByRole('form', { name: 'New title' });
    await form.getByLabel('Title').fill('Console Upload');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/admin\/titles\/[0-9a-f-]{36}$/);
    const titleId = page.url().split('/').pop() ?? '';
    await page.getByRole('heading', { name: 'Console Upload' }).waitFor();
    assert.equal(await page.locator('[data-title-status]').getAttribute('data-title-status'), 'draft');

    // The upload (tus-js-client): the connection drops after the first chunk and stays down. The
    // client retries by itself — asking the server its offset (HEAD) each time — then gives up;
    // the bar shows where it stopped, and Resume goes on from the server's offset, not from 0.
    const size = (await stat(clip)).size;
    assert.ok(size > 3 * 256 * 1024, `a clip of several chunks (${size} bytes)`);
    let patches = 0;
    let connectionDown = false;
    const tusRequests: string[] = [];
    await page.route('**/api/videos/tus**', async (route) => {
      const request = route.request();
      tusRequests.push(`${request.method()} ${request.headers()['upload-offset'] ?? ''}`);
      if (request.method() === 'PATCH' && ++patches === 2) connectionDown = true;
      if (connectionDown && request.method() !== 'POST') return route.abort('connectionreset');
      return route.continue();
    });
    await page.getByLabel('Video file').setInputFiles(clip);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const upload = page.locator('[data-upload-state]');
    await page.locator('[data-upload-state="uploading"]').waitFor();
    await page.locator('[data-upload-state="failed"]').waitFor({ timeout: 30_000 });
    const stoppedAt = Number(
      await upload.locator('[data-upload-percent]').getAttribute('data-upload-percent'),
    );
    assert.ok(stoppedAt > 0 && stoppedAt < 100, `stopped part-way (${stoppedAt} %)`);
    assert.equal(
      await page.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value'),
      String(stoppedAt),
    );
    const retried = tusRequests.filter((r) => r.startsWith('HEAD')).length;
    assert.ok(retried >= 2, `the client retried on its own: ${tusRequests.join(', ')}`);
    await shot('upload-interrupted');
    const beforeResume = tusRequests.length;
    connectionDown = false;
    await page.getByRole('button', { name: 'Resume upload' }).click();
    await page.locator('[data-upload-state="done"]').waitFor({ timeout: 30_000 });
    assert.match(await upload.innerText(), /resumed from \d+ %/);
    assert.equal(await upload.locator('[data-upload-percent]').getAttribute('data-upload-percent'), '100');
    // The resume asked the server where it was (HEAD) and sent the rest from there, not from 0.
    const afterFailure = tusRequests.slice(beforeResume);
    assert.equal(afterFailure[0], 'HEAD ', `resumed with HEAD: ${tusRequests.join(', ')}`);
    assert.equal(afterFailure[1], 'PATCH 262144', `went on from the first chunk: ${tusRequests.join(', ')}`);
    assert.ok(!afterFailure.some((r) => r.startsWith('POST')), `not restarted: ${tusRequests.join(', ')}`);
    console.log(`# ${size} bytes uploaded, interrupted at ${stoppedAt} %, tus: ${tusRequests.join(', ')}`);

    // The transcoding job, polled live, to 100 % and ready.
    const job = page.locator('[data-job-status]').first();
    await job.waitFor();
    const progressSeen = new Set<string>();
    for (const deadline = Date.now() + 120_000; ;) {
      const status = await job.getAttribute('data-job-status');
      progressSeen.add(`${status} ${await job.getByRole('progressbar').getAttribute('value')}`);
      if (status === 'ready') break;
      assert.ok(
        status !== 'failed' && Date.now() < deadline,
        `job status ${status}: ${await job.innerText()}`,
      );
      await page.waitForTimeout(200);
    }
    assert.equal(await job.getByRole('progressbar').getAttribute('value'), '100');
    // The title's status follows its video: ready to publish.
    await page.locator('[data-title-status="ready"]').waitFor();
    console.log(`# job progress seen: ${[...progressSeen].join(', ')}`);
    await shot('title-desktop');
    await assertAccessible(page, 'title');

    // Publish, and it is in the catalog: the console's list (the public API) finds it.
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('[data-title-status="published"]').waitFor();
    await page.getByRole('link', { name: '← Content' }).click();
    await page.getByLabel('Search titles').fill('Console Upload');
    await page.getByLabel('Search titles').press('Enter');
    await page.locator(`[data-title-id="${titleId}"]`).waitFor();
    const catalog = await fetch(`${origin}/api/videos?q=console+upload`);
    const found = ((await catalog.json()) as { items: Array<{ id: string }> }).items.map((t) => t.id);
    assert.ok(found.includes(titleId), 'the public catalog lists the published title');

    // The transcoding page lists the job as ready.
    await nav.getByRole('link', { name: 'Transcoding' }).click();
    const readyJob = page.locator('[data-job-status="ready"]').first();
    await readyJob.waitFor();
    // Its renditions with what the quality step measured: the one 240p H.264 rung, scored.
    await readyJob.getByRole('button', { name: 'Quality' }).click();
    const v240 = page.locator('[data-job-quality] [data-rendition="v240"]');
    await v240.waitFor();
    const [name, resolution, codec, , ssim, psnr] = await v240.locator('td').allInnerTexts();
    assert.deepEqual([name, resolution, codec], ['v240', '320×240', 'H.264']);
    assert.ok(Number(ssim) > 0.5 && Number(ssim) < 1, `v240 SSIM ${ssim}`);
    assert.match(psnr ?? '', /^\d+\.\d dB$/);
    await assertAccessible(page, 'jobs');

    // Signing out ends this device's session (the account's device limit counts it no more).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/signin$/);
    assert.deepEqual(cspViolations, [], 'the console runs under its CSP');
    await context.close();
  });

  it('the dashboard draws its charts from a seeded week, quickly, at desktop and phone sizes', async () => {
    const { context, page, cspViolations } = await openConsole();
    await signIn(page, h.admin);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // First load of the dashboard (its chunk, two analytics queries, the charts), signed in.
    const started = Date.now();
    await page.goto(`${origin}/admin/`);
    await page.locator('[data-chart="top-titles"] .uplot canvas').waitFor();
    await page.locator('[data-chart="startup"] .uplot canvas').waitFor();
    const firstLoadMs = Date.now() - started;
    console.log(`# dashboard first load: ${firstLoadMs} ms`);
    // The aim is 2 s on loopback (1.9–2.4 s measured on a busy 2-core machine, 4.8 s when
    // it was busier still); the bound leaves room for a loaded test machine.
    assert.ok(firstLoadMs < 8000, `dashboard loaded in ${firstLoadMs} ms`);

    // Every chart is a uPlot canvas with something drawn on it (its lines or bars in the series
    // colours), not an empty box.
    for (const chart of ['plays', 'watch-hours', 'top-titles', 'startup', 'rebuffering']) {
      const canvas = page.locator(`[data-chart="${chart}"] .uplot canvas`);
      await canvas.waitFor();
      const painted = await canvas.evaluate((element) => {
        const c = element as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): { getImageData(...a: number[]): { data: Uint8ClampedArray } };
        };
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        // --chart-1 (tokens.css), the first series' colour, at full strength: a line or a bar.
        let seriesPixels = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i] === 0xff && pixels[i + 1] === 0x6b && pixels[i + 2] === 0x6b && pixels[i + 3] === 255)
            seriesPixels++;
        }
        return { width: c.width, seriesPixels };
      });
      assert.ok(
        painted.width > 100 && painted.seriesPixels > 20,
        `${chart} drew on its canvas: ${JSON.stringify(painted)}`,
      );
    }
    // The figures are the history's: total plays over the week, and the top title first.
    const playCells = await page.locator('[data-chart="plays"] tbody tr td:first-of-type').allTextContents();
    const shownPlays = playCells.reduce((sum, cell) => sum + Number(cell.replace(/,/g, '')), 0);
    const seededPlays = [...history.plays.values()].reduce((a, b) => a + b, 0);
    assert.equal(shownPlays, seededPlays, 'plays on the chart equal the seeded plays');
    const top = [...history.watchHours].sort((a, b) => b[1] - a[1])[0]?.[0];
    const topName = seededTitles.find((t) => t.id === top)?.name ?? '';
    assert.equal(
      await page.locator('[data-chart="top-titles"] tbody tr').first().getAttribute('data-bucket'),
      topName,
    );
    // Each figure exports its rows as the API's CSV.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV of Plays and finishes' }).click(),
    ]);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    const csvPlays = csv
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .reduce((sum, line) => sum + Number(line.split(',')[2]), 0);
    assert.equal(csvPlays, seededPlays, 'the CSV holds the same plays');
    await page.screenshot({ path: path.join(artifacts, 'dashboard-desktop.png'), fullPage: true });
    await assertAccessible(page, 'dashboard');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('[data-chart="plays"] .uplot canvas').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'dashboard-phone.png'), fullPage: true });
    await assertAccessible(page, 'dashboard (phone)');

    // Signing out ends this device's session (the account's device limit counts it no more).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/signin$/);
    assert.deepEqual(cspViolations, [], 'the console runs under its CSP');
    await context.close();
  });

  it('the other sections (live, users, plans, ads, comments, audit) work and pass axe', async () => {
    const { context, page, cspViolations } = await openConsole();
    await signIn(page, h.admin);
    const nav = page.getByRole('navigation', { name: 'Admin sections' });

    // Live: a scheduled event's stream key is shown once.
    await nav.getByRole('link', { name: 'Live' }).click();
    const form = page.getByRole('form', { name: 'New live event' });
    await form.getByLabel('Title').fill('Console Live Night');
    await form.getByLabel('Starts at').fill('2030-01-02T20:00');
    await form.getByRole('button', { name: 'Schedule' }).click();
    const key = await page.locator('[data-stream-key]').innerText();
    assert.ok(key.length >= 16, `a stream key is shown (${key.length} characters)`);
    await page.getByRole('rowheader', { name: 'Console Live Night', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New stream key for Console Live Night' }).click();
    await page.waitForFunction(
      (old) =>
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('[data-stream-key]')?.textContent !== old,
      key,
    );
    await assertAccessible(page, 'live');

    // Users: the admin finds themself, with their roles.
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name or email').fill(h.admin.email);
    await page.getByLabel('Search by name or email').press('Enter');
    await page.getByRole('checkbox', { name: 'admin' }).first().waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'admin' }).first().isChecked(), true);
    await assertAccessible(page, 'users');

    // Plans: the Free plan's ad policy, edited in place (its audit entry shows below).
    await nav.getByRole('link', { name: 'Plans', exact: true }).click();
    await page.getByRole('button', { name: 'Edit ads on Free' }).click();
    const adPolicy = page.getByRole('form', { name: 'Ads on Free' });
    await adPolicy.getByLabel('Pre-roll').uncheck();
    await adPolicy.getByLabel('Ads per break').fill('3');
    await assertAccessible(page, 'plan-ads');
    await adPolicy.getByRole('button', { name: 'Save ads' }).click();
    await page
      .locator('[data-plan="free"]', { hasText: 'no pre-roll · mid-roll every 10 min · 3 per break' })
      .waitFor();
    const free = (await h.context.app.inject({ url: '/api/admin/plans', headers: h.admin.headers })).json<{
      plans: Array<{ id: string; adPreroll: boolean; adPodMax: number }>;
    }>();
    assert.deepEqual(
      free.plans
        .filter((plan) => plan.id === 'free')
        .map(({ adPreroll, adPodMax }) => ({ adPreroll, adPodMax })),
      [{ adPreroll: false, adPodMax: 3 }],
    );
    await h.context.app.inject({
      method: 'PATCH',
      url: '/api/admin/plans/free',
      headers: h.admin.headers,
      payload: { adPreroll: true, adPodMax: 2 },
    });

    for (const [link, heading] of [
      ['Plans', 'Plans'],
      ['Ads', 'Ad campaigns'],
      ['Comments', 'Comment moderation'],
      ['Audit log', 'Audit log'],
    ] as const) {
      await nav.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await assertAccessible(page, link);
    }
    // The audit log shows this test's changes (the publish, the live event).
    await page.locator('[data-audit-action]').first().waitFor();
    await page.screenshot({ path: path.join(artifacts, 'audit-desktop.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/signin$/);
    assert.deepEqual(cspViolations, [], 'the console runs under its CSP');
    await context.close();
  });

  it('the content, subscription, offers, sessions, ads and settings pages use the API, pass axe, and are kept as screenshots', async () => {
    // A paying subscriber (no trial, so the sandbox checkout charges at once) and a second device.
    await h.context.deps.database.db
      .updateTable('plans')
      .set({ trialDays: 0 })
      .where('id', '=', 'basic')
      .execute();
    const subscriber = await registerViewer(h.context.app, { name: 'Paying Subscriber' });
    const checkout = await h.context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: subscriber.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'sandbox' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const paid = await h.context.app.inject({
      method: 'POST',
      url: new URL(checkout.json<{ checkoutUrl: string }>().checkoutUrl).pathname,
      payload: { outcome: 'succeed' },
    });
    assert.equal(paid.statusCode, 200, paid.body);
    const phone = await loginAs(h.context.app, subscriber, {
      device: { name: 'Lost Phone', type: 'mobile' },
    });
    // And a device registered for offline downloads (basic allows them).
    const tablet = await h.context.app.inject({
      method: 'POST',
      url: '/api/downloads/devices',
      headers: subscriber.headers,
      payload: {
        name: 'Travel Tablet',
        publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
      },
    });
    assert.equal(tablet.statusCode, 201, tablet.body);
    const tabletId = tablet.json<{ id: string }>().id;

    const { context, page, cspViolations } = await openConsole();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
    await signIn(page, h.admin);
    const nav = page.getByRole('navigation', { name: 'Admin sections' });

    // Content → people and genres, each added through its form and found in its table.
    await nav.getByRole('link', { name: 'Content' }).click();
    await page.getByRole('navigation', { name: 'Content' }).getByRole('link', { name: 'People' }).click();
    const personForm = page.getByRole('form', { name: 'New person' });
    await personForm.getByLabel('Name').fill('Ada Console');
    await personForm.getByLabel('Biography').fill('Directs from the admin console.');
    await personForm.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('rowheader', { name: 'Ada Console' }).waitFor();
    await shot('people-desktop');
    await assertAccessible(page, 'people');
    await page.getByRole('navigation', { name: 'Content' }).getByRole('link', { name: 'Genres' }).click();
    const genreForm = page.getByRole('form', { name: 'New genre' });
    await genreForm.getByLabel('Genre name').fill('Console Noir');
    await genreForm.getByRole('button', { name: 'Add genre' }).click();
    await page.locator('[data-genre="console-noir"]').waitFor();
    await shot('genres-desktop');
    await assertAccessible(page, 'genres');

    // Artwork: a poster for a seeded title, uploaded as the request body, shown from its URL.
    await page.goto(`${origin}/admin/titles/${seededTitles[0]?.id}`);
    await page.getByLabel('Poster image (JPEG, PNG or WebP)').setInputFiles(poster);
    await page.getByRole('button', { name: 'Upload poster' }).click();
    const posterImage = page.locator('[data-artwork="poster"] img');
    await posterImage.waitFor();
    assert.ok(
      await posterImage.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
      'the poster loads from its URL',
    );
    await shot('title-artwork-desktop');
    await assertAccessible(page, 'artwork');

    // Subscriptions: found by email; the account's payment refunded with a reason.
    await nav.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByLabel('Account email').fill(subscriber.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('[data-status="active"]').waitFor();
    await assertAccessible(page, 'subscriptions');
    await page.locator('[data-status="active"] a').click();
    const payment = page.locator('[data-payment-status="paid"]');
    await payment.waitFor();
    await payment.getByLabel('Reason').fill('Charged twice');
    await payment.getByRole('button', { name: 'Refund' }).click();
    await page.locator('[data-payment-status="refunded"]').waitFor();
    await shot('subscription-billing-desktop');
    await assertAccessible(page, 'billing');

    // Offers: a coupon created, then withdrawn.
    await nav.getByRole('link', { name: 'Offers' }).click();
    const couponForm = page.getByRole('form', { name: 'New coupon' });
    await couponForm.getByLabel('Code').fill('CONSOLE20');
    await couponForm.getByLabel('Name', { exact: true }).fill('Twenty off, once');
    await couponForm.getByLabel('Percent off').fill('20');
    await couponForm.getByRole('button', { name: 'Create coupon' }).click();
    await page.locator('[data-coupon="CONSOLE20"][data-active="true"]').waitFor();
    await page.getByRole('button', { name: 'Withdraw CONSOLE20' }).click();
    await page.locator('[data-coupon="CONSOLE20"][data-active="false"]').waitFor();
    const offers = await fetch(`${origin}/api/offers`);
    const codes = ((await offers.json()) as { offers: Array<{ code: string }> }).offers.map((o) => o.code);
    assert.ok(!codes.includes('CONSOLE20'), 'a withdrawn coupon is not on offer');
    await assertAccessible(page, 'offers');

    // Users → the subscriber's devices: the lost phone signed out, the other device kept.
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name or email').fill(subscriber.email);
    await page.getByLabel('Search by name or email').press('Enter');
    await page.getByRole('link', { name: `Sessions of ${subscriber.email}` }).click();
    await page.locator(`[data-session="${phone.sessionId}"]`).waitFor();
    await assertAccessible(page, 'sessions');
    await page.getByRole('button', { name: 'Sign out Lost Phone' }).click();
    await page.locator(`[data-session="${phone.sessionId}"]`).waitFor({ state: 'detached' });
    assert.equal((await fetch(`${origin}/api/me`, { headers: phone.headers })).status, 401);
    assert.equal((await fetch(`${origin}/api/me`, { headers: subscriber.headers })).status, 200);
    // The same page lists its download devices; revoking the tablet takes it off the list.
    await page.getByRole('button', { name: 'Revoke downloads on Travel Tablet' }).click();
    await page.locator(`[data-download-device="${tabletId}"]`).waitFor({ state: 'detached' });

    // Ads: a campaign for a new advertiser.
    await nav.getByRole('link', { name: 'Ads' }).click();
    const campaignForm = page.getByRole('form', { name: 'New campaign' });
    await campaignForm
      .getByRole('combobox', { name: /^Advertiser/ })
      .selectOption({ label: 'New advertiser…' });
    await campaignForm.getByLabel('Advertiser name').fill('Console Cola');
    await campaignForm.getByLabel('Campaign name').fill('Console Summer');
    await campaignForm.getByLabel('CPM').fill('12.50');
    await campaignForm.getByLabel('Budget').fill('1000');
    await campaignForm.getByLabel('Ends').fill('2030-12-31');
    await campaignForm.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('rowheader', { name: 'Console Summer' }).waitFor();
    assert.equal(
      await page.locator('tr:has-text("Console Summer")').getAttribute('data-status'),
      'paused',
      'a new campaign waits for its creatives',
    );
    await shot('ads-desktop');
    await assertAccessible(page, 'ads');

    // Live: each event shows who watches it now.
    const scheduled = await h.context.app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: h.admin.headers,
      payload: {
        title: 'Console Viewers Night',
        scheduledStart: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    const liveEventId = scheduled.json<{ event: { id: string } }>().event.id;
    await nav.getByRole('link', { name: 'Live' }).click();
    await page.getByRole('columnheader', { name: 'Watching now' }).waitFor();
    assert.equal(await page.locator(`[data-live-event="${liveEventId}"]`).getAttribute('data-viewers'), '0');

    // Settings: the word filter, changed here, refuses the next comment at once.
    await nav.getByRole('link', { name: 'Settings' }).click();
    const filter = page.getByRole('form', { name: 'Settings' });
    await filter.getByLabel('Blocked words (one per line)').fill('spoilerific\nunspeakable');
    await filter.getByRole('button', { name: 'Save settings' }).click();
    await filter.getByText('Saved.').waitFor();
    await assertAccessible(page, 'settings');
    await shot('settings-desktop');
    const refused = await h.context.app.inject({
      method: 'POST',
      url: `/api/titles/${seededTitles[0]?.id}/comments`,
      headers: subscriber.headers,
      payload: { body: 'That ending was Unspeakable' },
    });
    assert.equal(refused.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_BLOCKED_WORD');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/admin\/signin$/);
    assert.deepEqual(cspViolations, [], 'the console runs under its CSP');
    await context.close();
  });

  it('a viewer is refused, by the console and by the API behind it', async () => {
    const viewer = await registerViewer(h.context.app, { name: 'Just Watching' });
    const { context, page } = await openConsole();
    await signIn(page, viewer);
    await page.getByRole('heading', { name: 'No access to the admin console' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /viewer account/);
    assert.equal(await page.getByRole('navigation', { name: 'Admin sections' }).count(), 0);
    await assertAccessible(page, 'refusal');
    await page.screenshot({ path: path.join(artifacts, 'refused.png') });
    // Going straight to a section changes nothing, and the API answers 403 to the viewer's token.
    await page.goto(`${origin}/admin/users`);
    await page.getByRole('heading', { name: 'No access to the admin console' }).waitFor();
    for (const url of [
      '/api/admin/analytics/titles?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
      '/api/admin/jobs',
      '/api/admin/users',
    ]) {
      const response = await fetch(`${origin}${url}`, { headers: viewer.headers });
      assert.equal(response.status, 403, url);
    }
    await context.close();
  });
});
