export { ApiContext, problemText, useApi } from '../../ui/api/context.ts';

/** The id at the end of a sandbox checkout URL (…/api/sandbox/checkout/<id>). */
export function sandboxCheckoutId(checkoutUrl: string): string | null {
  const match = /\/api\/sandbox\/checkout\/([^/?#]+)/.exec(checkoutUrl);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
