import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoTitles } from '../catalog/index.ts';
import type { MediaTools } from './media-tools.ts';
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

/**
 * Makes each demo clip, registers it (which queues its transcode job as any upload does) and runs
 * the transcode here, under a claim: a worker that picks the queued job up meanwhile finds the
 * asset claimed and backs off, and if a worker claimed it first, seed-demo waits for that one.
 */
export async function seedDemoVideos(options: {
  media: MediaService;
  titles: DemoTitles;
  tools: MediaTools;
  uploadedBy: string | null;
  /** Progress of the whole set, 0–100. */
  onProgress?: (percent: number) => void;
}): Promise<DemoVideoReport> {
  const { media, titles } = options;
  const report: DemoVideoReport = { created: 0, transcoded: 0, alreadyPlayable: 0 };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'marquee-demo-'));
  const context = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };
  try {
    for (const [index, demo] of demoVideos.entries()) {
      const share = (percent: number) =>
        options.onProgress?.(((index + percent / 100) / demoVideos.length) * 100);
      const title = await titles.ensure(demo);
      if (title.created) report.created++;
      if (await media.assets.current(title.id)) {
        report.alreadyPlayable++;
        await titles.publish(title.id);
        share(100);
        continue;
      }
      const file = path.join(scratch, `${demo.slug}.mp4`);
      await options.tools.ffmpeg({ args: clipArgs(demo, file) });
      const asset = await media.ingestFile(
        { itemId: title.id, path: file, uploadedBy: options.uploadedBy },
        context,
      );
      const job = {
        id: asset.jobId ?? `seed-demo-${asset.id}`,
        name: 'media.transcode',
        payload: { assetId: asset.id },
        attempt: 0,
        signal: new AbortController().signal,
      };
      for (;;) {
        await media.transcode(job, {
          onProgress: share,
          owner: `seed-demo:${process.pid}`,
          whenHeld: 'return',
        });
        const done = await media.assets.find(asset.id);
        if (done?.status === 'ready') break;
        if (done?.status !== 'processing' && done?.status !== 'queued') {
          throw new Error(
            `the demo clip ${demo.slug} did not transcode: ${done?.failureReason ?? done?.status}`,
          );
        }
        // Another runner holds it (a worker was quicker): wait for it, or take over if it dies.
        share(done.progress);
        await sleep(1000);
      }
      await titles.publish(title.id);
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
