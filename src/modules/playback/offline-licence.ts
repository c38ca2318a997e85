import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { deviceKeyThumbprint, parseDevicePublicKey, type DevicePublicKeyInput } from './device-keys.ts';
import { DownloadLicenceExpired, DownloadLicenceInvalid } from './playback.errors.ts';

/**
 * Offline licences: the content keys of one download, wrapped so that only the device that
 * registered the key can open them, in a body signed by us.
 *
 * Wrapping is ECDH-ES (RFC 7518 §4.6 in spirit): a fresh P-256 key pair per licence, agreement
 * with the device's public key, HKDF-SHA256 (RFC 5869) bound to the licence and both public
 * keys, then AES-256-GCM per content key with the key id as authenticated data, so a wrapped key
 * moved to another id fails. The body is signed with Ed25519, not an HMAC: the device runtime
 * must check the licence came from us, and an HMAC secret shipped in every app would let anyone
 * mint licences. Ed25519 is what our JWT signing keys already are (identity/signing-keys.ts).
 *
 * issueOfflineLicence runs on the server; openOfflineLicence is what a player runtime does (here
 * for tests and as the reference for client teams).
 */

export const OFFLINE_LICENCE_FORMAT = 'marquee-offline-licence/v1';
/** Once played, a download stays playable for 48 hours (or until the licence expires, if sooner). */
export const DEFAULT_PLAY_WINDOW_SECONDS = 48 * 3600;

export interface OfflineContentKey {
  keyId: string;
  /** AES-128 key: 16 bytes. */
  key: Uint8Array;
  /** The segments' IV (as in EXT-X-KEY): 16 bytes, not secret. */
  iv: Uint8Array;
}

export interface OfflineLicenceClaims {
  downloadId: string;
  userId: string;
  deviceId: string;
  itemId: string;
  assetId: string;
  maxHeight: number;
  issuedAt: Date;
  expiresAt: Date;
  playWindowSeconds: number;
  /** RFC 7638 thumbprint of the device key the content keys are wrapped for. */
  deviceKeyThumbprint: string;
}

export interface OfflineLicence {
  format: typeof OFFLINE_LICENCE_FORMAT;
  /** Id of the Ed25519 key that signed `body`. */
  kid: string;
  /** base64url of the body JSON; the signature is over these exact characters. */
  body: string;
  /** base64url Ed25519 signature. */
  signature: string;
}

export interface LicenceSigner {
  kid: string;
  /** An Ed25519 private key. */
  privateKey: KeyObject;
}

export interface TrustedLicenceKey {
  kid: string;
  /** An Ed25519 public key. */
  publicKey: KeyObject;
}

interface WrappedKey {
  kid: string;
  iv: string;
  nonce: string;
  /** Ciphertext ‖ 16-byte tag, base64url. */
  ct: string;
}

interface LicenceBody {
  v: 1;
  lid: string;
  sub: string;
  dev: string;
  item: string;
  asset: string;
  maxH: number;
  iat: number;
  exp: number;
  pw: number;
  dkt: string;
  /** The ephemeral public key, JWK. */
  epk: JsonWebKey;
  keys: WrappedKey[];
}

