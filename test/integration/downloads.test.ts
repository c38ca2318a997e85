import assert from 'node:assert/strict';
import { createDecipheriv, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import {
  openOfflineLicence,
  type OfflineLicence,
  type TrustedLicenceKey,
} from '../../src/modules/playback/index.ts';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createMovie, harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { scratchDir } from '../support/media-clips.ts';

/**
 * Offline downloads against a real transcoded title (240p–1080p): device registration and its
 * cap, the download cap, the licence (opened with the device's private key, checked with the
 * JWKS, only the plan's keys, expiry and play window), renewal refusals, returns, and who may
 * touch which ids.
 */

interface Device {
  id: string;
  name: string;
  keyThumbprint: string;
}
interface DownloadView {
  id: string;
  itemId: string;
  deviceId: string;
  maxHeight: number;
  status: string;
  returnedAt: string | null;
}
interface Downloaded {
  download: DownloadView;
  licence: OfflineLicence;
  package: {
    masterPlaylist: string;
    playlists: Array<{ path: string; text: string }>;
    files: Array<{ path: string; url: string }>;
  };
}
interface Problem {
  code: string;
  detail?: string;
  reason?: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('offline downloads', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let assetId: string;
  let trustedKeys: TrustedLicenceKey[];
  const extraItems: string[] = [];

  before(async () => {
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300,480:600,720:900,1080:1400' });
    scratch = await scratchDir();
    ({ movieId, assetId } = await publishedClip(h, { title: 'Download test', dir: scratch.dir, seconds: 6 }));
    // Eleven more titles on the same package, to reach basic's cap of ten downloads.
    const db = h.context.deps.database.db;
    for (let index = 0; index < 11; index++) {
      const id = await createMovie(h, `Download test ${index}`);
      await db.insertInto('itemVideos').values({ itemId: id, assetId }).execute();
      await db.updateTable('titles').set({ status: 'published' }).where('id', '=', id).execute();
      extraItems.push(id);
    }
    // What a player runtime trusts: the published JWKS.
    const jwks = (await h.context.app.inject('/.well-known/jwks.json')).json<{
      keys: Array<{ kid: string } & Record<string, unknown>>;
    }>();
    trustedKeys = jwks.keys.map((jwk) => ({
      kid: jwk.kid,
      publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
    }));
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  const inject = (options: {
    method?: 'GET' | 'POST' | 'DELETE';
    url: string;
    viewer?: SignedIn;
    payload?: object;
  }) =>
    h.context.app.inject({
      method: options.method ?? 'GET',
      url: options.url,
      ...(options.viewer && { headers: options.viewer.headers }),
      ...(options.payload !== undefined && { payload: options.payload }),
    });
  const viewerOn = async (plan: string): Promise<SignedIn> => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    await setPlan(viewer, plan);
    return viewer;
  };
  const setPlan = (viewer: SignedIn, plan: string) =>
    h.context.deps.database.db
      .updateTable('users')
      .set({ planId: plan })
      .where('id', '=', viewer.userId)
      .execute();
  const deviceKeys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const register = (viewer: SignedIn, publicKey: KeyObject, name = 'Phone') =>
    inject({
      method: 'POST',
      url: '/api/downloads/devices',
      viewer,
      payload: { name, publicKey: publicKey.export({ format: 'jwk' }) },
    });
  const download = (viewer: SignedIn, itemId: string, deviceId: string, maxHeight?: number) =>
    inject({
      method: 'POST',
      url: `/api/downloads/${itemId}`,
      viewer,
      payload: { deviceId, ...(maxHeight !== undefined && { maxHeight }) },
    });
  const renew = (viewer: SignedIn, id: string) =>
    inject({ method: 'POST', url: `/api/downloads/${id}/renew`, viewer });
  const keyIdsOfTier = async (tier: string) =>
    (
      await h.context.deps.database.db
        .selectFrom('contentKeys')
        .select('id')
        .where('assetId', '=', assetId)
        .where('tier', '=', tier)
        .execute()
    ).map((row) => row.id);

  /** A basic viewer with one registered device, and that device's private key. */
  async function basicWithDevice() {
    const viewer = await viewerOn('basic');
    const keys = deviceKeys();
    const registered = await register(viewer, keys.publicKey);
    assert.equal(registered.statusCode, 201, registered.body);
    return { viewer, device: registered.json<Device>(), privateKey: keys.privateKey };
  }

  it('downloads 720p on basic: the licence opens on the device and decrypts a delivered segment; no FHD key', async () => {
    const { viewer, device, privateKey } = await basicWithDevice();
    const again = await register(viewer, createPublicKey(privateKey), 'Phone again');
    assert.equal(again.statusCode, 200, 'the same key is the same device');
    assert.equal(again.json<Device>().id, device.id);

    const response = await download(viewer, movieId, device.id);
    assert.equal(response.statusCode, 201, response.body);
    const downloaded = response.json<Downloaded>();
    assert.equal(downloaded.download.maxHeight, 720);
    assert.equal(downloaded.download.status, 'active');

    const master = parse(downloaded.package.masterPlaylist) as types.MasterPlaylist;
    assert.deepEqual(
      master.variants.map((variant) => variant.resolution?.height),
      [720],
      'one variant: the best the plan allows',
    );
    const video = downloaded.package.playlists.find((p) => p.path === master.variants[0]!.uri);
    assert.ok(video, 'the variant’s media playlist is in the package');
    const media = parse(video.text) as types.MediaPlaylist;
    const segment = media.segments[0]!;
    assert.match(segment.key!.uri!, /^skd:\/\//, 'keys are named, not fetched');

    const opened = openOfflineLicence({
      licence: downloaded.licence,
      devicePrivateKey: privateKey,
      trustedKeys,
      now: new Date(),
    });
    assert.equal(opened.claims.downloadId, downloaded.download.id);
    assert.equal(opened.claims.deviceId, device.id);
    assert.equal(opened.claims.maxHeight, 720);
    const keyId = segment.key!.uri!.slice('skd://'.length);
    const contentKey = opened.contentKeys.find((key) => key.keyId === keyId);
    assert.ok(contentKey, 'the licence holds the segment’s key');

    const file = downloaded.package.files.find(
      (f) => f.path === `${path.dirname(video.path)}/${segment.uri}`,
    );
    assert.ok(file, 'the segment is in the package’s files');
    const fetched = await inject({ url: file.url });
    assert.equal(fetched.statusCode, 200, fetched.body.slice(0, 200));
    const decipher = createDecipheriv('aes-128-cbc', contentKey.key, contentKey.iv);
    const plain = Buffer.concat([decipher.update(fetched.rawPayload), decipher.final()]);
    assert.equal(plain[0], 0x47, 'the delivered segment decrypts with the licence’s key');
    assert.equal((await inject({ url: file.url.split('?')[0]! })).statusCode, 401, 'unsigned');

    const fhd = await keyIdsOfTier('FHD');
    assert.ok(fhd.length > 0);
    for (const key of opened.contentKeys) assert.ok(!fhd.includes(key.keyId), 'no FHD key in the licence');
    assert.ok(
      downloaded.package.files.every((f) => !f.path.startsWith('v1080/')),
      'no 1080p file in the package',
    );

    // Another device's private key can't open it.
    assert.throws(
      () =>
        openOfflineLicence({
          licence: downloaded.licence,
          devicePrivateKey: deviceKeys().privateKey,
          trustedKeys,
          now: new Date(),
        }),
      (error) => (error as { code?: string }).code === 'DOWNLOAD_LICENCE_INVALID',
    );

    // The runtime enforces the expiry (30 days) and the play window (48 h after the first play).
    const open = (now: Date, firstPlayedAt?: Date) =>
      openOfflineLicence({
        licence: downloaded.licence,
        devicePrivateKey: privateKey,
        trustedKeys,
        now,
        ...(firstPlayedAt && { firstPlayedAt }),
      });
    const expired = (error: unknown) => (error as { code?: string }).code === 'DOWNLOAD_LICENCE_EXPIRED';
    assert.doesNotThrow(() => open(new Date(Date.now() + 29 * DAY)));
    assert.throws(() => open(new Date(Date.now() + 31 * DAY)), expired);
    const firstPlay = new Date(Date.now() + DAY);
    assert.doesNotThrow(() => open(new Date(firstPlay.getTime() + 47 * HOUR), firstPlay));
    assert.throws(() => open(new Date(firstPlay.getTime() + 49 * HOUR), firstPlay), expired);

    // Renewal: a fresh licence while everything holds.
    const renewed = await renew(viewer, downloaded.download.id);
    assert.equal(renewed.statusCode, 200, renewed.body);
    const fresh = renewed.json<{ licence: OfflineLicence }>().licence;
    assert.notEqual(fresh.body, downloaded.licence.body);
    const reopened = openOfflineLicence({
      licence: fresh,
      devicePrivateKey: privateKey,
      trustedKeys,
      now: new Date(),
    });
    assert.ok(reopened.contentKeys.every((key) => !fhd.includes(key.keyId)));

    // A device may ask for less than the plan allows.
    const small = await download(viewer, extraItems[0]!, device.id, 480);
    assert.equal(small.statusCode, 201, small.body);
    assert.equal(small.json<Downloaded>().download.maxHeight, 480);
    const hd = await keyIdsOfTier('HD');
    const smallKeys = openOfflineLicence({
      licence: small.json<Downloaded>().licence,
      devicePrivateKey: privateKey,
      trustedKeys,
      now: new Date(),
    }).contentKeys;
    assert.ok(smallKeys.every((key) => !hd.includes(key.keyId) && !fhd.includes(key.keyId)));
  });

  it('caps download devices: a second device on basic is refused; revoking one frees it', async () => {
    const { viewer, device } = await basicWithDevice();
    const second = await register(viewer, deviceKeys().publicKey, 'Tablet');
    assert.equal(second.statusCode, 409, second.body);
    assert.equal(second.json<Problem>().code, 'DOWNLOAD_DEVICE_LIMIT');
    const revoked = await inject({ method: 'DELETE', url: `/api/downloads/devices/${device.id}`, viewer });
    assert.equal(revoked.statusCode, 204);
    const listed = await inject({ url: '/api/downloads/devices', viewer });
    assert.deepEqual(listed.json<{ items: Device[] }>().items, []);
    assert.equal((await register(viewer, deviceKeys().publicKey, 'Tablet')).statusCode, 201);
    // The revocation is audited.
    const audit = await h.context.deps.database.db
      .selectFrom('auditLog')
      .select(['action', 'actorId'])
      .where('targetId', '=', device.id)
      .where('action', '=', 'download_device.revoked')
      .executeTakeFirst();
    assert.equal(audit?.actorId, viewer.userId);
  });

  it('refuses a free plan, naming the plan the same way everywhere', async () => {
    const viewer = await viewerOn('free');
    const registered = await register(viewer, deviceKeys().publicKey);
    assert.equal(registered.statusCode, 402, registered.body);
    assert.equal(registered.json<Problem>().code, 'DOWNLOAD_PLAN_REQUIRED');
    assert.deepEqual(registered.json<{ plans: string[] }>().plans, ['basic', 'standard', 'premium']);
    const refused = await download(viewer, movieId, '00000000-0000-4000-8000-000000000000');
    assert.equal(refused.statusCode, 402);
    assert.equal(refused.json<Problem>().code, 'DOWNLOAD_PLAN_REQUIRED');
    assert.equal(registered.json<Problem>().detail, 'Your Free plan does not include downloads');
    assert.equal(refused.json<Problem>().detail, registered.json<Problem>().detail);
  });

  it('re-downloading at another rendition is a new download: the stored 720p keeps renewing', async () => {
    const { viewer, device, privateKey } = await basicWithDevice();
    const first = (await download(viewer, extraItems[1]!, device.id)).json<Downloaded>();
    assert.equal(first.download.maxHeight, 720);
    const smaller = await download(viewer, extraItems[1]!, device.id, 480);
    assert.equal(smaller.statusCode, 201, smaller.body);
    assert.notEqual(smaller.json<Downloaded>().download.id, first.download.id, 'another download');
    assert.equal(smaller.json<Downloaded>().download.maxHeight, 480);

    // The first download still renews for the files it stored, and they still decrypt.
    const renewed = await renew(viewer, first.download.id);
    assert.equal(renewed.statusCode, 200, renewed.body);
    const renewedView = renewed.json<{ download: DownloadView; licence: OfflineLicence }>();
    assert.equal(renewedView.download.maxHeight, 720);
    const opened = openOfflineLicence({
      licence: renewedView.licence,
      devicePrivateKey: privateKey,
      trustedKeys,
      now: new Date(),
    });
    assert.equal(opened.claims.maxHeight, 720);
    const video = first.package.playlists.find((p) => p.path.startsWith('v720/'))!;
    const segment = (parse(video.text) as types.MediaPlaylist).segments[0]!;
    const contentKey = opened.contentKeys.find(
      (key) => key.keyId === segment.key!.uri!.slice('skd://'.length),
    );
    assert.ok(contentKey, 'the renewed licence holds the stored 720p segment’s key');
    const file = first.package.files.find((f) => f.path === `v720/${segment.uri}`)!;
    const fetched = await inject({ url: file.url });
    const decipher = createDecipheriv('aes-128-cbc', contentKey.key, contentKey.iv);
    const plain = Buffer.concat([decipher.update(fetched.rawPayload), decipher.final()]);
    assert.equal(plain[0], 0x47);

    // The same rendition again refreshes the download it already is.
    const same = await download(viewer, extraItems[1]!, device.id, 720);
    assert.equal(same.json<Downloaded>().download.id, first.download.id);
    const listed = (await inject({ url: '/api/downloads', viewer })).json<{ items: DownloadView[] }>().items;
    assert.deepEqual(listed.map((d) => [d.maxHeight, d.status]).sort(), [
      [480, 'active'],
      [720, 'active'],
    ]);
  });

  it('signs a download’s URLs for its own files only, not the package’s other renditions', async () => {
    const { viewer, device } = await basicWithDevice();
    const downloaded = (await download(viewer, extraItems[2]!, device.id, 480)).json<Downloaded>();
    const segment = downloaded.package.files.find(
      (f) => f.path.startsWith('v480/') && f.path.endsWith('.ts'),
    )!;
    assert.equal((await inject({ url: segment.url })).statusCode, 200, 'its own segment');
    for (const file of downloaded.package.files) {
      assert.equal((await inject({ url: file.url, method: 'GET' })).statusCode, 200, file.path);
    }
    const [path480, query] = segment.url.split('?') as [string, string];
    for (const other of [
      path480.replace('/v480/', '/v240/'),
      path480.replace('/v480/', '/v720/'),
      path480.replace(/\/v480\/.*$/, '/master.m3u8'),
      path480.replace(/\/[^/]+$/, '/index.m3u8').replace('/v480/', '/v1080/'),
    ]) {
      const refused = await inject({ url: `${other}?${query}` });
      assert.equal(refused.statusCode, 401, `${other} → ${refused.statusCode}`);
    }
  });

  it('caps downloads at ten on basic; returning one frees its slot and lists it as returned', async () => {
    const { viewer, device } = await basicWithDevice();
    const ids: string[] = [];
    for (const itemId of [movieId, ...extraItems.slice(0, 9)]) {
      const response = await download(viewer, itemId, device.id);
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json<Downloaded>().download.id);
    }
    // Downloading the same title again on the same device refreshes it rather than taking a slot.
    const again = await download(viewer, movieId, device.id);
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.json<Downloaded>().download.id, ids[0]);

    const eleventh = await download(viewer, extraItems[9]!, device.id);
    assert.equal(eleventh.statusCode, 409, eleventh.body);
    assert.equal(eleventh.json<Problem>().code, 'DOWNLOAD_LIMIT');

    const returned = await inject({ method: 'DELETE', url: `/api/downloads/${ids[0]}`, viewer });
    assert.equal(returned.statusCode, 204);
    const listed = (await inject({ url: '/api/downloads', viewer })).json<{ items: DownloadView[] }>().items;
    assert.equal(listed.length, 10);
    assert.equal(listed.at(-1)!.id, ids[0], 'newest first');
    assert.equal(listed.find((d) => d.id === ids[0])!.status, 'returned');
    assert.ok(listed.find((d) => d.id === ids[0])!.returnedAt);
    assert.equal((await download(viewer, extraItems[9]!, device.id)).statusCode, 201, 'the slot is free');

    const refused = await renew(viewer, ids[0]!);
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(refused.json<Problem>().reason, 'DOWNLOAD_RETURNED');
  });

  it('stops renewing the newest downloads beyond a cap a plan change lowered, until others are returned', async () => {
    const { viewer, device } = await basicWithDevice();
    await setPlan(viewer, 'standard');
    const ids: string[] = [];
    for (const itemId of [movieId, ...extraItems.slice(0, 10)]) {
      const response = await download(viewer, itemId, device.id, 720);
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json<Downloaded>().download.id);
    }
    // Back to Basic (10 downloads): the eleventh, the newest, is beyond the cap.
    await setPlan(viewer, 'basic');
    assert.equal((await renew(viewer, ids[9]!)).statusCode, 200);
    const beyond = await renew(viewer, ids[10]!);
    assert.equal(beyond.statusCode, 403, beyond.body);
    assert.equal(beyond.json<Problem>().reason, 'PLAN_DOWNLOAD_CAP');
    assert.equal(
      (await inject({ method: 'DELETE', url: `/api/downloads/${ids[0]}`, viewer })).statusCode,
      204,
    );
    assert.equal(
      (await renew(viewer, ids[10]!)).statusCode,
      200,
      'a returned download freed a place under the cap',
    );
  });

  it('refuses renewal once the device is revoked or the plan loses downloads', async () => {
    const { viewer, device } = await basicWithDevice();
    const first = (await download(viewer, movieId, device.id)).json<Downloaded>();
    assert.equal((await renew(viewer, first.download.id)).statusCode, 200);
    await setPlan(viewer, 'free');
    const downgraded = await renew(viewer, first.download.id);
    assert.equal(downgraded.statusCode, 403, downgraded.body);
    assert.equal(downgraded.json<Problem>().code, 'DOWNLOAD_NOT_RENEWABLE');
    assert.equal(downgraded.json<Problem>().reason, 'PLAN_EXCLUDES_DOWNLOADS');
    await setPlan(viewer, 'basic');
    assert.equal((await renew(viewer, first.download.id)).statusCode, 200);

    assert.equal(
      (await inject({ method: 'DELETE', url: `/api/downloads/devices/${device.id}`, viewer })).statusCode,
      204,
    );
    const revoked = await renew(viewer, first.download.id);
    assert.equal(revoked.statusCode, 403, revoked.body);
    assert.equal(revoked.json<Problem>().code, 'DOWNLOAD_NOT_RENEWABLE');
    assert.equal(revoked.json<Problem>().reason, 'DEVICE_REVOKED');
    const onRevoked = await download(viewer, extraItems[0]!, device.id);
    assert.equal(onRevoked.statusCode, 404, 'a revoked device takes no new downloads');
  });

  it('answers 401 to anonymous callers and 404 for another account’s ids', async () => {
    const { viewer, device } = await basicWithDevice();
    const mine = (await download(viewer, movieId, device.id)).json<Downloaded>();
    for (const [method, url] of [
      ['GET', '/api/downloads'],
      ['GET', '/api/downloads/devices'],
      ['POST', `/api/downloads/${movieId}`],
      ['POST', `/api/downloads/${mine.download.id}/renew`],
      ['DELETE', `/api/downloads/${mine.download.id}`],
      ['DELETE', `/api/downloads/devices/${device.id}`],
    ] as const) {
      const response = await inject({ method, url, ...(method === 'POST' && { payload: {} }) });
      assert.equal(response.statusCode, 401, `${method} ${url}`);
    }

    const stranger = await viewerOn('standard');
    const code = (response: { json<T>(): T }) => response.json<Problem>().code;
    const renewal = await renew(stranger, mine.download.id);
    assert.equal(renewal.statusCode, 404);
    assert.equal(code(renewal), 'DOWNLOAD_NOT_FOUND');
    const returned = await inject({
      method: 'DELETE',
      url: `/api/downloads/${mine.download.id}`,
      viewer: stranger,
    });
    assert.equal(returned.statusCode, 404);
    const revoked = await inject({
      method: 'DELETE',
      url: `/api/downloads/devices/${device.id}`,
      viewer: stranger,
    });
    assert.equal(revoked.statusCode, 404);
    const borrowed = await download(stranger, movieId, device.id);
    assert.equal(borrowed.statusCode, 404);
    assert.equal(code(borrowed), 'DOWNLOAD_DEVICE_NOT_FOUND');
    assert.deepEqual(
      (await inject({ url: '/api/downloads', viewer: stranger })).json<{ items: [] }>().items,
      [],
    );
    // Nothing changed for the owner.
    assert.equal((await renew(viewer, mine.download.id)).statusCode, 200);
  });
});
