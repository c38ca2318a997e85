import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

/**
 * The viewer web app (web/app, built by Vite into web/dist/app by `npm install` / `npm start`) and
 * the admin console (web/admin, into web/dist/admin), served the same way. The viewer app:
 * its pages answer with index.html (the app routes in the browser), its hashed assets are
 * cached for good. Under the 'webapp' CSP: its own scripts and styles only, hls.js through
 * MediaSource blob: URLs, generated posters as data: images. /api, /docs and /watch are untouched:
 * only the app's own page paths are routes here. Without a build, the pages say how to make one.
 */

/** The client-side routes of web/app/src/routes.tsx. */
export const webAppPages = [
  '/',
  '/signin',
  '/signup',
  '/forgot-password',
  '/reset-password',
  '/verify-email',
  '/oidc',
  '/profiles',
  '/search',
  '/title/:id',
  '/genre/:slug',
  '/play/:itemId',
  '/live/:eventId',
  '/plans',
  '/checkout/:checkoutId',
  '/account',
];

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

const notBuilt = (what: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Marquee</title></head><body>' +
  `<h1>${what} is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm start</code>, ` +
  'which builds it when its sources changed) and reload. The API is at <a href="/docs">/docs</a>.</p></body></html>';

interface Built {
  index: string;
  assets: Map<string, { body: Buffer; type: string }>;
}

async function load(dir: string): Promise<Built | null> {
  try {
    const index = await readFile(path.join(dir, 'index.html'), 'utf8');
    const assets = new Map<string, { body: Buffer; type: string }>();
    for (const name of await readdir(path.join(dir, 'assets'))) {
      const type = types[path.extname(name)];
      if (type) assets.set(name, { body: await readFile(path.join(dir, 'assets', name)), type });
    }
    return { index, assets };
  } catch {
    return null;
  }
}

/** Serves one built app: its pages answer with index.html, `${base}assets/:name` with its files. */
async function serveBuiltApp(
  app: FastifyInstance,
  options: { dir: string; base: string; pages: readonly string[]; notBuilt: string },
) {
  // Read once when first asked: a build made after the server started is picked up then.
  let built: Promise<Built | null> | null = null;
  const current = async () => {
    built ??= load(options.dir);
    const result = await built;
    if (!result) built = null;
    return result;
  };
  const config = { access: 'public' as const, securityPolicy: 'webapp' as const, quiet: true };
  const schema = { hide: true };
  for (const page of options.pages) {
    app.get(page, { config, schema }, async (_request, reply) => {
      const result = await current();
      return reply
        .code(result ? 200 : 503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(result?.index ?? options.notBuilt);
    });
  }
  app.get<{ Params: { name: string } }>(
    `${options.base}assets/:name`,
    { config, schema },
    async (request, reply) => {
      const asset = (await current())?.assets.get(request.params.name);
      if (!asset) return reply.callNotFound();
      return reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body);
    },
  );
}

/**
 * The admin console (web/admin, built into web/dist/admin beside the viewer app): every path under
 * /admin is one of its pages (it routes in the browser and answers unknown ones itself); its
 * assets are under /admin/assets. It uses the public API only, so /api/admin/* stays the API's.
 */
export const adminAppPages = ['/admin', '/admin/*'];

export const webAppRoutes: FastifyPluginAsync<{ dir?: string }> = async (app, options) => {
  const dist = options.dir ?? path.join(import.meta.dirname, '..', '..', 'web', 'dist');
  await serveBuiltApp(app, {
    dir: path.join(dist, 'app'),
    base: '/',
    pages: webAppPages,
    notBuilt: notBuilt('The web app'),
  });
  await serveBuiltApp(app, {
    dir: path.join(dist, 'admin'),
    base: '/admin/',
    pages: adminAppPages,
    notBuilt: notBuilt('The admin console'),
  });
};
