import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signInWithRoles, viewerOnPlan, type SignedIn } from '../support/accounts.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { scratchDir } from '../support/media-clips.ts';

/**
 * The admin console's view of an account's offline downloads, against a real transcoded title:
 * support lists a viewer's download devices with their licences and revokes one (the licence then
 * stops renewing, the audit log names who did it); and who may not.
 */

interface AdminDevice {
  id: string;
  name: string;
  keyThumbprint: string;
  downloads: Array<{
    id: string;
    itemId: string;
    itemName: string | null;
    status: string;
    licenceExpiresAt: string;
  }>;
}
interface Problem {
  code: string;
  reason?: string;
}

describe('admin: an account’s download devices and licences', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let support: SignedIn;
  let contentManager: SignedIn;

  before(async () => {
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300' });
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, {
      title: 'Admin downloads',
      dir: scratch.dir,
      seconds: 4,
      width: 426,
      height: 240,
    }));
    support = await signInWithRoles(h.context, ['support']);
    contentManager = await signInWithRoles(h.context, ['content_manager']);
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, as?: SignedIn, payload?: object) =>
    h.context.app.inject({
      method,
      url,
      ...(as && { headers: as.headers }),
      ...(payload !== undefined && { payload }),
    });

  /** A viewer on basic with one device holding one download of the clip. */
  async function viewerWithDownload(name = 'Pocket') {
    const viewer = await viewerOnPlan(h.context, 'basic');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const registered = await inject('POST', '/api/downloads/devices', viewer, {
      name,
      publicKey: publicKey.export({ format: 'jwk' }),
    });
    assert.equal(registered.statusCode, 201, registered.body);
    const deviceId = registered.json<{ id: string }>().id;
    const downloaded = await inject('POST', `/api/downloads/${movieId}`, viewer, { deviceId });
    assert.equal(downloaded.statusCode, 201, downloaded.body);
    return { viewer, deviceId, downloadId: downloaded.json<{ download: { id: string } }>().download.id };
  }

  it('lists the devices with their licences; support revokes one, audited, and its licence stops renewing', async () => {
    const { viewer, deviceId, downloadId } = await viewerWithDownload();
    const listed = await inject('GET', `/api/admin/users/${viewer.userId}/download-devices`, support);
    assert.equal(listed.statusCode, 200, listed.body);
    const [device, ...others] = listed.json<{ devices: AdminDevice[] }>().devices;
    assert.equal(others.length, 0);
    assert.equal(device?.id, deviceId);
    assert.equal(device?.name, 'Pocket');
    assert.match(device?.keyThumbprint ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      device?.downloads.map((download) => [download.id, download.itemId, download.itemName, download.status]),
      [[downloadId, movieId, 'Admin downloads', 'active']],
    );
    assert.ok(Date.parse(device?.downloads[0]?.licenceExpiresAt ?? '') > Date.now());

    const revoked = await inject(
      'DELETE',
      `/api/admin/users/${viewer.userId}/download-devices/${deviceId}`,
      support,
    );
    assert.equal(revoked.statusCode, 204, revoked.body);
    const renewal = await inject('POST', `/api/downloads/${downloadId}/renew`, viewer);
    assert.equal(renewal.statusCode, 403, renewal.body);
    assert.equal(renewal.json<Problem>().reason, 'DEVICE_REVOKED');
    assert.deepEqual(
      (await inject('GET', `/api/admin/users/${viewer.userId}/download-devices`, support)).json<{
        devices: [];
      }>().devices,
      [],
    );
    const audit = (await inject('GET', `/api/admin/audit?targetId=${viewer.userId}`, h.admin)).json<{
      items: Array<{ action: string; actor: { id: string }; before: { deviceId: string; name: string } }>;
    }>();
    assert.equal(audit.items[0]?.action, 'user.download_device_revoked');
    assert.equal(audit.items[0]?.actor.id, support.userId);
    assert.deepEqual([audit.items[0]?.before.deviceId, audit.items[0]?.before.name], [deviceId, 'Pocket']);
    // Again: already revoked, nothing changes (and no second audit entry).
    assert.equal(
      (await inject('DELETE', `/api/admin/users/${viewer.userId}/download-devices/${deviceId}`, support))
        .statusCode,
      204,
    );
    const again = (await inject('GET', `/api/admin/audit?targetId=${viewer.userId}`, h.admin)).json<{
      items: Array<{ action: string }>;
    }>();
    assert.equal(again.items.filter((entry) => entry.action === 'user.download_device_revoked').length, 1);
  });

  it('refuses anonymous callers, viewers, a role without users:*, stronger accounts and other accounts’ devices', async () => {
    const { viewer, deviceId, downloadId } = await viewerWithDownload('Tablet');
    const other = await viewerWithDownload('Other phone');
    const list = `/api/admin/users/${viewer.userId}/download-devices`;
    const revoke = `${list}/${deviceId}`;
    for (const [method, url] of [
      ['GET', list],
      ['DELETE', revoke],
    ] as const) {
      assert.equal((await inject(method, url)).statusCode, 401, `${method} anonymously`);
      for (const caller of [viewer, other.viewer, contentManager]) {
        const refused = await inject(method, url, caller);
        assert.equal(refused.statusCode, 403, `${method} as ${caller.email}`);
        assert.equal(refused.json<Problem>().code, 'FORBIDDEN');
      }
    }
    // Another account's device under this account's address, or an account that doesn't exist.
    const borrowed = await inject('DELETE', `${list}/${other.deviceId}`, support);
    assert.equal(borrowed.statusCode, 404);
    assert.equal(borrowed.json<Problem>().code, 'DOWNLOAD_DEVICE_NOT_FOUND');
    const nobody = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/api/admin/users/${nobody}/download-devices`],
      ['DELETE', `/api/admin/users/${nobody}/download-devices/${deviceId}`],
    ] as const) {
      const missing = await inject(method, url, support);
      assert.equal(missing.statusCode, 404, `${method} ${url}`);
      assert.equal(missing.json<Problem>().code, 'USER_NOT_FOUND');
    }
    assert.equal(
      (await inject('GET', '/api/admin/users/not-a-uuid/download-devices', support)).statusCode,
      400,
    );
    // Support may look at an admin's devices but not revoke one.
    const adminDevices = await inject('GET', `/api/admin/users/${h.admin.userId}/download-devices`, support);
    assert.equal(adminDevices.statusCode, 200, adminDevices.body);
    const onAdmin = await inject(
      'DELETE',
      `/api/admin/users/${h.admin.userId}/download-devices/${deviceId}`,
      support,
    );
    assert.equal(onAdmin.statusCode, 403);
    // Nothing changed: both devices still renew.
    assert.equal((await inject('POST', `/api/downloads/${downloadId}/renew`, viewer)).statusCode, 200);
    assert.equal(
      (await inject('POST', `/api/downloads/${other.downloadId}/renew`, other.viewer)).statusCode,
      200,
    );
  });
});
