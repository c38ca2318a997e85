import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import { buildLiveHlsArgs, type LiveRung } from './live-ffmpeg-args.ts';
import type { LiveMirror } from './live-mirror.ts';

/**
 * The key URI ffmpeg writes into playlists: the same key server as a package's keys (delivery
 * appends the stream's token), which hands a live key only to a stream of this event.
 */
export const liveKeyUri = (keyId: string) => `/api/keys/${keyId}`;

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
  /** Appends to the playlists an earlier session left open, and leaves them open (SRT). */
  resumable?: boolean;
  /** The recording's file name in `dir` (one per session when sessions follow each other). */
  recordingName?: string;
  ffmpegPath: string;
  /** Media's key store: each new key is wrapped and stored there before ffmpeg may use it. */
  storeKey: (key: { keyId: string; key: Buffer }) => Promise<void>;
  /** Copies the HLS directory into object storage; run every `mirrorMs` and once at the end. */
  mirror: LiveMirror;
  mirrorMs: number;
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
  #mirroring: NodeJS.Timeout | undefined;
  #mirrorPass: Promise<void> = Promise.resolve();
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(options: LiveTranscoderOptions) {
    this.#options = options;
  }

  /** Settles when ffmpeg exits (its input ended, or it was stopped), with its exit code. */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  get hlsDir(): string {
    return path.join(this.#options.dir, 'hls');
  }

  get keysDir(): string {
    return path.join(this.#options.dir, 'keys');
  }

  /** The whole broadcast as published (stream copy, no re-encode): the source of its VOD. */
  get recordingPath(): string {
    return path.join(this.#options.dir, this.#options.recordingName ?? 'recording.ts');
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
      recordingPath: this.recordingPath,
      resumable: options.resumable ?? false,
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
        clearInterval(this.#mirroring);
        if (code !== 0 && code !== 255)
          options.logger.info({ eventId: options.eventId, code, stderr }, 'live transcoder exited');
        resolve(code);
      }),
    );
    this.#rotation = setInterval(() => {
      this.#rotateKey().catch((error: unknown) => options.logger.warn({ error }, 'live key rotation failed'));
    }, options.keyRotationSeconds * 1000);
    this.#rotation.unref();
    this.#mirroring = setInterval(() => {
      this.#mirrorPass = this.#mirrorPass.then(() =>
        options.mirror
          .sync()
          .catch((error: unknown) => options.logger.warn({ error }, 'live mirror pass failed')),
      );
    }, options.mirrorMs);
    this.#mirroring.unref();
  }

  /**
   * Asks ffmpeg to finish (it writes the last segment and #EXT-X-ENDLIST); one blocked on a
   * silent RTMP read is killed after a moment, and then the playlists are closed here, so
   * players stop at the end rather than polling a playlist that will never grow. `close: false`
   * leaves them open for a session that may follow (SRT's grace window).
   */
  async stop(options: { close?: boolean } = {}): Promise<void> {
    clearInterval(this.#rotation);
    clearInterval(this.#mirroring);
    const child = this.#process;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await this.#exited;
      clearTimeout(killer);
    }
    if (options.close ?? true) await this.#closePlaylists();
    await this.#mirrorPass;
    await this.#options.mirror.sync();
  }

  async #closePlaylists(): Promise<void> {
    for (let index = 0; index < this.#options.rungs.length; index++) {
      const playlist = path.join(this.hlsDir, String(index), 'index.m3u8');
      const text = await readFile(playlist, 'utf8').catch(() => undefined);
      if (text !== undefined && !text.includes('#EXT-X-ENDLIST'))
        await appendFile(playlist, `${text.endsWith('\n') ? '' : '\n'}#EXT-X-ENDLIST\n`);
    }
  }

  /** Stored (wrapped) with media first, so the key server can answer before a segment uses it. */
  async #rotateKey(): Promise<void> {
    const keyId = randomUUID();
    const key = randomBytes(16);
    await this.#options.storeKey({ keyId, key });
    const keyPath = path.join(this.keysDir, `${keyId}.key`);
    await writeFile(keyPath, key, { mode: 0o600 });
    const info = path.join(this.keysDir, 'key.info');
    await writeFile(`${info}.tmp`, `${liveKeyUri(keyId)}\n${keyPath}\n`);
    await rename(`${info}.tmp`, info);
  }
}
