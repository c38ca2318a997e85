import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { runFfmpeg } from './ffmpeg.runner.ts';
import type { MediaService } from './media.service.ts';

/**
 * Playable demo titles for seed-demo: short clips from ffmpeg's own test sources, at several
 * sizes up to 1080p (so each plan's quality cap shows), put through the real pipeline and
 * published. Identified by `externalIds.demo`, so re-running finds them instead of adding more.
 */

export interface DemoVideo {
  slug: string;
  title: string;
  synopsis: string;
  width: number;
  height: number;
  seconds: number;
  /** An ffmpeg lavfi video source. */
  source: string;
  maturityRating: string;
}

export const demoVideos: readonly DemoVideo[] = Object.freeze([
  {
    slug: 'test-pattern-1080',
    title: 'Marquee Demo: Test Pattern',
    synopsis: 'A moving test pattern with a tone, encoded from 240p up to 1080p. Each plan sees its own cap.',
    width: 1920,
    height: 1080,
    seconds: 12,
    source: 'testsrc2',
    maturityRating: 'G',
  },
  {
    slug: 'colour-bars-720',
    title: 'Marquee Demo: Colour Bars',
    synopsis: 'SMPTE HD colour bars with a tone, up to 720p.',
    width: 1280,
    height: 720,
    seconds: 8,
    source: 'smptehdbars',
    maturityRating: 'G',
  },
  {
    slug: 'life-480',
    title: 'Marquee Demo: Game of Life',
    synopsis: "Conway's Game of Life in standard definition.",
    width: 854,
    height: 480,
    seconds: 8,
    source: 'life=ratio=0.1:mold=10:death_color=#202040:life_color=#f0c040',
    maturityRating: 'G',
  },
]);

export interface DemoVideoReport {
  created: number;
  transcoded: number;
  alreadyPlayable: number;
}

export async function seedDemoVideos(options: {
  db: Kysely<DB>;
  media: MediaService;
  ffmpegPath: string;
  uploadedBy: string | null;
  /** Progress of the whole set, 0–100. */
  onProgress?: (percent: number) => void;
}): Promise<DemoVideoReport> {
  const { db, media } = options;
  const report: DemoVideoReport = { created: 0, transcoded: 0, alreadyPlayable: 0 };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'marquee-demo-'));
  const context = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };
  try {
    for (const [index, demo] of demoVideos.entries()) {
      const share = (percent: number) =>
        options.onProgress?.(((index + percent / 100) / demoVideos.length) * 100);
      const titleId = await ensureDemoTitle(db, demo, report);
      if (await media.assets.current(titleId)) {
        report.alreadyPlayable++;
        await publish(db, titleId);
        share(100);
        continue;
      }
      const file = path.join(scratch, `${demo.slug}.mp4`);
      await runFfmpeg({ args: clipArgs(demo, file), ffmpegPath: options.ffmpegPath });
      const asset = await media.ingestFile(
        { itemId: titleId, path: file, uploadedBy: options.uploadedBy },
        context,
      );
      // Run the job here rather than wait for a worker: seed-demo ends with titles one can play.
      // The queued copy finds the asset ready when a worker gets to it, and does nothing.
      await media.transcode(
        {
          id: asset.jobId ?? 'seed-demo',
          name: 'media.transcode',
          payload: { assetId: asset.id },
          attempt: 0,
          signal: new AbortController().signal,
        },
        { onProgress: share },
      );
      const done = await media.assets.find(asset.id);
      if (done?.status !== 'ready') {
        throw new Error(
          `the demo clip ${demo.slug} did not transcode: ${done?.failureReason ?? done?.status}`,
        );
      }
      await publish(db, titleId);
      report.transcoded++;
    }
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function clipArgs(demo: DemoVideo, file: string): string[] {
  const size = `${demo.width}x${demo.height}`;
  const video = demo.source.includes('=')
    ? `${demo.source}:size=${size}:rate=25,format=yuv420p`
    : `${demo.source}=size=${size}:rate=25`;
  return [
    '-f',
    'lavfi',
    '-i',
    video,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${demo.seconds}`,
    '-t',
    String(demo.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-y',
    file,
  ];
}

async function ensureDemoTitle(db: Kysely<DB>, demo: DemoVideo, report: DemoVideoReport): Promise<string> {
  const existing = await db
    .selectFrom('titles')
    .select('id')
    .where(sql<string>`external_ids->>'demo'`, '=', demo.slug)
    .executeTakeFirst();
  if (existing) return existing.id;
  const level = await db
    .selectFrom('maturityRatings')
    .select('level')
    .where('code', '=', demo.maturityRating)
    .executeTakeFirst();
  const row = await db
    .insertInto('titles')
    .values({
      kind: 'movie',
      title: demo.title,
      synopsis: demo.synopsis,
      releaseYear: new Date().getFullYear(),
      runtimeMinutes: 1,
      maturityRating: level ? demo.maturityRating : null,
      maturityLevel: level?.level ?? 0,
      audioLanguages: ['en'],
      tags: ['demo'],
      externalIds: JSON.stringify({ demo: demo.slug }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  report.created++;
  return row.id;
}

async function publish(db: Kysely<DB>, titleId: string): Promise<void> {
  await db
    .updateTable('titles')
    .set({ status: 'published', publishedAt: new Date(), updatedAt: new Date() })
    .where('id', '=', titleId)
    .where('status', '!=', 'published')
    .execute();
}
