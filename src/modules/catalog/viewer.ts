import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';

/** Who is looking: decides what is visible. */
export interface Viewer {
  /** The active profile's maturity limit (an age); null: no cap. */
  maturityLimit: number | null;
  /** ISO 3166-1 alpha-2 of the request; null when unknown (region-limited titles are hidden). */
  country: string | null;
  now: Date;
}

const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * Who is looking, from any request (anonymous or not): the active profile's maturity limit, the
 * country the edge says the request came from (`CATALOG_COUNTRY_HEADER`, e.g. CloudFront's
 * `cloudfront-viewer-country`) and now. Browse, playback and every feature that filters titles
 * for a viewer read it here.
 */
export function viewerFrom(
  request: FastifyRequest,
  options: { clock: Clock; countryHeader: string | undefined },
): Viewer {
  const actor = request.actor;
  const header = options.countryHeader ? request.headers[options.countryHeader] : undefined;
  return {
    maturityLimit: actor?.kind === 'user' ? (actor.profile?.maturityLimit ?? null) : null,
    country: typeof header === 'string' && COUNTRY.test(header) ? header.toUpperCase() : null,
    now: options.clock.now(),
  };
}
