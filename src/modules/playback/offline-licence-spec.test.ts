import assert from 'node:assert/strict';
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import {
  issueOfflineLicence,
  OFFLINE_LICENCE_FORMAT,
  openOfflineLicence,
  type OfflineLicence,
} from './offline-licence.ts';

/**
 * docs/OFFLINE-LICENCE.md against the code. The document's test vector must open with the
 * server's runtime; a player written from the document alone (below: node:crypto primitives and
 * nothing of offline-licence.ts) must open the vector through the documented intermediate values
 * and must open licences the code issues today. A change to either side fails here.
 */

interface Vector {
  signingPublicKey: JsonWebKey & { kid: string };
  devicePrivateKey: JsonWebKey;
  now: string;
  licence: OfflineLicence;
  body: Record<string, unknown>;
  derivation: {
    ephemeralKeyThumbprint: string;
    deviceKeyThumbprint: string;
    sharedSecret: string;
    hkdfInfo: string;
    keyEncryptionKey: string;
  };
  contentKeys: Array<{ keyId: string; key: string; iv: string }>;
}

interface DocumentedKey {
  kid: string;
  iv: string;
  nonce: string;
  ct: string;
}

const DOCUMENTED_FORMAT = 'marquee-offline-licence/v1';
const documentedAad = (kid: string) => `marquee/offline-key/v1/${kid}`;

