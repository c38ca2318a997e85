// The web apps' first screens: the JavaScript and CSS the viewer app and the admin console (/admin)
// ship (gzip), and — against a running, seeded server — how long the home screen takes to show
// its first row.
//
//   npm run bench:webapp                                  sizes only
//   BENCH_URL=http://127.0.0.1:3000 BENCH_EMAIL=… BENCH_PASSWORD=… npm run bench:webapp
//
// The timed run signs in through the API, hands the tokens to the page, and measures from
// navigation start to the first tile of the first row (the server should hold the MovieLens
// catalog: `npm run marquee -- seed-demo`). Budgets: 200 KB gzip, 1.5 s on loopback.
import { chromium } from 'playwright-core';
import { buildWebApp, firstScreenSizes } from '../scripts/build-web.ts';

await buildWebApp({ ifStale: true, quiet: true });
const { files, gzipBytes } = await firstScreenSizes();
for (const [name, bytes] of Object.entries(files))
  console.log(`${name}\t${(bytes / 1024).toFixed(1)} KB gzip`);
console.log(`first-screen assets: ${(gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);
const admin = await firstScreenSizes('admin');
console.log(`/admin first-screen assets: ${(admin.gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);

const url = process.env.BENCH_URL;
if (url) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: process.env.BENCH_EMAIL, password: process.env.BENCH_PASSWORD }),
  });
  if (!login.ok) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  const page = await browser.newPage();
  await page.goto(`${url}/signin`);
  await page.evaluate((session) => {
    (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(
      'marquee.session',
      JSON.stringify(session),
    );
  }, tokens);
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await page.goto(`${url}/`);
    await page.locator('[data-row] [data-title-id]').first().waitFor({ timeout: 15_000 });
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `home first row: median ${runs[2]?.toFixed(0)} ms, best ${runs[0]?.toFixed(0)} ms over ${runs.length} loads (budget 1500 ms)`,
  );
  await browser.close();
}
