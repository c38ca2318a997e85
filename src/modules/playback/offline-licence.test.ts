import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { deviceKeyThumbprint, parseDevicePublicKey } from './device-keys.ts';
import { assertLicenceRenewable, licenceRenewal } from './licence-renewal.ts';
import {
  issueOfflineLicence,
  openOfflineLicence,
  readOfflineLicence,
  type OfflineLicence,
} from './offline-licence.ts';
import {
  DeviceKeyInvalid,
  DownloadLicenceExpired,
  DownloadLicenceInvalid,
  DownloadNotRenewable,
} from './playback.errors.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const device = p256();
const otherDevice = p256();
const issuerKeys = generateKeyPairSync('ed25519');
const signer = { kid: 'lic-2026-03', privateKey: issuerKeys.privateKey };
const trustedKeys = [{ kid: 'lic-2026-03', publicKey: issuerKeys.publicKey }];
const now = new Date('2026-03-01T12:00:00Z');
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);
const contentKeys = [
  { keyId: randomUUID(), key: randomBytes(16), iv: randomBytes(16) },
  { keyId: randomUUID(), key: randomBytes(16), iv: randomBytes(16) },
];
const claims = {
  downloadId: 'dl-1',
  userId: 'user-1',
  deviceId: 'device-1',
  itemId: 'item-1',
  assetId: 'asset-1',
  maxHeight: 720,
  expiresAt: hours(24 * 30),
};
const licence = issueOfflineLicence({
  devicePublicKey: device.publicKey.export({ format: 'jwk' }),
  contentKeys,
  claims,
  signer,
  now,
});
const open = (
  options: {
    licence?: OfflineLicence;
    at?: Date;
    firstPlayedAt?: Date;
    privateKey?: typeof device.privateKey;
  } = {},
) =>
  openOfflineLicence({
    licence: options.licence ?? licence,
    devicePrivateKey: options.privateKey ?? device.privateKey,
    trustedKeys,
    now: options.at ?? hours(1),
    firstPlayedAt: options.firstPlayedAt,
  });
const invalid = (error: unknown) => DownloadLicenceInvalid.is(error);
const expired = (error: unknown) => DownloadLicenceExpired.is(error);

