import { operations, type Operations, type Schemas } from './openapi.generated.ts';

/**
 * The typed API client of the web apps: every call names an operationId of the OpenAPI document,
 * and its path parameters, query, body and response are that operation's generated types.
 * Access tokens are refreshed once on a 401 with the stored refresh token.
 */

export type OperationId = keyof Operations;
export type Response<Id extends OperationId> = Operations[Id]['response'];
export type Problem = Schemas['Problem'];

type Input<Id extends OperationId> = ([Operations[Id]['path']] extends [never]
  ? { path?: undefined }
  : { path: Operations[Id]['path'] }) &
  ([Operations[Id]['query']] extends [never] ? { query?: undefined } : { query?: Operations[Id]['query'] }) &
  ([Operations[Id]['body']] extends [never] ? { body?: undefined } : { body: Operations[Id]['body'] });

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  get code(): string | null {
    return this.problem?.code ?? null;
  }
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
}

export interface TokenStore {
  get(): StoredSession | null;
  set(session: StoredSession | null): void;
}

/** Tokens in localStorage, so a returning viewer on this browser stays signed in. */
export function localTokenStore(key = 'marquee.session'): TokenStore {
  return {
    get() {
      try {
        return JSON.parse(localStorage.getItem(key) ?? 'null') as StoredSession | null;
      } catch {
        return null;
      }
    },
    set(session) {
      if (session) localStorage.setItem(key, JSON.stringify(session));
      else localStorage.removeItem(key);
    },
  };
}

type Scalar = string | number | boolean | null | undefined;

export function urlOf(
  id: OperationId,
  path?: Record<string, Scalar>,
  query?: Record<string, Scalar>,
): string {
  const [, template] = operations[id];
  let url = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String(path?.[name] ?? '')),
  );
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  if (search.size > 0) url += `?${search}`;
  return url;
}

export function createApiClient(tokens: TokenStore, onSignedOut: () => void = () => {}) {
  let refreshing: Promise<boolean> | null = null;

  async function refresh(): Promise<boolean> {
    const stored = tokens.get();
    if (!stored) return false;
    const response = await fetch(urlOf('refreshTokens'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
    });
    if (!response.ok) {
      tokens.set(null);
      onSignedOut();
      return false;
    }
    const result = (await response.json()) as Response<'refreshTokens'>;
    tokens.set({ accessToken: result.accessToken, refreshToken: result.refreshToken });
    return true;
  }

  /** One refresh at a time: a refresh token is single-use, so a second one in flight would fail. */
  function refreshOnce(): Promise<boolean> {
    refreshing ??= refresh().finally(() => (refreshing = null));
    return refreshing;
  }

  async function send(
    id: OperationId,
    input: { path?: object; query?: object; body?: unknown },
    raw?: { body: Blob; contentType: string },
  ) {
    const [method] = operations[id];
    const headers: Record<string, string> = {};
    const token = tokens.get()?.accessToken;
    if (token) headers.authorization = `Bearer ${token}`;
    if (raw) headers['content-type'] = raw.contentType;
    else if (input.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(urlOf(id, input.path as Record<string, Scalar>, input.query as Record<string, Scalar>), {
      method,
      headers,
      ...(raw ? { body: raw.body } : input.body !== undefined && { body: JSON.stringify(input.body) }),
    });
  }

  async function call<Id extends OperationId>(
    id: Id,
    input: Input<Id> = {} as Input<Id>,
  ): Promise<Response<Id>> {
    let response = await send(id, input);
    if (response.status === 401 && tokens.get() && id !== 'refreshTokens') {
      if (await refreshOnce()) response = await send(id, input);
    }
    if (response.status === 204) return undefined;
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, body as Problem | null);
    return body;
  }

  /** An operation's answer as text, for those that also speak CSV (`format: 'csv'` in the query). */
  async function callText<Id extends OperationId>(id: Id, input: Input<Id>): Promise<string> {
    let response = await send(id, input);
    if (response.status === 401 && tokens.get()) {
      if (await refreshOnce()) response = await send(id, input);
    }
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, text ? (JSON.parse(text) as Problem) : null);
    return text;
  }

  /** An operation whose body is bytes, not JSON (artwork: the image itself is the body). */
  async function upload<Id extends OperationId>(
    id: Id,
    input: { path: Operations[Id]['path'] },
    file: Blob,
  ): Promise<Response<Id>> {
    const raw = { body: file, contentType: file.type || 'application/octet-stream' };
    let response = await send(id, input, raw);
    if (response.status === 401 && tokens.get()) {
      if (await refreshOnce()) response = await send(id, input, raw);
    }
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, body as Problem | null);
    return body;
  }

  /**
   * An operation that answers a text/event-stream: `onEvent` gets each event's name and parsed
   * data until the server ends the stream or `signal` aborts. fetch rather than EventSource,
   * which cannot send the Authorization header.
   */
  async function events<Id extends OperationId>(
    id: Id,
    input: Input<Id>,
    options: { onEvent: (name: string, data: unknown) => void; signal?: AbortSignal },
  ): Promise<void> {
    const open = () =>
      fetch(urlOf(id, (input as { path?: Record<string, Scalar> }).path), {
        headers: {
          accept: 'text/event-stream',
          ...(tokens.get() && { authorization: `Bearer ${tokens.get()!.accessToken}` }),
        },
        signal: options.signal,
      });
    let response = await open();
    if (response.status === 401 && tokens.get()) {
      if (await refreshOnce()) response = await open();
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw new ApiError(response.status, text ? (JSON.parse(text) as Problem) : null);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      // Events are separated by a blank line (https://html.spec.whatwg.org/#server-sent-events).
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name && data !== undefined) options.onEvent(name, JSON.parse(data));
      }
    }
  }

  return { call, callText, upload, events, tokens, refresh: refreshOnce };
}

export type ApiClient = ReturnType<typeof createApiClient>;
