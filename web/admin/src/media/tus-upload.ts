import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/**
 * A resumable upload over the tus 1.0 protocol (https://tus.io/protocols/resumable-upload) with
 * plain fetch: POST creates the upload, PATCH sends it chunk by chunk (so progress moves per
 * chunk), HEAD asks the server how much it has when resuming. tus-js-client is not a dependency
 * of this project; the protocol's core is small enough to speak directly. Where an upload lives
 * is kept in localStorage under a key made from the item and the file, so a paused, failed or
 * reloaded upload of the same file continues from the server's offset.
 */

const TUS_VERSION = '1.0.0';
const CREATE_URL = '/api/videos/tus';

export interface UploadFile {
  name: string;
  size: number;
  lastModified: number;
  slice(start: number, end: number): Blob;
}

export interface TusUploadOptions {
  file: UploadFile;
  itemId: string;
  /** Bytes per PATCH: smaller shows progress more often, larger costs fewer round trips. */
  chunkBytes: number;
  accessToken(): string | null;
  /** Refreshes the access token after a 401; false when signed out. */
  refresh(): Promise<boolean>;
  onProgress(sentBytes: number, totalBytes: number): void;
  signal?: AbortSignal;
  store?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

export interface TusUploadResult {
  job: Schemas['TranscodeJob'];
  /** Where this run started: more than 0 when it resumed an earlier, unfinished upload. */
  resumedFrom: number;
}

export class TusUploadError extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.status = status;
  }
}

/** Upload-Metadata: comma-separated "key base64(utf-8 value)" pairs. */
export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => {
      const bytes = new TextEncoder().encode(value);
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return `${key} ${btoa(binary)}`;
    })
    .join(',');
}

/** The localStorage key under which an unfinished upload of this file to this item is remembered. */
export function resumeKey(itemId: string, file: Pick<UploadFile, 'name' | 'size' | 'lastModified'>): string {
  return `marquee.tus:${itemId}:${file.size}:${file.lastModified}:${file.name}`;
}

async function problemDetail(response: Response): Promise<string> {
  try {
    const problem = (await response.json()) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

export async function tusUpload(options: TusUploadOptions): Promise<TusUploadResult> {
  const { file, signal } = options;
  const store = options.store ?? localStorage;
  const key = resumeKey(options.itemId, file);

  /** A request with tus and auth headers, retried once after refreshing an expired token. */
  async function send(url: string, init: { method: string; headers?: Record<string, string>; body?: Blob }) {
    for (let attempt = 0; ; attempt++) {
      const token = options.accessToken();
      const response = await fetch(url, {
        method: init.method,
        headers: {
          'tus-resumable': TUS_VERSION,
          ...(token && { authorization: `Bearer ${token}` }),
          ...init.headers,
        },
        ...(init.body && { body: init.body }),
        ...(signal && { signal }),
      });
      if (response.status === 401 && attempt === 0 && (await options.refresh())) continue;
      return response;
    }
  }

  let location = store.getItem(key);
  let offset = 0;
  if (location) {
    const head = await send(location, { method: 'HEAD' });
    if (head.ok) offset = Number(head.headers.get('upload-offset') ?? 0);
    else location = null; // Expired or never finished creating: start again.
  }
  if (!location) {
    const created = await send(CREATE_URL, {
      method: 'POST',
      headers: {
        'upload-length': String(file.size),
        'upload-metadata': tusMetadata({ filename: file.name, itemId: options.itemId }),
      },
    });
    const where = created.headers.get('location');
    if (created.status !== 201 || !where)
      throw new TusUploadError(created.status, await problemDetail(created));
    // Relative or absolute, the upload lives on this origin's API: keep its path only.
    location = new URL(where, 'http://origin.invalid').pathname;
    store.setItem(key, location);
  }
  const resumedFrom = offset;
  options.onProgress(offset, file.size);

  for (;;) {
    const end = Math.min(file.size, offset + options.chunkBytes);
    const response = await send(location, {
      method: 'PATCH',
      headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body: file.slice(offset, end),
    });
    if (!response.ok) {
      // 409: our offset is not the server's (another tab, a lost answer): ask it, and go on from there.
      if (response.status === 409) {
        const head = await send(location, { method: 'HEAD' });
        if (head.ok) {
          offset = Number(head.headers.get('upload-offset') ?? offset);
          continue;
        }
      }
      if (response.status === 404 || response.status === 410) store.removeItem(key);
      throw new TusUploadError(response.status, await problemDetail(response));
    }
    offset = Number(response.headers.get('upload-offset') ?? end);
    options.onProgress(offset, file.size);
    if (offset >= file.size) {
      store.removeItem(key);
      // The last PATCH answers with the transcode job it queued (see src/modules/uploads/tus.ts).
      return { job: (await response.json()) as Schemas['TranscodeJob'], resumedFrom };
    }
  }
}
