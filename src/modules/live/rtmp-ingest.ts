import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { LiveMirror } from './live-mirror.ts';
import { liveHlsPrefix } from './live-storage.ts';
import type { LiveRung } from './live-ffmpeg-args.ts';
import { LiveTranscoder } from './live-transcoder.ts';
import { INGEST_HEARTBEAT_MS } from './live-unattended.ts';
import type { LiveEvent } from './live.schemas.ts';

/** What node-media-server hands its listeners: the parts of its session the ingest reads. */
interface PublishSession {
  id: number;
  streamApp: string;
  streamName: string;
  audioCodec: number;
  broadcast: { publishGraceMs: number };
  close(): void;
}
interface NmsContext {
  config: Record<string, unknown>;
  eventEmitter: {
    on(event: string, listener: (session: PublishSession) => void): void;
    removeAllListeners(event: string): void;
  };
}

const require = createRequire(import.meta.url);

export interface RtmpIngestDeps {
  /** The event this stream key opens, if any (the key's SHA-256 is looked up). */
  eventByStreamKey: (streamKey: string) => Promise<LiveEvent | undefined>;
  /** The event goes live (from scheduled, or back from a reconnect) or ends. */
  moveState: (eventId: string, to: 'live' | 'ended') => Promise<void>;
  /** Notes that this ingest still hosts these events (live-unattended.ts ends the others). */
  heartbeat: (eventIds: readonly string[]) => Promise<void>;
  /** Media's key store: the live keys are wrapped and served like a package's. */
  storeKey: (eventId: string, key: { keyId: string; key: Buffer }) => Promise<void>;
  /** Where the HLS is mirrored for every API instance to serve. */
  storage: Storage;
  /** The event ended: its recording (a local MPEG-TS file) is to become a VOD. */
  recorded: (eventId: string, file: string) => Promise<void>;
  logger: Logger;
  config: {
    host: string;
    port: number;
    dataDir: string;
    rungs: readonly LiveRung[];
    segmentSeconds: number;
    dvrSeconds: number;
    graceSeconds: number;
    keyRotationSeconds: number;
    ffmpegPath: string;
  };
}

/**
 * RTMP ingest on node-media-server's RTMP server (only that part of it: no HTTP-FLV, no admin
 * API, no store). Publish to `rtmp://host:port/live/<streamKey>`. A publish is checked against
 * the stored key hashes before anything else happens; a wrong, rotated or ended key is
 * disconnected and no transcoder starts. node-media-server keeps the stream open for
 * `graceSeconds` after the publisher drops, and the same publisher reconnecting in that window
 * continues the same stream (and the same transcoder, the same playlists); only then does the
 * event end. node-media-server keeps its state in a module-level context, so there is one
 * ingest per process.
 */
export class RtmpIngest {
  readonly #deps: RtmpIngestDeps;
  readonly #context: NmsContext;
  // By stream key: a publisher resuming within the grace window is a new session on the same key.
  readonly #transcoders = new Map<string, { eventId: string; transcoder: LiveTranscoder }>();
  /** Events being ended (transcoder stopping, recording uploading): close() waits for them. */
  readonly #ending = new Set<Promise<void>>();
  #port = 0;

