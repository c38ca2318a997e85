import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's security headers, computed once per policy instead of on every request.
 *
 * `@fastify/helmet` runs helmet's middleware chain per request; on this stack that alone costs
 * about half the throughput (docs/PERFORMANCE.md). The headers depend on nothing in the request
 * (no CSP nonces here), so we ask helmet once what it would set and replay that set in the single
 * onRequest hook. Routes that need another policy (the Swagger UI, the video player) name one.
 */
export type SecurityPolicy = 'api' | 'docs' | 'player' | 'webapp';

function capture(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed');
    done = true;
  });
  if (!done) throw new Error('helmet did not complete synchronously');
  return headers;
}

export function securityHeaderSets(options: {
  hsts: boolean;
}): Record<SecurityPolicy, Record<string, string>> {
  const strictTransportSecurity = options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false;
  const base = { strictTransportSecurity, crossOriginResourcePolicy: { policy: 'same-site' as const } };
  return {
    // JSON and media responses are not documents. They get what protects a non-document — a CSP
    // that forbids everything should one be rendered anyway, nosniff, CORP, no referrer, HSTS —
    // and not helmet's document-only headers (COOP, Origin-Agent-Cluster, DNS prefetch, legacy
    // IE/Flash/XSS-auditor switches, X-Frame-Options next to frame-ancestors), which would only
    // add bytes to every response.
    api: capture({
      ...base,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xFrameOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    }),
    // Swagger UI: its own scripts and styles, inline styles, data: images.
    docs: capture({
      ...base,
      contentSecurityPolicy: {
        directives: {
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
        },
      },
    }),
    // The player: hls.js feeds the <video> element through MediaSource blob: URLs.
    player: capture({
      ...base,
      contentSecurityPolicy: {
        directives: {
          scriptSrc: ["'self'"],
          mediaSrc: ["'self'", 'blob:'],
          workerSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", 'https:'],
          imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        },
      },
    }),
    // The viewer web app (web/app): its own bundled scripts and styles only — no inline script or
    // style element (React sets style properties through the CSSOM, which CSP allows); hls.js as
    // in the player, plus data: media for the empty `<track src="data:,WEBVTT">` hls.js adds to
    // show subtitles natively; generated posters are data: SVGs, artwork may come from a CDN.
    webapp: capture({
      ...base,
      contentSecurityPolicy: {
        directives: {
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          mediaSrc: ["'self'", 'blob:', 'data:'],
          workerSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", 'https:'],
          imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
          frameAncestors: ["'none'"],
        },
      },
    }),
  };
}
