import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { makeClip } from './media-clips.ts';

/**
 * A running campaign (an advertiser, a week's flight, a budget) with one video creative uploaded
 * and transcoded by the pipeline: what an ad break needs to fill. Returns the campaign's id once
 * the creative is ready.
 */
export async function readyAdCampaign(options: {
  app: FastifyInstance;
  adminHeaders: Record<string, string>;
  name: string;
  dir: string;
  creativeSeconds: number;
}): Promise<string> {
  const { app, adminHeaders, name, dir, creativeSeconds } = options;
  const admin = (request: InjectOptions) =>
    app.inject({ ...request, headers: { ...adminHeaders, ...request.headers } });
  const advertiser = await admin({
    method: 'POST',
    url: '/api/admin/ads/advertisers',
    payload: { name: 'Fizz' },
  });
  const campaign = await admin({
    method: 'POST',
    url: '/api/admin/ads/campaigns',
    payload: {
      advertiserId: advertiser.json<{ id: string }>().id,
      name,
      priority: 5,
      cpmMinor: 2000,
      budgetMinor: 100_000,
      startsAt: new Date(Date.now() - 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000 * 7).toISOString(),
    },
  });
  assert.equal(campaign.statusCode, 201, campaign.body);
  const campaignId = campaign.json<{ id: string }>().id;
  const creative = await admin({
    method: 'POST',
    url: `/api/admin/ads/campaigns/${campaignId}/creatives`,
    payload: { name: `Fizz ${creativeSeconds} s`, clickThroughUrl: 'https://example.com/fizz' },
  });
  const clip = await makeClip({
    path: path.join(dir, `${campaignId}.mp4`),
    width: 640,
    height: 360,
    seconds: creativeSeconds,
    audio: [{ language: 'eng' }],
  });
  const upload = await admin({
    method: 'PUT',
    url: `/api/admin/ads/creatives/${creative.json<{ id: string }>().id}/video`,
    headers: { 'content-type': 'video/mp4' },
    payload: await readFile(clip),
  });
  assert.equal(upload.statusCode, 202, upload.body);
  for (const deadline = Date.now() + 60_000; ; await sleep(100)) {
    const status = (await admin({ url: `/api/admin/ads/campaigns/${campaignId}` })).json<{
      creatives: Array<{ status: string }>;
    }>().creatives[0]?.status;
    if (status === 'ready') return campaignId;
    assert.ok(Date.now() < deadline, `the creative was transcoded (${status})`);
  }
}