export function issueOfflineLicence(options: {
  devicePublicKey: DevicePublicKeyInput;
  contentKeys: readonly OfflineContentKey[];
  claims: Omit<OfflineLicenceClaims, 'issuedAt' | 'deviceKeyThumbprint' | 'playWindowSeconds'> & {
    playWindowSeconds?: number;
  };
  signer: LicenceSigner;
  now: Date;
}): OfflineLicence {
  const { contentKeys, claims, signer, now } = options;
  const deviceKey = parseDevicePublicKey(options.devicePublicKey);
  const playWindowSeconds = claims.playWindowSeconds ?? DEFAULT_PLAY_WINDOW_SECONDS;
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.floor(claims.expiresAt.getTime() / 1000);
  if (contentKeys.length === 0) throw new RangeError('a licence needs at least one content key');
  if (!(exp > iat)) throw new RangeError('the licence must expire after it is issued');
  if (!Number.isInteger(playWindowSeconds) || playWindowSeconds <= 0) {
    throw new RangeError('playWindowSeconds must be a positive integer');
  }
  if (!Number.isInteger(claims.maxHeight) || claims.maxHeight <= 0)
    throw new RangeError('maxHeight must be positive');
  assertEd25519(signer.privateKey, 'private');

  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const epk = ephemeral.publicKey.export({ format: 'jwk' });
  const dkt = deviceKeyThumbprint(deviceKey);
  const kek = keyEncryptionKey({
    secret: diffieHellman({ privateKey: ephemeral.privateKey, publicKey: deviceKey }),
    downloadId: claims.downloadId,
    ephemeralThumbprint: deviceKeyThumbprint(ephemeral.publicKey),
    deviceThumbprint: dkt,
  });
  const keys = contentKeys.map(({ keyId, key, iv }): WrappedKey => {
    if (keyId === '' || key.length !== 16 || iv.length !== 16) {
      throw new RangeError(`content key ${keyId}: needs an id, a 16-byte key and a 16-byte IV`);
    }
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce, { authTagLength: 16 });
    cipher.setAAD(keyAad(keyId));
    const ct = Buffer.concat([cipher.update(key), cipher.final(), cipher.getAuthTag()]);
    return {
      kid: keyId,
      iv: Buffer.from(iv).toString('hex'),
      nonce: nonce.toString('base64url'),
      ct: ct.toString('base64url'),
    };
  });
  const body: LicenceBody = {
    v: 1,
    lid: claims.downloadId,
    sub: claims.userId,
    dev: claims.deviceId,
    item: claims.itemId,
    asset: claims.assetId,
    maxH: claims.maxHeight,
    iat,
    exp,
    pw: playWindowSeconds,
    dkt,
    epk,
    keys,
  };
  const encoded = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  const signature = sign(null, Buffer.from(encoded, 'ascii'), signer.privateKey).toString('base64url');
  return { format: OFFLINE_LICENCE_FORMAT, kid: signer.kid, body: encoded, signature };
}

/**
 * The claims of a licence whose signature verifies, without opening its keys: what the server
 * reads when a device renews or returns a download. Throws DOWNLOAD_LICENCE_INVALID.
 */
export function readOfflineLicence(options: {
  licence: OfflineLicence;
  trustedKeys: readonly TrustedLicenceKey[];
}): OfflineLicenceClaims {
  return toClaims(verifiedBody(options));
}

/**
 * What a player runtime does before playing a download: check our signature, that the licence is
 * for this device, that it hasn't expired and that the play window (counted from
 * `firstPlayedAt`, which the runtime records on first play) is still open; then unwrap the keys.
 * Throws DOWNLOAD_LICENCE_INVALID or DOWNLOAD_LICENCE_EXPIRED.
 */
export function openOfflineLicence(options: {
  licence: OfflineLicence;
  devicePrivateKey: KeyObject;
  trustedKeys: readonly TrustedLicenceKey[];
  now: Date;
  firstPlayedAt?: Date;
}): { claims: OfflineLicenceClaims; contentKeys: OfflineContentKey[]; playableUntil: Date } {
  const { devicePrivateKey, now, firstPlayedAt } = options;
  const body = verifiedBody(options);
  const claims = toClaims(body);
  const devicePublicKey = createPublicKey(devicePrivateKey);
  if (deviceKeyThumbprint(parseDevicePublicKey(devicePublicKey)) !== body.dkt) {
    throw DownloadLicenceInvalid('this licence was issued for another device');
  }
  if (now.getTime() >= body.exp * 1000) throw DownloadLicenceExpired('the licence has expired');
  const windowEnd = (firstPlayedAt ?? now).getTime() + body.pw * 1000;
  if (firstPlayedAt && now.getTime() >= windowEnd) {
    throw DownloadLicenceExpired('the play window after the first play has ended');
  }
  let kek: Buffer;
  try {
    const ephemeral = parseDevicePublicKey(body.epk);
    kek = keyEncryptionKey({
      secret: diffieHellman({ privateKey: devicePrivateKey, publicKey: ephemeral }),
      downloadId: body.lid,
      ephemeralThumbprint: deviceKeyThumbprint(ephemeral),
      deviceThumbprint: body.dkt,
    });
  } catch {
    throw DownloadLicenceInvalid('the licence key agreement failed');
  }
  const contentKeys = body.keys.map(({ kid, iv, nonce, ct }): OfflineContentKey => {
    const sealed = Buffer.from(ct, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(nonce, 'base64url'), {
        authTagLength: 16,
      });
      decipher.setAAD(keyAad(kid));
      decipher.setAuthTag(sealed.subarray(-16));
      const key = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
      return { keyId: kid, key, iv: Buffer.from(iv, 'hex') };
    } catch {
      throw DownloadLicenceInvalid(`content key ${kid} failed authentication`);
    }
  });
  return { claims, contentKeys, playableUntil: new Date(Math.min(body.exp * 1000, windowEnd)) };
}

