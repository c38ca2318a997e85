import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { cloudFrontCustomPolicy, cloudFrontSignedCookies, cloudFrontSignedUrl } from './cloudfront.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const keyPairId = 'K2JCJMDEHXQW5F';
const expiresAt = new Date('2026-03-01T16:00:00.700Z');
const epoch = Math.floor(expiresAt.getTime() / 1000);

interface PolicyStatement {
  Resource: string;
  Condition: {
    DateLessThan: { 'AWS:EpochTime': number };
    IpAddress?: { 'AWS:SourceIp': string };
  };
}

/** CloudFront's base64: '+' → '-', '=' → '_', '/' → '~'. */
const fromCloudFrontBase64 = (text: string) =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

/** What the edge does: RSA-SHA1 over the policy bytes, with our public key. */
const edgeAccepts = (options: { policy: string; signature: string; key?: typeof publicKey }) =>
  createVerify('RSA-SHA1')
    .update(options.policy)
    .verify(options.key ?? publicKey, fromCloudFrontBase64(options.signature));

describe('CloudFront signed URLs (canned policy)', () => {
  const url = 'https://d111111abcdef8.cloudfront.net/media/asset-1/master.m3u8';
  const signed = new URL(cloudFrontSignedUrl({ url, keyPairId, privateKey: privatePem, expiresAt }));
  const cannedPolicy = (resource: string, expires: number) =>
    JSON.stringify({
      Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }],
    });

  it('carry Expires (whole seconds, never rounded up), Key-Pair-Id and a signature the public key verifies', () => {
    assert.equal(signed.searchParams.get('Expires'), String(epoch));
    assert.equal(signed.searchParams.get('Key-Pair-Id'), keyPairId);
    const signature = signed.searchParams.get('Signature')!;
    assert.match(signature, /^[A-Za-z0-9~_-]+$/, 'CloudFront base64 has no + = /');
    assert.equal(edgeAccepts({ policy: cannedPolicy(url, epoch), signature }), true);
  });

  const signature = signed.searchParams.get('Signature')!;
  const tampered: Array<[string, string, string]> = [
    ['a later expiry', cannedPolicy(url, epoch + 3600), signature],
    ['another URL', cannedPolicy(url.replace('asset-1', 'asset-2'), epoch), signature],
    ['a wildcard', cannedPolicy(url.replace('master.m3u8', '*'), epoch), signature],
    [
      'a flipped signature character',
      cannedPolicy(url, epoch),
      signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    ],
  ];
  for (const [name, policy, candidate] of tampered) {
    it(`fail verification with ${name}`, () => {
      assert.equal(edgeAccepts({ policy, signature: candidate }), false);
    });
  }

  it('fail verification under another key pair', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.equal(edgeAccepts({ policy: cannedPolicy(url, epoch), signature, key: other }), false);
  });

  it('refuse wildcards and relative URLs', () => {
    for (const bad of ['https://d1.cloudfront.net/media/*', '/media/x.m3u8']) {
      assert.throws(
        () => cloudFrontSignedUrl({ url: bad, keyPairId, privateKey: privatePem, expiresAt }),
        RangeError,
      );
    }
  });
});

describe('CloudFront signed cookies (custom policy)', () => {
  const resource = 'https://d111111abcdef8.cloudfront.net/media/asset-1/*';

  it('sign a wildcard policy, with the viewer IP when given, that the public key verifies', () => {
    for (const ipAddress of [undefined, '203.0.113.7', '203.0.113.0/24']) {
      const cookies = cloudFrontSignedCookies({
        resource,
        keyPairId,
        privateKey: privatePem,
        expiresAt,
        ipAddress,
      });
      assert.equal(cookies['CloudFront-Key-Pair-Id'], keyPairId);
      const policy = fromCloudFrontBase64(cookies['CloudFront-Policy']).toString('utf8');
      assert.equal(policy, cloudFrontCustomPolicy({ resource, expiresAt, ipAddress }));
      const statement = (JSON.parse(policy) as { Statement: PolicyStatement[] }).Statement[0]!;
      assert.equal(statement.Resource, resource);
      assert.equal(statement.Condition.DateLessThan['AWS:EpochTime'], epoch);
      assert.equal(
        statement.Condition.IpAddress?.['AWS:SourceIp'],
        ipAddress === undefined ? undefined : ipAddress.includes('/') ? ipAddress : `${ipAddress}/32`,
      );
      assert.equal(edgeAccepts({ policy, signature: cookies['CloudFront-Signature'] }), true);
      // Tampering: a wider resource or a later expiry under the same signature.
      for (const forged of [
        policy.replace('/media/asset-1/*', '/*'),
        policy.replace(String(epoch), String(epoch + 86_400)),
      ]) {
        assert.notEqual(forged, policy);
        assert.equal(edgeAccepts({ policy: forged, signature: cookies['CloudFront-Signature'] }), false);
      }
    }
  });

  it('refuse IPv6, malformed addresses and resources without a fixed host', () => {
    for (const ipAddress of ['2001:db8::1', '203.0.113.7/33', '203.0.113', '203.0.113.7/8/8', 'x']) {
      assert.throws(
        () => cloudFrontSignedCookies({ resource, keyPairId, privateKey: privatePem, expiresAt, ipAddress }),
        RangeError,
        ipAddress,
      );
    }
    for (const bad of ['https://*.cloudfront.net/x', '/media/*', 'https://d1.cloudfront.net']) {
      assert.throws(() => cloudFrontCustomPolicy({ resource: bad, expiresAt }), RangeError, bad);
    }
  });
});
