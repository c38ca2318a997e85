import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createPlayableItems } from '../../src/modules/catalog/index.ts';
import {
  createMediaService,
  ffmpegTools,
  type MediaEvent,
  type MediaKeys,
  type MediaService,
} from '../../src/modules/media/index.ts';
import type { ContentKey } from '../../src/modules/media/content-keys.ts';
import type { Logger } from '../../src/platform/logger.ts';
import type { Storage } from '../../src/platform/storage/storage.port.ts';
import { signInWithRoles, type SignedIn } from './accounts.ts';
import { makeClip, type ClipComplexity } from './media-clips.ts';
import { storedKeys as storedPackageKeys } from './media-package.ts';
import { createTestApp, type TestContext } from './test-app.ts';

/** The app plus a MediaService on the same parts: register sources, wait for their transcodes. */

export const env = {
  TRANSCODE_LADDER: '240:300,360:500,720:1200',
  TRANSCODE_PRESET: 'ultrafast',
  HLS_SEGMENT_SECONDS: '2',
  HLS_KEY_ROTATION_SEGMENTS: '2',
};

const system = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };

export interface Harness {
  context: TestContext;
  media: MediaService;
  keys: MediaKeys;
  admin: SignedIn;
  events: MediaEvent[];
  close(): Promise<void>;
}

export async function harness(
  storage?: Storage,
  extraEnv: Record<string, string> = {},
  options: { jobHandlers?: boolean; logger?: Logger } = {},
): Promise<Harness> {
  const context = await createTestApp({
    env: { ...env, ...extraEnv },
    ...(storage && { storage }),
    ...(options.jobHandlers === false && { jobHandlers: false }),
    ...(options.logger && { logger: options.logger }),
  });
  const { deps } = context;
  const playable = await createPlayableItems({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
  });
  const { media, keys } = await createMediaService({
    db: deps.database.db,
    storage: deps.storage,
    pubsub: deps.pubsub,
    queue: deps.queue,
    items: playable.items,
    logger: deps.logger,
    clock: deps.clock,
    tools: ffmpegTools(deps.config.media),
    config: deps.config.media,
  });
  const events: MediaEvent[] = [];
  const unsubscribe = await deps.pubsub.subscribe('media.events', (event) =>
    events.push(event as MediaEvent),
  );
  const admin = await signInWithRoles(context, ['admin']);
  return {
    context,
    media,
    keys,
    admin,
    events,
    async close() {
      await unsubscribe();
      await playable.close();
      await context.close();
    },
  };
}

export async function createMovie(h: Harness, title: string): Promise<string> {
  const response = await h.context.app.inject({
    method: 'POST',
    url: '/api/admin/titles',
    headers: h.admin.headers,
    payload: { kind: 'movie', title },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ id: string }>().id;
}

export async function upload(h: Harness, itemId: string, file: string, subtitles: string[] = []) {
  const storedSubtitles = [];
  for (const subtitle of subtitles) {
    const storageKey = `sources/${itemId}/${path.basename(subtitle)}`;
    await h.context.deps.storage.put(storageKey, createReadStream(subtitle));
    storedSubtitles.push({ storageKey, language: 'en', label: 'English' });
  }
  return h.media.ingestFile(
    { itemId, path: file, uploadedBy: h.admin.userId, subtitles: storedSubtitles },
    system,
  );
}

export interface JobView {
  id: string;
  status: string;
  progress: number;
  failure: { code: string; reason: string } | null;
  height: number | null;
}

export async function waitForJob(h: Harness, id: string, done: (job: JobView) => boolean): Promise<JobView> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await h.context.app.inject({ url: `/api/admin/jobs/${id}`, headers: h.admin.headers });
    assert.equal(response.statusCode, 200, response.body);
    const job = response.json<JobView>();
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stuck at ${job.status} ${job.progress}%`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function storedKeys(h: Harness, assetId: string): Promise<ContentKey[]> {
  return storedPackageKeys({ keys: h.keys, assetId });
}

/** A movie with a transcoded, published clip (1080p unless told; ladder from the harness env), for playback tests. */
export async function publishedClip(
  h: Harness,
  options: {
    title: string;
    dir: string;
    seconds: number;
    /** 1920×1080 unless told: a smaller source makes fewer rungs, and transcodes faster. */
    width?: number;
    height?: number;
    /** Frames per second of the generated source (the clip's default unless told). */
    fps?: number;
    /** The picture (the test card unless told). */
    picture?: ClipComplexity;
    /** One English track unless told. */
    audio?: ReadonlyArray<{ language: string; title?: string }>;
    /** Subtitle files (SRT or WebVTT) uploaded with the source. */
    subtitles?: string[];
  },
): Promise<{ movieId: string; assetId: string }> {
  const movieId = await createMovie(h, options.title);
  const clip = await makeClip({
    path: path.join(options.dir, `${movieId}.mp4`),
    width: options.width ?? 1920,
    height: options.height ?? 1080,
    ...(options.fps !== undefined && { fps: options.fps }),
    ...(options.picture !== undefined && { picture: options.picture }),
    seconds: options.seconds,
    audio: options.audio ?? [{ language: 'eng' }],
  });
  const asset = await upload(h, movieId, clip, options.subtitles);
  const job = await waitForJob(h, asset.id, (j) => j.status === 'ready' || j.status === 'failed');
  assert.equal(job.status, 'ready', JSON.stringify(job.failure));
  const published = await h.context.app.inject({
    method: 'POST',
    url: `/api/admin/titles/${movieId}/publish`,
    headers: h.admin.headers,
  });
  assert.equal(published.statusCode, 200, published.body);
  return { movieId, assetId: asset.id };
}