function verifiedBody(options: {
  licence: OfflineLicence;
  trustedKeys: readonly TrustedLicenceKey[];
}): LicenceBody {
  const { licence, trustedKeys } = options;
  if (licence.format !== OFFLINE_LICENCE_FORMAT) throw DownloadLicenceInvalid('unknown licence format');
  const issuer = trustedKeys.find((key) => key.kid === licence.kid);
  if (!issuer) throw DownloadLicenceInvalid('the licence was signed by an unknown key');
  assertEd25519(issuer.publicKey, 'public');
  const signed = typeof licence.body === 'string' && typeof licence.signature === 'string';
  if (
    !signed ||
    !verify(
      null,
      Buffer.from(licence.body, 'ascii'),
      issuer.publicKey,
      Buffer.from(licence.signature, 'base64url'),
    )
  ) {
    throw DownloadLicenceInvalid('the licence signature does not verify');
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(licence.body, 'base64url').toString('utf8'));
  } catch {
    throw DownloadLicenceInvalid('the licence body is malformed');
  }
  if (!isBody(body)) throw DownloadLicenceInvalid('the licence body is malformed');
  return body;
}

function toClaims(body: LicenceBody): OfflineLicenceClaims {
  return {
    downloadId: body.lid,
    userId: body.sub,
    deviceId: body.dev,
    itemId: body.item,
    assetId: body.asset,
    maxHeight: body.maxH,
    issuedAt: new Date(body.iat * 1000),
    expiresAt: new Date(body.exp * 1000),
    playWindowSeconds: body.pw,
    deviceKeyThumbprint: body.dkt,
  };
}

function keyEncryptionKey(options: {
  secret: Buffer;
  downloadId: string;
  ephemeralThumbprint: string;
  deviceThumbprint: string;
}): Buffer {
  // Both public keys in the info, as NIST SP 800-56A §5.8 asks, so the key is bound to this pair.
  const info = JSON.stringify([
    OFFLINE_LICENCE_FORMAT,
    options.downloadId,
    options.ephemeralThumbprint,
    options.deviceThumbprint,
  ]);
  return Buffer.from(hkdfSync('sha256', options.secret, Buffer.alloc(0), info, 32));
}

const keyAad = (keyId: string) => Buffer.from(`marquee/offline-key/v1/${keyId}`, 'utf8');

function assertEd25519(key: KeyObject, type: 'public' | 'private'): void {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== type) {
    throw new TypeError(
      `the licence ${type === 'private' ? 'signing' : 'verification'} key must be an Ed25519 ${type} key`,
    );
  }
}

function isBody(value: unknown): value is LicenceBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  const integer = (v: unknown) => Number.isInteger(v);
  return (
    body.v === 1 &&
    ['lid', 'sub', 'dev', 'item', 'asset', 'dkt'].every((key) => text(body[key])) &&
    ['maxH', 'iat', 'exp', 'pw'].every((key) => integer(body[key])) &&
    typeof body.epk === 'object' &&
    body.epk !== null &&
    Array.isArray(body.keys) &&
    body.keys.length > 0 &&
    body.keys.every(
      (key: unknown) =>
        typeof key === 'object' &&
        key !== null &&
        ['kid', 'iv', 'nonce', 'ct'].every((name) => text((key as Record<string, unknown>)[name])),
    )
  );
}