describe('offline licences', () => {
  it('open on the registered device with every key, id and IV', () => {
    const opened = open();
    assert.deepEqual(
      opened.contentKeys.map(({ keyId, key, iv }) => [
        keyId,
        Buffer.from(key).toString('hex'),
        Buffer.from(iv).toString('hex'),
      ]),
      contentKeys.map(({ keyId, key, iv }) => [keyId, key.toString('hex'), iv.toString('hex')]),
    );
    assert.equal(opened.claims.downloadId, 'dl-1');
    assert.equal(opened.claims.maxHeight, 720);
    assert.equal(opened.claims.playWindowSeconds, 48 * 3600);
    assert.deepEqual(opened.claims.expiresAt, claims.expiresAt);
    assert.equal(opened.claims.deviceKeyThumbprint, deviceKeyThumbprint(device.publicKey));
    assert.deepEqual(opened.playableUntil, hours(1 + 48), 'not played yet: 48 h from now');
  });

  it('never carry a content key in the clear', () => {
    const text = JSON.stringify(licence) + Buffer.from(licence.body, 'base64url').toString();
    for (const { key } of contentKeys) {
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        assert.ok(!text.includes(key.toString(encoding)));
    }
  });

  it('are readable by the server without the device key, but only when signed by a trusted key', () => {
    assert.equal(readOfflineLicence({ licence, trustedKeys }).deviceId, 'device-1');
    const stranger = [{ kid: 'lic-2026-03', publicKey: generateKeyPairSync('ed25519').publicKey }];
    assert.throws(() => readOfflineLicence({ licence, trustedKeys: stranger }), invalid);
    assert.throws(() => readOfflineLicence({ licence: { ...licence, kid: 'old' }, trustedKeys }), invalid);
  });

  it("refuse another device's key", () => {
    assert.throws(() => open({ privateKey: otherDevice.privateKey }), invalid);
  });

  describe('expiry and the play window', () => {
    const cases: Array<[string, Date, Date | undefined, 'ok' | 'expired', Date?]> = [
      [
        'unplayed, a month less a minute in',
        new Date(claims.expiresAt.getTime() - 60_000),
        undefined,
        'ok',
        claims.expiresAt,
      ],
      ['at expiresAt', claims.expiresAt, undefined, 'expired'],
      ['played an hour ago', hours(3), hours(2), 'ok', hours(50)],
      ['47 h 59 min after the first play', hours(2 + 47.99), hours(2), 'ok', hours(50)],
      ['48 h after the first play', hours(50), hours(2), 'expired'],
      [
        'first played just before expiry: expiry wins',
        hours(24 * 30 - 0.5),
        hours(24 * 30 - 1),
        'ok',
        claims.expiresAt,
      ],
    ];
    for (const [name, at, firstPlayedAt, outcome, playableUntil] of cases) {
      it(name, () => {
        if (outcome === 'expired') assert.throws(() => open({ at, firstPlayedAt }), expired);
        else assert.deepEqual(open({ at, firstPlayedAt }).playableUntil, playableUntil);
      });
    }
  });

  describe('tampering', () => {
    const body = JSON.parse(Buffer.from(licence.body, 'base64url').toString()) as Record<string, unknown> & {
      keys: Array<Record<string, string>>;
    };
    const reencode = (changes: Record<string, unknown>) => ({
      ...licence,
      body: Buffer.from(JSON.stringify({ ...body, ...changes })).toString('base64url'),
    });
    const flipLast = (text: string) => text.slice(0, -2) + (text.at(-2) === 'A' ? 'B' : 'A') + text.at(-1);
    const cases: Array<[string, OfflineLicence]> = [
      ['a later expiry', reencode({ exp: (body.exp as number) + 86_400 })],
      ['a longer play window', reencode({ pw: 10 ** 9 })],
      ['a higher maxH', reencode({ maxH: 2160 })],
      ['another device thumbprint', reencode({ dkt: deviceKeyThumbprint(otherDevice.publicKey) })],
      ['a swapped pair of keys', reencode({ keys: [...body.keys].reverse() })],
      ['a flipped body character', { ...licence, body: flipLast(licence.body) }],
      ['a flipped signature character', { ...licence, signature: flipLast(licence.signature) }],
      ['an empty signature', { ...licence, signature: '' }],
      ['another format', { ...licence, format: 'x' as OfflineLicence['format'] }],
    ];
    for (const [name, tampered] of cases) {
      it(`refuse ${name}`, () => assert.throws(() => open({ licence: tampered }), invalid));
    }

    it('refuse a re-signed body whose wrapped key was moved to another id (AEAD)', () => {
      // Even someone holding our signing key can't move a wrapped key to another key id.
      const [first, second] = body.keys as [Record<string, string>, Record<string, string>];
      const swapped = {
        ...body,
        keys: [
          { ...first, kid: second.kid },
          { ...second, kid: first.kid },
        ],
      };
      const encoded = Buffer.from(JSON.stringify(swapped)).toString('base64url');
      const signature = sign(null, Buffer.from(encoded, 'ascii'), issuerKeys.privateKey).toString(
        'base64url',
      );
      assert.throws(
        () => open({ licence: { ...licence, body: encoded, signature } }),
        (error) => invalid(error) && /failed authentication/.test((error as Error).message),
      );
    });
  });

  it('refuse bad inputs when issuing', () => {
    const base = { devicePublicKey: device.publicKey, contentKeys, claims, signer, now };
    assert.throws(() => issueOfflineLicence({ ...base, contentKeys: [] }), /at least one/);
    assert.throws(
      () => issueOfflineLicence({ ...base, contentKeys: [{ ...contentKeys[0]!, key: randomBytes(32) }] }),
      /16-byte/,
    );
    assert.throws(
      () => issueOfflineLicence({ ...base, claims: { ...claims, expiresAt: now } }),
      /expire after/,
    );
    assert.throws(
      () => issueOfflineLicence({ ...base, signer: { kid: 'x', privateKey: device.privateKey } }),
      /Ed25519/,
    );
  });
});