  constructor(deps: RtmpIngestDeps) {
    this.#deps = deps;
    this.#context = require('node-media-server/src/core/context.js') as NmsContext;
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    const logger = require('node-media-server/src/core/logger.js') as { level: string };
    logger.level = 'error';
    // A placeholder port makes NMS build its TCP server; we listen ourselves (port 0 works, and a
    // taken port is an error we report instead of NMS's process.exit).
    this.#context.config = { bind: this.#deps.config.host, rtmp: { port: 1 } };
    const NodeRtmpServer = require('node-media-server/src/server/rtmp_server.js') as new () => {
      tcpServer: Server;
      stop(): void;
    };
    const rtmp = new NodeRtmpServer();
    this.#context.eventEmitter.on('prePublish', (session) => {
      session.broadcast.publishGraceMs = this.#deps.config.graceSeconds * 1000;
    });
    this.#context.eventEmitter.on('postPublish', (session) => void this.#authenticate(session));
    this.#context.eventEmitter.on('donePublish', (session) => {
      const ending = this.#ended(session).finally(() => this.#ending.delete(ending));
      this.#ending.add(ending);
    });
    await new Promise<void>((resolve, reject) => {
      rtmp.tcpServer.once('error', reject);
      rtmp.tcpServer.listen(this.#deps.config.port, this.#deps.config.host, () => resolve());
    });
    this.#port = (rtmp.tcpServer.address() as AddressInfo).port;
    this.#stopServer = () => rtmp.stop();
    this.#heartbeat = setInterval(() => {
      const hosted = [...this.#transcoders.values()].map(({ eventId }) => eventId);
      this.#deps
        .heartbeat(hosted)
        .catch((error: unknown) => this.#deps.logger.warn({ error }, 'live ingest heartbeat'));
    }, INGEST_HEARTBEAT_MS);
    this.#heartbeat.unref();
    return this.#port;
  }

  #stopServer: () => void = () => undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  async close(): Promise<void> {
    for (const event of ['prePublish', 'postPublish', 'donePublish'])
      this.#context.eventEmitter.removeAllListeners(event);
    this.#stopServer();
    // Its events stay live for a reconnect to another worker; unnoted, they end after the grace.
    clearInterval(this.#heartbeat);
    await Promise.all([...this.#transcoders.values()].map(({ transcoder }) => transcoder.stop()));
    this.#transcoders.clear();
    await Promise.all(this.#ending);
  }

  async #authenticate(session: PublishSession): Promise<void> {
    const { logger, config } = this.#deps;
    try {
      const event =
        session.streamApp === 'live' ? await this.#deps.eventByStreamKey(session.streamName) : undefined;
      if (!event || event.state === 'ended') {
        logger.info({ session: session.id }, 'live ingest: refused a publish with an unknown or spent key');
        session.close();
        return;
      }
      // A reconnect within the grace window continues the running transcoder.
      if (this.#transcoders.has(session.streamName)) return;
      const transcoder = new LiveTranscoder({
        eventId: event.id,
        inputUrl: `rtmp://127.0.0.1:${this.#port}/live/${session.streamName}`,
        dir: path.join(config.dataDir, 'live', event.id),
        rungs: config.rungs,
        segmentSeconds: config.segmentSeconds,
        dvrSeconds: config.dvrSeconds,
        keyRotationSeconds: config.keyRotationSeconds,
        hasAudio: session.audioCodec !== 0,
        ffmpegPath: config.ffmpegPath,
        storeKey: (key) => this.#deps.storeKey(event.id, key),
        mirror: new LiveMirror({
          dir: path.join(config.dataDir, 'live', event.id, 'hls'),
          prefix: liveHlsPrefix(event.id),
          storage: this.#deps.storage,
          rungs: config.rungs.length,
        }),
        // Well inside a segment: the mirror adds at most this to the publish-to-playlist latency.
        mirrorMs: 250,
        logger,
      });
      this.#transcoders.set(session.streamName, { eventId: event.id, transcoder });
      await transcoder.start();
      await this.#deps.moveState(event.id, 'live');
      logger.info({ eventId: event.id }, 'live ingest: publishing');
    } catch (error) {
      logger.error({ error }, 'live ingest: could not start a publish');
      session.close();
    }
  }

  async #ended(session: PublishSession): Promise<void> {
    const running = this.#transcoders.get(session.streamName);
    if (!running) return;
    this.#transcoders.delete(session.streamName);
    try {
      await running.transcoder.stop();
      await this.#deps.moveState(running.eventId, 'ended');
      this.#deps.logger.info({ eventId: running.eventId }, 'live ingest: ended');
      await this.#deps.recorded(running.eventId, running.transcoder.recordingPath);
    } catch (error) {
      this.#deps.logger.error({ error }, 'live ingest: could not end an event');
    }
  }
}
