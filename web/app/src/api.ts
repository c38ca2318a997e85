import { createContext, useContext } from 'react';
import { ApiError, type ApiClient } from '../../ui/api/client.ts';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const field = error.problem?.errors?.[0];
    return field ? `${error.message} (${field.path}: ${field.message})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The id at the end of a sandbox checkout URL (…/api/sandbox/checkout/<id>). */
export function sandboxCheckoutId(checkoutUrl: string): string | null {
  const match = /\/api\/sandbox\/checkout\/([^/?#]+)/.exec(checkoutUrl);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
