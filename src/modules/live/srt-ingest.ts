import { createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import dgram from 'node:dgram';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LiveMirror } from './live-mirror.ts';
import { liveHlsPrefix } from './live-storage.ts';
import { LiveTranscoder } from './live-transcoder.ts';
import { INGEST_HEARTBEAT_MS } from './live-unattended.ts';
import type { RtmpIngestDeps } from './rtmp-ingest.ts';
import {
  CONCLUSION,
  INDUCTION,
  REJECT_FORBIDDEN,
  inductionAnswer,
  inductionRequest,
  readHandshake,
  readStreamId,
  rejection,
  withCookie,
} from './srt-handshake.ts';

/** Same ports as the RTMP ingest (key lookup, state, keys, storage, recording); its own UDP port. */
export type SrtIngestDeps = RtmpIngestDeps;

/** A caller past the gate's cookie check: its key being looked up, its ffmpeg starting, or relayed. */
interface Peer {
  address: string;
  port: number;
  state: 'checking' | 'starting' | 'relaying';
  /** The caller's latest conclusion (it resends one every 250 ms until answered). */
  conclusion: Buffer;
  relay?: dgram.Socket;
  upstreamPort?: number;
}

/** An event with a publisher, or in its grace window after one left. */
interface Broadcast {
  eventId: string;
  sessions: number;
  transcoder: LiveTranscoder | undefined;
  last: LiveTranscoder | undefined;
  recordings: string[];
  grace: NodeJS.Timeout | undefined;
  /** Moved to live once: a reconnect in the grace window must not restart its `startedAt`. */
  live: boolean;
}

/** How long a listening ffmpeg may wait for the handshake the gate forwards. */
const HANDSHAKE_MS = 10_000;

/**
 * SRT ingest: `srt://host:port?streamid=<stream key>` (MPEG-TS, video and audio). ffmpeg has no
 * SRT server that could check a key against stored hashes, so a small UDP gate stands in front:
 * it answers the caller's induction itself (a stateless HMAC cookie, so spoofed packets cost no
 * memory), reads the stream id from the conclusion, and looks its SHA-256 up like the RTMP
 * ingest. A wrong, rotated or ended key is answered with SRT's rejection (1403) and nothing is
 * started. A good one gets a transcoder whose input is a loopback SRT listener; the gate takes a
 * cookie from it and forwards the caller's conclusion there, then relays the datagrams both
 * ways. An SRT connection is one ffmpeg: a publisher that drops and comes back within the grace
 * window gets a new one appending to the same playlists (a discontinuity) and recording.
 */
export class SrtIngest {
  readonly #deps: SrtIngestDeps;
  readonly #secret = randomBytes(32);
  readonly #peers = new Map<string, Peer>();
  readonly #broadcasts = new Map<string, Broadcast>();
  readonly #ending = new Set<Promise<void>>();
  #socket: dgram.Socket | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #port = 0;

