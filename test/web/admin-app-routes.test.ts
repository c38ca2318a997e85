import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { webAppRoutes } from '../../src/http/web-app.routes.ts';

/**
 * How Marquee serves its two built apps from web/dist: the viewer app at / and the admin console
 * at /admin (every path under it is a console page; its assets under /admin/assets), each with
 * its own "not built" page — here over a stand-in build, so no Vite run is needed.
 */
describe('the web apps’ routes', () => {
  let dist: string;
  let app: FastifyInstance;

  before(async () => {
    dist = await mkdtemp(path.join(tmpdir(), 'marquee-dist-'));
    await mkdir(path.join(dist, 'admin', 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'admin', 'index.html'), '<!doctype html><title>admin console</title>');
    await writeFile(path.join(dist, 'admin', 'assets', 'index-abc.js'), 'console.log("admin")');
    app = Fastify();
    await app.register(webAppRoutes, { dir: dist });
    // An API route under /api/admin stays the API's.
    app.get('/api/admin/jobs', async () => ({ api: true }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('answers every /admin page with the console’s index.html, never cached', async () => {
    for (const url of ['/admin', '/admin/', '/admin/titles/123', '/admin/signin']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /admin console/, url);
      assert.equal(response.headers['cache-control'], 'no-cache');
    }
  });

  it('serves the console’s hashed assets for good, and 404 for others', async () => {
    const asset = await app.inject({ url: '/admin/assets/index-abc.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await app.inject({ url: '/admin/assets/missing.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/admin/assets/..%2Findex.html' })).statusCode, 404);
  });

  it('leaves /api/admin to the API, and says how to build an app that is not built', async () => {
    assert.deepEqual((await app.inject({ url: '/api/admin/jobs' })).json(), { api: true });
    const viewer = await app.inject({ url: '/' });
    assert.equal(viewer.statusCode, 503);
    assert.match(viewer.body, /The web app is not built/);
    assert.match(viewer.body, /npm run build:web/);
  });
});
