import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMaster, readMediaPlaylist } from '../../../test/support/hls-check.ts';
import {
  ffmpegPath,
  ffprobePath,
  makeComplexityClip,
  scratchDir,
  type ClipComplexity,
} from '../../../test/support/media-clips.ts';
import { ffmpegTools } from './media-tools.ts';
import { transcodeToEncryptedHls, type TranscodeResult } from './transcode.ts';

/**
 * The content-aware ladder on real pictures: three 2 s 640×360 clips of known complexity, each
 * through the whole pipeline (capped CRF, quality step, rung dropping, encrypted packaging).
 */

const RUNGS = [
  { p: 144, videoBitrateKbps: 200 },
  { p: 240, videoBitrateKbps: 400 },
  { p: 360, videoBitrateKbps: 800 },
];

describe('content-aware ladder on simple, medium and complex clips', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  const results = new Map<ClipComplexity, TranscodeResult>();

  before(async () => {
    scratch = await scratchDir();
    for (const complexity of ['simple', 'medium', 'complex'] as const) {
      const sourcePath = await makeComplexityClip({
        path: path.join(scratch.dir, `${complexity}.mp4`),
        complexity,
        width: 640,
        height: 360,
        seconds: 2,
        fps: 24,
      });
      results.set(
        complexity,
        await transcodeToEncryptedHls({
          sourcePath,
          workDir: path.join(scratch.dir, complexity),
          options: {
            rungs: RUNGS,
            ladderMode: 'content-aware',
            preset: 'ultrafast',
            threads: 1,
            segmentSeconds: 1,
            thumbnailIntervalSeconds: 1,
          },
          tools: ffmpegTools({ ffmpegPath, ffprobePath }),
        }),
      );
    }
  });
  after(() => scratch.remove());

  const packaged = (complexity: ClipComplexity) => results.get(complexity)!.manifest.renditions;
  const bytesOf = async (complexity: ClipComplexity) => {
    const result = results.get(complexity)!;
    let total = 0;
    for (const file of result.files.filter((name) => name.endsWith('.ts'))) {
      total += (await stat(path.join(result.outputDir, file))).size;
    }
    return total;
  };

  it('chooses the rungs by what each picture gains from them', () => {
    const ladders = Object.fromEntries(
      [...results].map(([complexity, result]) => [
        complexity,
        {
          kept: result.manifest.renditions.map((rendition) => rendition.name),
          dropped: result.manifest.ladder?.dropped.map((rendition) => rendition.name),
        },
      ]),
    );
    assert.deepEqual(
      ladders,
      {
        simple: { kept: ['v144'], dropped: ['v240', 'v360'] },
        medium: { kept: ['v144', 'v240', 'v360'], dropped: [] },
        complex: { kept: ['v144', 'v240', 'v360'], dropped: [] },
      },
      JSON.stringify([...results].map(([c, r]) => [c, r.manifest.renditions, r.manifest.ladder])),
    );
  });

  it('a simple clip gets fewer rungs and fewer bytes than a complex one', async () => {
    assert.ok(packaged('simple').length < packaged('complex').length);
    const [simple, medium, complex] = [
      await bytesOf('simple'),
      await bytesOf('medium'),
      await bytesOf('complex'),
    ];
    // Medium and complex both reach the caps at these sizes; the gradient stays far below them.
    assert.ok(simple * 10 < medium && simple * 10 < complex, `bytes ${simple} vs ${medium}, ${complex}`);
    // The same 144p rung: the quality target spends less on a gradient than on fractal grain.
    const rate = (complexity: ClipComplexity) => packaged(complexity)[0]!.averageBandwidth;
    assert.ok(rate('simple') * 2 < rate('complex'), `${rate('simple')} vs ${rate('complex')}`);
  });

  it('stores SSIM and PSNR for every packaged and every dropped rendition, higher rungs scoring higher', () => {
    for (const [complexity, result] of results) {
      const scored = [...result.manifest.renditions, ...(result.manifest.ladder?.dropped ?? [])];
      for (const { name, quality } of scored) {
        assert.ok(quality, `${complexity} ${name} has a score`);
        assert.ok(quality.ssim > 0.3 && quality.ssim <= 1, `${complexity} ${name} ssim ${quality.ssim}`);
        assert.ok(quality.psnr > 15 && quality.psnr <= 100, `${complexity} ${name} psnr ${quality.psnr}`);
        assert.equal(quality.frames, 48, 'every frame of a 2 s 24 fps clip is compared');
      }
    }
    const complex = packaged('complex').map((rendition) => rendition.quality!.ssim);
    assert.deepEqual([...complex].sort(), complex, 'SSIM grows with the rung');
    assert.ok(complex[2]! - complex[0]! > 0.01, String(complex));
  });

  it('declares BANDWIDTH and AVERAGE-BANDWIDTH from the measured segment sizes, under the cap', async () => {
    for (const [complexity, result] of results) {
      const master = await readMaster(result.outputDir);
      assert.equal(master.variants.length, result.manifest.renditions.length);
      for (const variant of master.variants) {
        const media = await readMediaPlaylist(result.outputDir, variant.uri);
        const segments = await Promise.all(
          media.segments.map(async (segment) => ({
            duration: segment.duration,
            bits: (await stat(path.join(result.outputDir, path.dirname(variant.uri), segment.uri))).size * 8,
          })),
        );
        const rates = segments.filter((s) => s.duration >= 0.5).map((s) => s.bits / s.duration);
        const peak = Math.max(...rates);
        const average =
          segments.reduce((sum, s) => sum + s.bits, 0) / segments.reduce((sum, s) => sum + s.duration, 0);
        const label = `${complexity} ${variant.uri}`;
        // One-second segments, all full length here: the peak is the densest segment's rate.
        assert.ok(
          Math.abs(variant.bandwidth - peak) <= 1,
          `${label} BANDWIDTH ${variant.bandwidth} vs ${peak}`,
        );
        assert.ok(Math.abs(variant.averageBandwidth! - average) <= 1, `${label} AVERAGE-BANDWIDTH`);
        const rung = RUNGS.find((r) => `v${r.p}/index.m3u8` === variant.uri)!;
        // The cap holds (VBV: over one segment at most maxrate × duration + the 1 s buffer), plus
        // MPEG-TS overhead: 1 s segments may reach twice the rung's kbps, never more.
        const cap = rung.videoBitrateKbps * 1000 * 2 * 1.15;
        assert.ok(variant.bandwidth <= cap, `${label} peak ${variant.bandwidth} over ${cap}`);
      }
    }
  });
});