describe('device keys', () => {
  it('accept P-256 public keys as JWK, SPKI DER or KeyObject, with one thumbprint', () => {
    const jwk = device.publicKey.export({ format: 'jwk' });
    const spki = device.publicKey.export({ format: 'der', type: 'spki' });
    const thumbprints = [jwk, spki, device.publicKey].map((input) =>
      deviceKeyThumbprint(parseDevicePublicKey(input)),
    );
    assert.equal(new Set(thumbprints).size, 1);
    assert.match(thumbprints[0]!, /^[\w-]{43}$/);
  });

  it('thumbprint in RFC 7638 canonical form (crv, kty, x, y)', () => {
    // §3.2: the required members only, sorted, no whitespace.
    const jwk = device.publicKey.export({ format: 'jwk' });
    const expected = createHash('sha256')
      .update(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`)
      .digest('base64url');
    assert.equal(deviceKeyThumbprint(device.publicKey), expected);
  });

  const jwk = device.publicKey.export({ format: 'jwk' });
  const refused: Array<[string, Parameters<typeof parseDevicePublicKey>[0]]> = [
    ['a private JWK', device.privateKey.export({ format: 'jwk' })],
    ['a private KeyObject', device.privateKey],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })],
    ['an X25519 key', generateKeyPairSync('x25519').publicKey],
    ['an Ed25519 key', issuerKeys.publicKey],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }),
    ],
    ['a point off the curve', { ...jwk, y: Buffer.alloc(32, 7).toString('base64url') }],
    ['garbage DER', randomBytes(91)],
    ['an empty JWK', {}],
  ];
  for (const [name, input] of refused) {
    it(`refuse ${name} as DEVICE_KEY_INVALID`, () => {
      assert.throws(
        () => parseDevicePublicKey(input),
        (error) => DeviceKeyInvalid.is(error),
      );
    });
  }

  it('refuse to issue a licence for an invalid device key', () => {
    assert.throws(
      () =>
        issueOfflineLicence({ devicePublicKey: { ...jwk, crv: 'P-521' }, contentKeys, claims, signer, now }),
      (error) => DeviceKeyInvalid.is(error),
    );
  });
});

describe('licenceRenewal', () => {
  const cases: Array<
    [
      string,
      {
        deviceRevoked: boolean;
        downloadReturned: boolean;
        planAllowsDownloads: boolean;
        planCoversQuality?: boolean;
        withinPlanCap?: boolean;
      },
      string | undefined,
    ]
  > = [
    ['all good', { deviceRevoked: false, downloadReturned: false, planAllowsDownloads: true }, undefined],
    [
      'device revoked',
      { deviceRevoked: true, downloadReturned: false, planAllowsDownloads: true },
      'DEVICE_REVOKED',
    ],
    [
      'download returned',
      { deviceRevoked: false, downloadReturned: true, planAllowsDownloads: true },
      'DOWNLOAD_RETURNED',
    ],
    [
      'plan downgraded',
      { deviceRevoked: false, downloadReturned: false, planAllowsDownloads: false },
      'PLAN_EXCLUDES_DOWNLOADS',
    ],
    [
      'everything wrong: the device first',
      { deviceRevoked: true, downloadReturned: true, planAllowsDownloads: false },
      'DEVICE_REVOKED',
    ],
    [
      'a plan that no longer reaches the download’s quality',
      { deviceRevoked: false, downloadReturned: false, planAllowsDownloads: true, planCoversQuality: false },
      'PLAN_BELOW_DOWNLOAD_QUALITY',
    ],
    [
      'beyond a cap the plan lowered',
      { deviceRevoked: false, downloadReturned: false, planAllowsDownloads: true, withinPlanCap: false },
      'PLAN_DOWNLOAD_CAP',
    ],
    [
      'returned on a downgraded plan',
      { deviceRevoked: false, downloadReturned: true, planAllowsDownloads: false },
      'DOWNLOAD_RETURNED',
    ],
  ];
  for (const [name, facts, reason] of cases) {
    it(name, () => {
      const decision = licenceRenewal(facts);
      assert.deepEqual(decision, reason === undefined ? { allowed: true } : { allowed: false, reason });
      if (reason === undefined) assert.doesNotThrow(() => assertLicenceRenewable(facts));
      else {
        assert.throws(
          () => assertLicenceRenewable(facts),
          (error) =>
            DownloadNotRenewable.is(error) &&
            (error as { extensions: { reason: string } }).extensions.reason === reason,
        );
      }
    });
  }
});
