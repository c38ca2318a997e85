import { createContext, useContext } from 'react';
import { ApiError, type ApiClient } from './client.ts';

/** The API client of the app being rendered (viewer app or admin console), and its error text. */
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
