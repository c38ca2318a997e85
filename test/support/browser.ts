import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A describe's `skip`: false where Chromium is installed, else the reason. */
export const withoutChromium = existsSync(chromiumPath)
  ? false
  : `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;

/** Headless Chromium with the flags these machines need (no sandbox, GPU, QUIC or background fetches). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What the accessibility check reads of the page (this project's TypeScript has no DOM library). */
interface AxePage {
  document: unknown;
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }> }>;
  };
}

/**
 * Serves axe-core at `/__axe.js` on the page's own origin, so a page whose CSP allows only its own
 * scripts (script-src 'self') can load it for `assertAccessible`.
 */
export async function serveAxe(page: Page): Promise<void> {
  const source = await axeSource;
  await page.route('**/__axe.js', (route) => route.fulfill({ body: source, contentType: 'text/javascript' }));
}

/** axe-core finds no serious or critical problem on the page as it is now (needs `serveAxe`). */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ url: '/__axe.js' });
  const violations = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as AxePage;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: (v.nodes as Array<{ html: string }>).map((node) => node.html).slice(0, 3),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: accessibility problems ${JSON.stringify(serious)}`);
}