/** §3.1: RFC 7638 thumbprint of a P-256 public JWK. */
const thumbprint = (jwk: JsonWebKey) =>
  createHash('sha256')
    .update(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`)
    .digest('base64url');

/** A player's reading of the licence, step by step as docs/OFFLINE-LICENCE.md §3 says. */
function openAsDocumented(options: {
  licence: OfflineLicence;
  jwks: ReadonlyArray<JsonWebKey & { kid: string }>;
  devicePrivateKey: JsonWebKey;
  now: Date;
}) {
  const { licence, jwks, devicePrivateKey, now } = options;
  // §3.4.1: format, signing key, signature over the ASCII bytes of `body`.
  if (licence.format !== DOCUMENTED_FORMAT) throw new Error('unknown format');
  const signingJwk = jwks.find((key) => key.kid === licence.kid);
  if (!signingJwk || signingJwk.kty !== 'OKP' || signingJwk.crv !== 'Ed25519') throw new Error('unknown key');
  const signed = verify(
    null,
    Buffer.from(licence.body, 'ascii'),
    createPublicKey({ key: signingJwk, format: 'jwk' }),
    Buffer.from(licence.signature, 'base64url'),
  );
  if (!signed) throw new Error('bad signature');
  // §3.4.2–4.
  const body = JSON.parse(Buffer.from(licence.body, 'base64url').toString('utf8')) as {
    v: number;
    lid: string;
    exp: number;
    dkt: string;
    epk: JsonWebKey;
    keys: DocumentedKey[];
  };
  if (body.v !== 1) throw new Error('unknown body version');
  const { d: _private, ...devicePublicKey } = devicePrivateKey;
  if (body.dkt !== thumbprint(devicePublicKey)) throw new Error('for another device');
  if (now.getTime() >= body.exp * 1000) throw new Error('expired');
  // §3.2: Z, info, KEK (an empty salt is 32 zero bytes: use those, as RFC 5869 §2.2 says).
  const sharedSecret = diffieHellman({
    privateKey: createPrivateKey({ key: devicePrivateKey, format: 'jwk' }),
    publicKey: createPublicKey({ key: body.epk, format: 'jwk' }),
  });
  const hkdfInfo = JSON.stringify([DOCUMENTED_FORMAT, body.lid, thumbprint(body.epk), body.dkt]);
  const kek = Buffer.from(hkdfSync('sha256', sharedSecret, Buffer.alloc(32), hkdfInfo, 32));
  // §3.3: AES-256-GCM, ct = ciphertext ‖ 16-byte tag, AAD names the key id; IVs in hex.
  const contentKeys = body.keys.map((entry) => ({
    keyId: entry.kid,
    key: unwrap(kek, entry).toString('hex'),
    iv: Buffer.from(entry.iv, 'hex').toString('hex'),
  }));
  return {
    body,
    derivation: {
      ephemeralKeyThumbprint: thumbprint(body.epk),
      deviceKeyThumbprint: body.dkt,
      sharedSecret: sharedSecret.toString('hex'),
      hkdfInfo,
      keyEncryptionKey: kek.toString('hex'),
    },
    contentKeys,
  };
}

function unwrap(kek: Buffer, entry: DocumentedKey, aadKid = entry.kid): Buffer {
  const sealed = Buffer.from(entry.ct, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(entry.nonce, 'base64url'));
  decipher.setAAD(Buffer.from(documentedAad(aadKid), 'utf8'));
  decipher.setAuthTag(sealed.subarray(-16));
  return Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
}

describe('docs/OFFLINE-LICENCE.md', () => {
  let doc: string;
  let vector: Vector;

  before(async () => {
    doc = await readFile(new URL('../../../docs/OFFLINE-LICENCE.md', import.meta.url), 'utf8');
    const marker = doc.indexOf('<!-- offline-licence-test-vector -->');
    assert.ok(marker > 0, 'the test vector’s marker is in the document');
    const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(marker));
    assert.ok(block?.[1], 'the test vector follows its marker');
    vector = JSON.parse(block[1]) as Vector;
  });

  it('documents the format, the HKDF info, the AAD and the encodings the code uses', () => {
    assert.equal(OFFLINE_LICENCE_FORMAT, DOCUMENTED_FORMAT);
    for (const phrase of [
      `\`format: "${DOCUMENTED_FORMAT}"\``,
      '`["marquee-offline-licence/v1","<lid>","<thumbprint of epk>","<dkt>"]`',
      '**empty salt**',
      '`marquee/offline-key/v1/<kid>`',
      '**ciphertext followed by its 16-byte tag**',
      'in **hex**',
      '**the ASCII bytes of `body` as sent**',
      'GET /.well-known/jwks.json',
    ]) {
      assert.ok(doc.includes(phrase), `the document says ${phrase}`);
    }
  });

  it('the vector opens with the server’s runtime to the documented keys and claims', () => {
    const opened = openOfflineLicence({
      licence: vector.licence,
      devicePrivateKey: createPrivateKey({ key: vector.devicePrivateKey, format: 'jwk' }),
      trustedKeys: [
        {
          kid: vector.signingPublicKey.kid,
          publicKey: createPublicKey({ key: vector.signingPublicKey, format: 'jwk' }),
        },
      ],
      now: new Date(vector.now),
    });
    assert.deepEqual(
      opened.contentKeys.map((key) => ({
        keyId: key.keyId,
        key: Buffer.from(key.key).toString('hex'),
        iv: Buffer.from(key.iv).toString('hex'),
      })),
      vector.contentKeys,
    );
    assert.equal(opened.claims.downloadId, vector.body.lid);
    assert.equal(opened.claims.maxHeight, vector.body.maxH);
    assert.equal(opened.claims.expiresAt.getTime(), (vector.body.exp as number) * 1000);
    assert.equal(opened.claims.playWindowSeconds, vector.body.pw);
  });

  it('the vector opens step by step as documented, through the documented intermediate values', () => {
    const opened = openAsDocumented({
      licence: vector.licence,
      jwks: [vector.signingPublicKey],
      devicePrivateKey: vector.devicePrivateKey,
      now: new Date(vector.now),
    });
    assert.deepEqual(opened.body, vector.body, '`body` is licence.body decoded');
    assert.deepEqual(opened.derivation, vector.derivation);
    assert.deepEqual(opened.contentKeys, vector.contentKeys);
  });

  it('opens a licence the code issues today, as documented', () => {
    const signing = generateKeyPairSync('ed25519');
    const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const contentKeys = [1, 2, 3].map((n) => ({
      keyId: `key-${n}`,
      key: randomBytes(16),
      iv: randomBytes(16),
    }));
    const now = new Date('2026-06-01T00:00:00Z');
    const licence = issueOfflineLicence({
      devicePublicKey: device.publicKey,
      contentKeys,
      claims: {
        downloadId: 'download-1',
        userId: 'user-1',
        deviceId: 'device-1',
        itemId: 'item-1',
        assetId: 'asset-1',
        maxHeight: 480,
        expiresAt: new Date(now.getTime() + 86_400_000),
      },
      signer: { kid: 'signing-1', privateKey: signing.privateKey },
      now,
    });
    const jwks = [{ ...signing.publicKey.export({ format: 'jwk' }), kid: 'signing-1' }];
    const devicePrivateKey = device.privateKey.export({ format: 'jwk' });
    const opened = openAsDocumented({ licence, jwks, devicePrivateKey, now });
    assert.deepEqual(
      opened.contentKeys,
      contentKeys.map((key) => ({
        keyId: key.keyId,
        key: key.key.toString('hex'),
        iv: key.iv.toString('hex'),
      })),
    );

    // What the document says is refused, is.
    const edited = {
      ...licence,
      body: `${licence.body.slice(0, -2)}${licence.body.slice(-2) === 'AA' ? 'AB' : 'AA'}`,
    };
    assert.throws(() => openAsDocumented({ licence: edited, jwks, devicePrivateKey, now }), /bad signature/);
    const otherDevice = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'jwk',
    });
    assert.throws(
      () => openAsDocumented({ licence, jwks, devicePrivateKey: otherDevice, now }),
      /another device/,
    );
    assert.throws(
      () => openAsDocumented({ licence, jwks, devicePrivateKey, now: new Date(now.getTime() + 86_400_000) }),
      /expired/,
    );
    const kek = Buffer.from(opened.derivation.keyEncryptionKey, 'hex');
    const [first, second] = opened.body.keys as [DocumentedKey, DocumentedKey];
    assert.throws(() => unwrap(kek, first, second.kid), /authenticate/, 'a wrapped key moved to another id');
  });
});
