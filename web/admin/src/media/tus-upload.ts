import { DetailedError, Upload, type HttpRequest, type HttpResponse } from 'tus-js-client';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/**
 * A resumable upload over tus 1.0 (https://tus.io/protocols/resumable-upload) with tus-js-client,
 * the protocol's reference browser client: it creates the upload, sends it in chunks with
 * per-byte progress, retries a dropped chunk after asking the server its offset (HEAD), and
 * remembers the upload's address in localStorage under a fingerprint of this item and this file,
 * so a paused, failed or reloaded upload of the same file continues where the server stopped.
 * What stays ours: the bearer token (refreshed once on a 401), the fingerprint, and reading the
 * transcode job the last PATCH answers with (src/modules/uploads/tus.ts).
 */

const ENDPOINT = '/api/videos/tus';
/** Automatic retries of a failed request before the upload reports the failure (ms between them). */
export const RETRY_DELAYS_MS = [0, 1000, 3000];

export interface TusUploadOptions {
  file: File;
  itemId: string;
  /** Bytes per PATCH: smaller shows progress more often, larger costs fewer round trips. */
  chunkBytes: number;
  accessToken(): string | null;
  /** Refreshes the access token after a 401; false when signed out. */
  refresh(): Promise<boolean>;
  onProgress(sentBytes: number, totalBytes: number): void;
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

/** The fingerprint an unfinished upload of this file to this item is remembered under. */
export function resumeKey(itemId: string, file: Pick<File, 'name' | 'size' | 'lastModified'>): string {
  return `marquee.tus:${itemId}:${file.size}:${file.lastModified}:${file.name}`;
}

function problemDetail(response: HttpResponse | null, fallback: string): string {
  if (!response) return fallback;
  try {
    const problem = JSON.parse(response.getBody()) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? `HTTP ${response.getStatus()}`;
  } catch {
    return `HTTP ${response.getStatus()}`;
  }
}

/** A running upload: `done` settles when it finishes or fails; `pause` stops it (resumable). */
export interface RunningUpload {
  done: Promise<TusUploadResult>;
  pause(): void;
}

export function startTusUpload(options: TusUploadOptions): RunningUpload {
  const { file } = options;
  let resumedFrom = 0;
  let refreshed = false;
  let upload: Upload | null = null;
  const done = new Promise<TusUploadResult>((resolve, reject) => {
    upload = new Upload(file, {
      endpoint: ENDPOINT,
      chunkSize: options.chunkBytes,
      retryDelays: RETRY_DELAYS_MS,
      metadata: { filename: file.name, itemId: options.itemId },
      fingerprint: (f) => Promise.resolve(resumeKey(options.itemId, f)),
      removeFingerprintOnSuccess: true,
      onBeforeRequest(request: HttpRequest) {
        const token = options.accessToken();
        if (token) request.setHeader('authorization', `Bearer ${token}`);
      },
      async onAfterResponse(request: HttpRequest, response: HttpResponse) {
        // The server's offset when this run (re)started: what the resume did not send again.
        if (request.getMethod() === 'HEAD' && response.getStatus() === 200)
          resumedFrom = Number(response.getHeader('upload-offset') ?? 0);
        if (response.getStatus() === 401 && !refreshed) refreshed = await options.refresh();
      },
      onShouldRetry(error: DetailedError) {
        const status = error.originalResponse?.getStatus() ?? 0;
        // A dropped connection (0), an offset mismatch (409), a locked upload (423), a server
        // error, or the one expired token just refreshed: worth another try. Others are final.
        if (status === 401) return refreshed;
        return status === 0 || status === 409 || status === 423 || status >= 500;
      },
      onProgress: (sent, total) => options.onProgress(sent, total),
      onSuccess({ lastResponse }) {
        // The last PATCH answers with the transcode job it queued.
        resolve({ job: JSON.parse(lastResponse.getBody()) as Schemas['TranscodeJob'], resumedFrom });
      },
      onError(error) {
        const response = error instanceof DetailedError ? error.originalResponse : null;
        reject(new TusUploadError(response?.getStatus() ?? 0, problemDetail(response, error.message)));
      },
    });
    const started = upload;
    void started.findPreviousUploads().then((previous) => {
      if (previous[0]) started.resumeFromPreviousUpload(previous[0]);
      started.start();
    }, reject);
  });
  return {
    done,
    pause: () => void upload?.abort(),
  };
}
