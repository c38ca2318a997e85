import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The minimal web player: /watch/:itemId signs in, starts a stream (a title's or a live event's,
 * with its chat beside it) and plays it with hls.js,
 * served from this process (nothing loads from a third party) under the 'player' CSP.
 */
export const playerRoutes: FastifyPluginAsync = async (app) => {
  const here = path.join(import.meta.dirname, 'player');
  const hlsPath = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
  const [page, script, ads, chat, style, hls] = await Promise.all([
    readFile(path.join(here, 'watch.html'), 'utf8'),
    readFile(path.join(here, 'player.js'), 'utf8'),
    readFile(path.join(here, 'ads.js'), 'utf8'),
    readFile(path.join(here, 'live-chat.js'), 'utf8'),
    readFile(path.join(here, 'player.css'), 'utf8'),
    readFile(hlsPath, 'utf8'),
  ]);
  const config = { access: 'public' as const, securityPolicy: 'player' as const, quiet: true };
  const schema = { hide: true };
  app.get('/watch/:itemId', { config, schema }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  const assets: Record<string, [string, string]> = {
    'player.js': [script, 'text/javascript; charset=utf-8'],
    'ads.js': [ads, 'text/javascript; charset=utf-8'],
    'live-chat.js': [chat, 'text/javascript; charset=utf-8'],
    'player.css': [style, 'text/css; charset=utf-8'],
    'hls.min.js': [hls, 'text/javascript; charset=utf-8'],
  };
  for (const [name, [body, type]] of Object.entries(assets)) {
    app.get(`/player/${name}`, { config, schema }, (_request, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=3600').send(body),
    );
  }
};
