// Builds the viewer web app (web/app) into web/dist/app with Vite. `--if-stale` builds only when a
// source under web/ is newer than the last build: `npm install` (prepare) and `npm start`
// (prestart) run it so the README's two commands serve a current app. Without Vite (a production
// install with --omit=dev) it says so and exits 0: the server then answers / with a hint.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as Vite from 'vite';
import type * as ReactPlugin from '@vitejs/plugin-react';
import { readFile } from 'node:fs/promises';

const web = path.join(import.meta.dirname, '..', 'web');
const outDir = path.join(web, 'dist', 'app');
const stampFile = path.join(outDir, '.built');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

async function builtAt(): Promise<number> {
  return stat(stampFile).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

/** Gzip size of what the first screen loads: the entry script and what index.html preloads. */
export async function firstScreenSizes(): Promise<{ files: Record<string, number>; gzipBytes: number }> {
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  const names = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
  const files: Record<string, number> = {};
  for (const name of names) files[name] = gzipSync(await readFile(path.join(outDir, name))).length;
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
  await vite.build({
    configFile: false,
    root: path.join(web, 'app'),
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
  await writeFile(stampFile, new Date().toISOString() + '\n');
  return 'built';
}

if (import.meta.main) {
  const ifStale = process.argv.includes('--if-stale');
  const result = await buildWebApp({ ifStale });
  if (result === 'built' || process.argv.includes('--size')) {
    const { files, gzipBytes } = await firstScreenSizes();
    for (const [name, bytes] of Object.entries(files))
      console.log(`  ${name}  ${(bytes / 1024).toFixed(1)} KB gzip`);
    console.log(`web app first screen: ${(gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);
  } else if (result === 'fresh') console.log('web app is up to date');
}
