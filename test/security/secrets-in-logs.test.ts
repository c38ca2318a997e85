import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { createLogger } from '../../src/platform/logger.ts';
import { strongPassword, uniqueEmail } from '../support/accounts.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { tokenIn, waitForMail } from '../support/test-app.ts';

/**
 * No secret reaches the log. The app logs at `trace` — every request, every refusal, every job —
 * into memory while a viewer signs up, fails and succeeds at signing in, refreshes, resets a
 * password, an admin makes and uses an API key, and the viewer plays an encrypted title and
 * downloads it; then the log is searched for every secret those flows handled: passwords,
 * access and refresh tokens, the reset token, the API key, the playback token, content keys, the
 * offline licence, the password hash and the server's own secrets.
 */
describe('secrets in the logs', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const playbackSecret = randomBytes(32).toString('base64url');
  const masterKey = randomBytes(32).toString('base64');

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    h = await harness(
      undefined,
      { TRANSCODE_LADDER: '240:300', PLAYBACK_SECRET: playbackSecret, MEDIA_MASTER_KEY: masterKey },
      { logger: createLogger({ level: 'trace', pretty: false }, sink) },
    );
    scratch = await scratchDir();
    secrets.set('PLAYBACK_SECRET', playbackSecret);
    secrets.set('MEDIA_MASTER_KEY', masterKey);
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  const call = (method: 'GET' | 'POST', url: string, options: { headers?: object; payload?: object } = {}) =>
    h.context.app.inject({
      method,
      url,
      headers: { ...options.headers },
      ...(options.payload && { payload: options.payload }),
    });

  it('logs none of the secrets that pass through sign-up, sign-in, reset, API keys, playback and downloads', async () => {
    const email = uniqueEmail('secrets');
    const password = strongPassword();
    secrets.set('password', password);
    assert.equal(
      (await call('POST', '/api/auth/register', { payload: { email, password, name: 'S' } })).statusCode,
      202,
    );
    assert.equal(
      (await call('POST', '/api/auth/login', { payload: { email, password: `${password}-wrong` } }))
        .statusCode,
      401,
    );
    secrets.set('wrong password', `${password}-wrong`);
    const login = await call('POST', '/api/auth/login', { payload: { email, password } });
    assert.equal(login.statusCode, 200, login.body);
    const tokens = login.json<{ accessToken: string; refreshToken: string; user: { id: string } }>();
    secrets.set('access token', tokens.accessToken);
    secrets.set('refresh token', tokens.refreshToken);
    const refreshed = await call('POST', '/api/auth/refresh', {
      payload: { refreshToken: tokens.refreshToken },
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const fresh = refreshed.json<{ accessToken: string; refreshToken: string }>();
    secrets.set('refreshed access token', fresh.accessToken);
    secrets.set('refreshed refresh token', fresh.refreshToken);

    // Password reset, by mail.
    const requested = new Date(Date.now() - 1000);
    assert.equal(
      (await call('POST', '/api/auth/password-reset/request', { payload: { email } })).statusCode,
      202,
    );
    const mail = await waitForMail(h.context, email, { subject: /Reset/, after: requested });
    const resetToken = tokenIn(mail.textBody);
    secrets.set('reset token', resetToken);
    const newPassword = strongPassword();
    secrets.set('new password', newPassword);
    const reset = await call('POST', '/api/auth/password-reset/confirm', {
      payload: { token: resetToken, password: newPassword },
    });
    assert.ok(reset.statusCode < 300, reset.body);
    const hash = await h.context.deps.database.db
      .selectFrom('users')
      .select('passwordHash')
      .where('id', '=', tokens.user.id)
      .executeTakeFirstOrThrow();
    secrets.set('password hash', hash.passwordHash ?? '');
    const viewer = await call('POST', '/api/auth/login', { payload: { email, password: newPassword } });
    assert.equal(viewer.statusCode, 200, viewer.body);
    const headers = { authorization: `Bearer ${viewer.json<{ accessToken: string }>().accessToken}` };
    secrets.set('third access token', viewer.json<{ accessToken: string }>().accessToken);
    await h.context.deps.database.db
      .updateTable('users')
      .set({ planId: 'basic' })
      .where('email', '=', email)
      .execute();

    // An API key, made and used.
    const made = await call('POST', '/api/admin/api-keys', {
      headers: h.admin.headers,
      payload: { name: 'logs', scopes: ['audit:read'] },
    });
    assert.equal(made.statusCode, 201, made.body);
    const apiKey = made.json<{ key: string }>().key;
    secrets.set('API key', apiKey);
    assert.equal(
      (await call('GET', '/api/admin/audit', { headers: { 'x-api-key': apiKey } })).statusCode,
      200,
    );
    assert.equal(
      (await call('GET', '/api/admin/audit', { headers: { 'x-api-key': `${apiKey}x` } })).statusCode,
      401,
    );

    // Playback of an encrypted title: playlists, a key, a segment.
    const { movieId } = await publishedClip(h, { title: 'Secrets', dir: scratch.dir, seconds: 2 });
    const started = await call('POST', `/api/playback/${movieId}`, { headers });
    assert.equal(started.statusCode, 201, started.body);
    const stream = started.json<{ token: string; masterPlaylistUrl: string }>();
    secrets.set('playback token', stream.token);
    const masterPath = stream.masterPlaylistUrl.split('?')[0]!;
    const master = parse((await call('GET', stream.masterPlaylistUrl)).body) as types.MasterPlaylist;
    const mediaUrl = new URL(master.variants[0]!.uri, `http://x${masterPath}`);
    const media = parse((await call('GET', mediaUrl.pathname + mediaUrl.search)).body) as types.MediaPlaylist;
    const key = await call('GET', media.segments[0]!.key!.uri!);
    assert.equal(key.statusCode, 200, key.body);
    // A refused request is logged (quiet routes are logged when they fail): not its token.
    const refused = await call('GET', `/api/keys/00000000-0000-4000-8000-000000000000?token=${stream.token}`);
    assert.ok(refused.statusCode >= 400);
    secrets.set('content key (hex)', key.rawPayload.toString('hex'));
    secrets.set('content key (base64)', key.rawPayload.toString('base64'));

    // An offline download and its licence.
    const device = await call('POST', '/api/downloads/devices', {
      headers,
      payload: {
        name: 'Phone',
        publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
      },
    });
    assert.equal(device.statusCode, 201, device.body);
    const download = await call('POST', `/api/downloads/${movieId}`, {
      headers,
      payload: { deviceId: device.json<{ id: string }>().id },
    });
    assert.equal(download.statusCode, 201, download.body);
    const licence = download.json<{ licence: { body: string; signature: string } }>().licence;
    secrets.set('licence signature', licence.signature);

    const log = lines.join('');
    assert.ok(lines.length > 20, `the flows were logged (${lines.length} lines)`);
    if (process.env.SHOW_LOG) console.log(log);
    assert.match(log, /\/api\/auth\/login/, 'requests are in the log');
    for (const [name, secret] of secrets) {
      assert.ok(secret.length >= 8, `${name} is a real secret`);
      assert.ok(!log.includes(secret), `the log holds the ${name}`);
    }
  });
});
