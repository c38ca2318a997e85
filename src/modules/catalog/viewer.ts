import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Viewer } from './titles.queries.ts';

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
