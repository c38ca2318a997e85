// Builds the web apps with Vite: the viewer app (web/app) into web/dist/app, served at /, and the
// admin console (web/admin) into web/dist/admin, served at /admin. Both share web/ui (tokens,
// components, the generated API client). `--if-stale` builds only when a source under web/ is
// newer than the last build: `npm install` (prepare) and `npm start` (prestart) run it so the
// README's two commands serve current apps. Without Vite (a production install with --omit=dev)
// it says so and exits 0: the server then answers / and /admin with a hint.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as Vite from 'vite';
import type * as ReactPlugin from '@vitejs/plugin-react';
import { readFile } from 'node:fs/promises';

const web = path.join(import.meta.dirname, '..', 'web');

/** The web apps: their folder under web/, and the path Marquee serves them at. */
export const webApps = {
  app: { base: '/' },
  admin: { base: '/admin/' },
} as const;
export type WebAppName = keyof typeof webApps;

const outDirOf = (name: WebAppName) => path.join(web, 'dist', name);
const stampOf = (name: WebAppName) => path.join(outDirOf(name), '.built');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

/** When the oldest of the apps' builds was made (0: one was never built). */
async function builtAt(): Promise<number> {
  const stamps = await Promise.all(
    Object.keys(webApps).map((name) =>
      stat(stampOf(name as WebAppName)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.min(...stamps);
}

/** Gzip size of what an app's first screen loads: the entry script and what index.html preloads. */
export async function firstScreenSizes(
  name: WebAppName = 'app',
): Promise<{ files: Record<string, number>; gzipBytes: number }> {
  const outDir = outDirOf(name);
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  const assets = new RegExp(`(?:src|href)="${webApps[name].base}(assets/[^"]+\\.(?:js|css))"`, 'g');
  const names = [...html.matchAll(assets)].map((m) => m[1] ?? '');
  const files: Record<string, number> = {};
  for (const file of names) files[file] = gzipSync(await readFile(path.join(outDir, file))).length;
  return { files, gzipBytes: Object.values(files).reduce((a, b) => a + b, 0) };
}

export async function buildWebApp(options: {
  ifStale: boolean;
  quiet?: boolean;
}): Promise<'built' | 'fresh' | 'no-vite'> {
  if (options.ifStale && (await builtAt()) >= (await newestSource(web))) return 'fresh';
  let vite: typeof Vite;
  let react: typeof ReactPlugin;
  try {
    vite = await import('vite');
    react = await import('@vitejs/plugin-react');
  } catch {
    console.warn('web app not built: Vite is not installed (npm install with dev dependencies builds it)');
    return 'no-vite';
  }
  for (const [name, { base }] of Object.entries(webApps)) {
    const outDir = outDirOf(name as WebAppName);
    await vite.build({
      configFile: false,
      root: path.join(web, name),
      base,
      logLevel: options.quiet ? 'warn' : 'info',
      plugins: [react.default()],
      build: {
        outDir,
        emptyOutDir: true,
        // The CSP allows no inline script: no modulepreload polyfill injected into the page.
        modulePreload: { polyfill: false },
        reportCompressedSize: false,
        // hls.js alone is ~540 kB minified; it loads with the player only.
        chunkSizeWarningLimit: 700,
      },
    });
    await writeFile(stampOf(name as WebAppName), new Date().toISOString() + '\n');
  }
  return 'built';
}

if (import.meta.main) {
  const ifStale = process.argv.includes('--if-stale');
  const result = await buildWebApp({ ifStale });
  if (result === 'built' || process.argv.includes('--size')) {
    for (const name of Object.keys(webApps) as WebAppName[]) {
      const { files, gzipBytes } = await firstScreenSizes(name);
      for (const [file, bytes] of Object.entries(files))
        console.log(`  ${name}/${file}  ${(bytes / 1024).toFixed(1)} KB gzip`);
      console.log(`${name} first screen: ${(gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);
    }
  } else if (result === 'fresh') console.log('web apps are up to date');
}