  constructor(deps: SrtIngestDeps) {
    this.#deps = deps;
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (packet, from) => this.#received(packet, from));
    socket.on('error', (error) => this.#deps.logger.warn({ error }, 'srt ingest: socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#deps.config.port, this.#deps.config.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.#socket = socket;
    this.#port = socket.address().port;
    this.#heartbeat = setInterval(() => {
      const hosted = [...this.#broadcasts.values()].map(({ eventId }) => eventId);
      this.#deps
        .heartbeat(hosted)
        .catch((error: unknown) => this.#deps.logger.warn({ error }, 'srt ingest heartbeat'));
    }, INGEST_HEARTBEAT_MS);
    this.#heartbeat.unref();
    return this.#port;
  }

  async close(): Promise<void> {
    // Its events stay live for a reconnect to another worker; unnoted, they end after the grace.
    clearInterval(this.#heartbeat);
    this.#socket?.close();
    this.#socket = undefined;
    for (const peer of this.#peers.values()) peer.relay?.close();
    this.#peers.clear();
    const broadcasts = [...this.#broadcasts.values()];
    this.#broadcasts.clear();
    for (const broadcast of broadcasts) clearTimeout(broadcast.grace);
    await Promise.all(broadcasts.map(async (broadcast) => broadcast.transcoder?.stop()));
    await Promise.all(this.#ending);
  }

  #cookie(address: string, port: number, minutesAgo: number): number {
    // A cookie's age, not a time of day: the monotonic clock, in minutes since this process began.
    const minute = Math.floor(performance.now() / 60_000) - minutesAgo;
    return createHmac('sha256', this.#secret).update(`${address}:${port}:${minute}`).digest().readUInt32BE(0);
  }

  #received(packet: Buffer, from: dgram.RemoteInfo): void {
    const id = `${from.address}:${from.port}`;
    const peer = this.#peers.get(id);
    if (peer?.state === 'relaying') {
      peer.relay?.send(packet, peer.upstreamPort, '127.0.0.1');
      return;
    }
    const handshake = readHandshake(packet);
    if (!handshake) return;
    if (peer) {
      if (handshake.type === CONCLUSION) peer.conclusion = packet;
      return;
    }
    if (handshake.type === INDUCTION) {
      this.#send(inductionAnswer(packet, this.#cookie(from.address, from.port, 0)), from);
      return;
    }
    const cookieGood = [0, 1].some((ago) => this.#cookie(from.address, from.port, ago) === handshake.cookie);
    if (handshake.type !== CONCLUSION || !cookieGood) return;
    this.#peers.set(id, { address: from.address, port: from.port, state: 'checking', conclusion: packet });
    void this.#admit(id);
  }

  #send(packet: Buffer, to: { address: string; port: number }): void {
    this.#socket?.send(packet, to.port, to.address);
  }

  #refuse(id: string, peer: Peer, why: string): void {
    this.#deps.logger.info({ peer: id }, `srt ingest: refused a publish (${why})`);
    this.#send(rejection(peer.conclusion, REJECT_FORBIDDEN), peer);
    peer.relay?.close();
    this.#peers.delete(id);
  }

  async #admit(id: string): Promise<void> {
    const peer = this.#peers.get(id);
    if (!peer) return;
    const { config, logger } = this.#deps;
    const streamKey = readStreamId(peer.conclusion);
    let broadcast: Broadcast | undefined;
    try {
      const event = streamKey ? await this.#deps.eventByStreamKey(streamKey) : undefined;
      if (!streamKey || !event || event.state === 'ended')
        return this.#refuse(id, peer, 'unknown or spent key');
      broadcast = this.#broadcasts.get(streamKey);
      if (broadcast?.transcoder) return this.#refuse(id, peer, 'the event already has a publisher');
      if (!broadcast) {
        broadcast = {
          eventId: event.id,
          sessions: 0,
          transcoder: undefined,
          last: undefined,
          recordings: [],
          grace: undefined,
          live: false,
        };
        this.#broadcasts.set(streamKey, broadcast);
      }
      clearTimeout(broadcast.grace);
      peer.state = 'starting';
      const dir = path.join(config.dataDir, 'live', event.id);
      const recordingName = `recording-${broadcast.sessions}.ts`;
      const upstreamPort = await freeUdpPort();
      const transcoder = new LiveTranscoder({
        eventId: event.id,
        inputUrl: `srt://127.0.0.1:${upstreamPort}?mode=listener`,
        dir,
        rungs: config.rungs,
        segmentSeconds: config.segmentSeconds,
        dvrSeconds: config.dvrSeconds,
        keyRotationSeconds: config.keyRotationSeconds,
        // MPEG-TS over SRT says nothing of its streams before ffmpeg reads them: audio is required.
        hasAudio: true,
        resumable: true,
        recordingName,
        ffmpegPath: config.ffmpegPath,
        storeKey: (key) => this.#deps.storeKey(event.id, key),
        mirror: new LiveMirror({
          dir: path.join(dir, 'hls'),
          prefix: liveHlsPrefix(event.id),
          storage: this.#deps.storage,
          rungs: config.rungs.length,
        }),
        mirrorMs: 250,
        logger,
      });
      broadcast.transcoder = transcoder;
      broadcast.last = transcoder;
      broadcast.sessions++;
      broadcast.recordings.push(path.join(dir, recordingName));
      await transcoder.start();
      const current = broadcast;
      void transcoder.exited.then(() => this.#disconnected(id, streamKey, current, transcoder));
      await this.#connectUpstream(peer, upstreamPort);
      if (!broadcast.live) await this.#deps.moveState(event.id, 'live');
      broadcast.live = true;
      logger.info({ eventId: event.id, session: broadcast.sessions }, 'srt ingest: publishing');
    } catch (error) {
      logger.error({ error }, 'srt ingest: could not start a publish');
      await broadcast?.transcoder?.stop({ close: false });
      if (this.#peers.get(id) === peer) this.#refuse(id, peer, 'could not start');
    }
  }

  /**
   * Gets a cookie from the listening ffmpeg (an induction of the gate's own, resent until it has
   * bound its port) and hands it the caller's conclusion with that cookie; from then on the relay
   * forwards everything.
   */
  async #connectUpstream(peer: Peer, upstreamPort: number): Promise<void> {
    const relay = dgram.createSocket('udp4');
    peer.relay = relay;
    peer.upstreamPort = upstreamPort;
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', () => resolve()));
    const cookie = await new Promise<number>((resolve, reject) => {
      const request = inductionRequest(peer.conclusion);
      const retry = setInterval(() => relay.send(request, upstreamPort, '127.0.0.1'), 100);
      const timeout = setTimeout(() => {
        clearInterval(retry);
        reject(new Error('the listening ffmpeg did not answer'));
      }, HANDSHAKE_MS);
      relay.on('message', (packet) => {
        if (peer.state === 'relaying') return this.#send(packet, peer);
        const answer = readHandshake(packet);
        if (answer?.type !== INDUCTION) return;
        clearInterval(retry);
        clearTimeout(timeout);
        resolve(answer.cookie);
      });
      relay.send(request, upstreamPort, '127.0.0.1');
    });
    peer.state = 'relaying';
    relay.send(withCookie(peer.conclusion, cookie), upstreamPort, '127.0.0.1');
  }

  /** The caller's ffmpeg session is over: the event waits out the grace window for a reconnect. */
  async #disconnected(
    id: string,
    streamKey: string,
    broadcast: Broadcast,
    transcoder: LiveTranscoder,
  ): Promise<void> {
    const peer = this.#peers.get(id);
    peer?.relay?.close();
    this.#peers.delete(id);
    if (broadcast.transcoder !== transcoder) return;
    broadcast.transcoder = undefined;
    await transcoder.stop({ close: false });
    if (this.#broadcasts.get(streamKey) !== broadcast) return;
    broadcast.grace = setTimeout(() => {
      if (broadcast.transcoder || this.#broadcasts.get(streamKey) !== broadcast) return;
      this.#broadcasts.delete(streamKey);
      const ending = this.#ended(broadcast).finally(() => this.#ending.delete(ending));
      this.#ending.add(ending);
    }, this.#deps.config.graceSeconds * 1000);
  }

  async #ended(broadcast: Broadcast): Promise<void> {
    try {
      // Already exited: this closes the playlists (#EXT-X-ENDLIST) and mirrors them once more.
      await broadcast.last?.stop();
      await this.#deps.moveState(broadcast.eventId, 'ended');
      this.#deps.logger.info({ eventId: broadcast.eventId }, 'srt ingest: ended');
      const [first] = broadcast.recordings;
      if (!first) return;
      const recording = path.join(path.dirname(first), 'recording.ts');
      await concatenate(broadcast.recordings, recording);
      await this.#deps.recorded(broadcast.eventId, recording);
    } catch (error) {
      this.#deps.logger.error({ error }, 'srt ingest: could not end an event');
    }
  }
}

/** MPEG-TS files joined end to end are one MPEG-TS stream (each session's own timestamps). */
async function concatenate(files: readonly string[], into: string): Promise<void> {
  await rm(into, { force: true });
  for (const file of files) {
    // A session that never got a byte through left no file: nothing to add.
    await pipeline(createReadStream(file), createWriteStream(into, { flags: 'a' })).catch(() => undefined);
    await rm(file, { force: true });
  }
}

/** A loopback UDP port free a moment ago, for a listening ffmpeg to bind. */
async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
