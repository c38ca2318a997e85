import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import { buildLiveHlsArgs, type LiveRung } from './live-ffmpeg-args.ts';

/** The key URI ffmpeg writes into playlists for key number `n`: delivery maps it to its key server. */
export const liveKeyUri = (eventId: string, n: number) => `marquee-live-key://${eventId}/${n}`;

export interface LiveTranscoderOptions {
  eventId: string;
  inputUrl: string;
  /** `<dir>/hls/…` is what viewers may fetch; `<dir>/keys/` never is. */
  dir: string;
  rungs: readonly LiveRung[];
  segmentSeconds: number;
  dvrSeconds: number;
  keyRotationSeconds: number;
  hasAudio: boolean;
  ffmpegPath: string;
  logger: Logger;
}

/**
 * Runs one event's live ffmpeg and rotates its AES-128 key: every `keyRotationSeconds` a new
 * random key is written beside the others and the key info file is swapped atomically; ffmpeg
 * (`periodic_rekey`) picks it up at the next segment.
 */
export class LiveTranscoder {
  readonly #options: LiveTranscoderOptions;
  #process: ChildProcess | undefined;
  #rotation: NodeJS.Timeout | undefined;
  #keyNumber = 0;
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(options: LiveTranscoderOptions) {
    this.#options = options;
  }

  get hlsDir(): string {
    return path.join(this.#options.dir, 'hls');
  }

  get keysDir(): string {
    return path.join(this.#options.dir, 'keys');
  }

  async start(): Promise<void> {
    const options = this.#options;
    await mkdir(this.hlsDir, { recursive: true });
    await mkdir(this.keysDir, { recursive: true, mode: 0o700 });
    await this.#rotateKey();
    const args = buildLiveHlsArgs({
      inputUrl: options.inputUrl,
      rungs: options.rungs,
      outputDir: this.hlsDir,
      segmentSeconds: options.segmentSeconds,
      windowSegments: Math.max(3, Math.ceil(options.dvrSeconds / options.segmentSeconds)),
      keyInfoPath: path.join(this.keysDir, 'key.info'),
      hasAudio: options.hasAudio,
    });
    const child = spawn(options.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#process = child;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        clearInterval(this.#rotation);
        if (code !== 0 && code !== 255)
          options.logger.info({ eventId: options.eventId, code, stderr }, 'live transcoder exited');
        resolve(code);
      }),
    );
    this.#rotation = setInterval(() => {
      this.#rotateKey().catch((error: unknown) => options.logger.warn({ error }, 'live key rotation failed'));
    }, options.keyRotationSeconds * 1000);
    this.#rotation.unref();
  }

  /**
   * Asks ffmpeg to finish (it writes the last segment and #EXT-X-ENDLIST); one blocked on a
   * silent RTMP read is killed after a moment, and then the playlists are closed here, so
   * players stop at the end rather than polling a playlist that will never grow.
   */
  async stop(): Promise<void> {
    clearInterval(this.#rotation);
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.#closePlaylists();
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await this.#exited;
    clearTimeout(killer);
    await this.#closePlaylists();
  }

  async #closePlaylists(): Promise<void> {
    for (let index = 0; index < this.#options.rungs.length; index++) {
      const playlist = path.join(this.hlsDir, String(index), 'index.m3u8');
      const text = await readFile(playlist, 'utf8').catch(() => undefined);
      if (text !== undefined && !text.includes('#EXT-X-ENDLIST'))
        await appendFile(playlist, `${text.endsWith('\n') ? '' : '\n'}#EXT-X-ENDLIST\n`);
    }
  }

  async #rotateKey(): Promise<void> {
    const n = ++this.#keyNumber;
    const keyPath = path.join(this.keysDir, `${n}.key`);
    await writeFile(keyPath, randomBytes(16), { mode: 0o600 });
    const info = path.join(this.keysDir, 'key.info');
    await writeFile(`${info}.tmp`, `${liveKeyUri(this.#options.eventId, n)}\n${keyPath}\n`);
    await rename(`${info}.tmp`, info);
  }
}
