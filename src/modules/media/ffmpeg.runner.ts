import { spawn } from 'node:child_process';
import { MediaToolUnavailable, TranscodeFailed } from './media.errors.ts';
import { LineTail, summarizeToolError } from './tool-output.ts';

/** Called with 0–100; never with a smaller number than the call before. */
export type ProgressListener = (percent: number) => void;

export interface RunFfmpegOptions {
  args: readonly string[];
  ffmpegPath?: string;
  /** What `-progress` times are measured against. Without it only the final 100 is reported. */
  durationSeconds?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** At most one progress call per interval (the final 100 always gets through). */
  progressIntervalMs?: number;
  /** After SIGTERM, how long ffmpeg may take to finish its files before SIGKILL. */
  killGraceMs?: number;
  /** Paths that appear in the arguments; shown by base name in error reasons. */
  redactPaths?: readonly string[];
}

const STDERR_LINES = 40;

/**
 * Runs ffmpeg once. Resolves when it exits 0; rejects with MEDIA_TRANSCODE_FAILED carrying the
 * last meaningful stderr lines, with MEDIA_TOOL_UNAVAILABLE if it can't be started, or with the
 * signal's reason once an aborted ffmpeg has exited (so the caller may delete its files safely).
 */
export async function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  const { args, ffmpegPath = 'ffmpeg', durationSeconds, signal, onProgress } = options;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const killGraceMs = options.killGraceMs ?? 3000;
  signal?.throwIfAborted();

  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new LineTail(STDERR_LINES);
  const progress = new ProgressReporter({ durationSeconds, onProgress, intervalMs: progressIntervalMs });
  let stdoutRest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (stdoutRest + chunk).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) progress.line(line);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => stderr.push(chunk));

  let killTimer: NodeJS.Timeout | undefined;
  const abort = () => {
    // SIGTERM lets ffmpeg close its outputs; a wedged one gets SIGKILL after the grace period.
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
  };
  signal?.addEventListener('abort', abort, { once: true });

  try {
    const outcome = await new Promise<{ code: number | null; killedBy: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, killedBy) => resolve({ code, killedBy }));
      },
    );
    if (signal?.aborted) throw signal.reason;
    if (outcome.code !== 0) {
      const reason =
        summarizeToolError({ lines: stderr.lines(), paths: options.redactPaths ?? [] }) ||
        (outcome.killedBy ? `killed by ${outcome.killedBy}` : 'no error output');
      throw TranscodeFailed(`ffmpeg exited with ${outcome.code ?? outcome.killedBy}: ${reason}`, {
        reason,
        exitCode: outcome.code,
        tool: 'ffmpeg',
      });
    }
    progress.finish();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw MediaToolUnavailable(`${ffmpegPath} was not found`, { tool: 'ffmpeg' });
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
    clearTimeout(killTimer);
  }
}

/** One line of `-progress` output: `key=value`. */
export function parseProgressLine(line: string): { outTimeUs?: number; end?: boolean } {
  const separator = line.indexOf('=');
  if (separator < 0) return {};
  const key = line.slice(0, separator).trim();
  const value = line.slice(separator + 1).trim();
  // out_time_ms is, despite its name, in microseconds as well (ffmpeg ticket #7345).
  if (key === 'out_time_us' || key === 'out_time_ms') {
    const micros = Number(value);
    return Number.isFinite(micros) && micros >= 0 ? { outTimeUs: micros } : {};
  }
  if (key === 'progress') return { end: value === 'end' };
  return {};
}

/** Turns progress lines into throttled, monotonic percentages. */
export class ProgressReporter {
  readonly #durationUs: number | undefined;
  readonly #onProgress: ProgressListener | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #reported = -1;
  #reportedAt = Number.NEGATIVE_INFINITY;

  constructor(options: {
    durationSeconds: number | undefined;
    onProgress: ProgressListener | undefined;
    intervalMs: number;
    now?: () => number;
  }) {
    this.#durationUs =
      options.durationSeconds && options.durationSeconds > 0 ? options.durationSeconds * 1e6 : undefined;
    this.#onProgress = options.onProgress;
    this.#intervalMs = options.intervalMs;
    this.#now = options.now ?? (() => performance.now());
  }

  line(line: string): void {
    const parsed = parseProgressLine(line);
    if (parsed.end) return this.finish();
    if (parsed.outTimeUs === undefined || this.#durationUs === undefined) return;
    // Below 100 until ffmpeg says it is done: the last frames may still be in the encoders.
    const percent = Math.min(99.9, Math.floor((parsed.outTimeUs / this.#durationUs) * 1000) / 10);
    if (this.#now() - this.#reportedAt < this.#intervalMs) return;
    this.#report(percent);
  }

  finish(): void {
    this.#report(100);
  }

  #report(percent: number): void {
    if (percent <= this.#reported) return;
    this.#reported = percent;
    this.#reportedAt = this.#now();
    try {
      this.#onProgress?.(percent);
    } catch {
      // Progress is advisory: a failing listener (a dropped pub/sub connection) must not kill an
      // encode that may have run for an hour.
    }
  }
}
