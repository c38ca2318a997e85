import { isIPv4 } from 'node:net';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';

/**
 * CDN mode: CloudFront checks the signature at the edge, so segments never touch our servers.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-signed-urls.html
 *
 * Signing is the AWS library's; building the policies is ours, so what we grant is explicit and
 * tested: a canned policy (one URL, an expiry) for single URLs, a custom policy (a wildcard
 * resource, an expiry, optionally the viewer's IPv4 address) for the cookies that cover a whole
 * title's segments. Pure, given the key.
 */

export interface CloudFrontSigningKey {
  /** The public key's id in the CloudFront key group. */
  keyPairId: string;
  /** PEM of the RSA private key. */
  privateKey: string | Buffer;
  /**
   * 'SHA1' is CloudFront's classic RSA-SHA1 signature; 'SHA256' needs a distribution set up for
   * it (adds Hash-Algorithm=SHA256). Default 'SHA1'.
   */
  algorithm?: 'SHA1' | 'SHA256';
}

export interface CloudFrontCookies {
  'CloudFront-Policy': string;
  'CloudFront-Signature': string;
  'CloudFront-Key-Pair-Id': string;
  /** Present with algorithm 'SHA256'. */
  'CloudFront-Hash-Algorithm'?: string;
}

/** One URL (no wildcard) until `expiresAt`: a canned policy. */
export function cloudFrontSignedUrl(
  options: CloudFrontSigningKey & { url: string; expiresAt: Date },
): string {
  const { url, keyPairId, privateKey, algorithm } = options;
  if (url.includes('*'))
    throw new RangeError('a canned policy signs one URL: use signed cookies for a wildcard');
  if (!/^https?:\/\//.test(url)) throw new RangeError('the URL must be absolute http(s)');
  return getSignedUrl({
    url,
    keyPairId,
    privateKey,
    algorithm,
    dateLessThan: wholeSeconds(options.expiresAt),
  });
}

/**
 * Cookies for every URL matching `resource` ('https://d1.cloudfront.net/media/<asset>/*') until
 * `expiresAt`, optionally only from `ipAddress` (IPv4 or IPv4 CIDR: CloudFront's IpAddress
 * condition matches IPv4 only, so leave it out for viewers on IPv6). A custom policy.
 * Set them with Path and Domain covering the resource, Secure, HttpOnly.
 */
export function cloudFrontSignedCookies(
  options: CloudFrontSigningKey & { resource: string; expiresAt: Date; ipAddress?: string },
): CloudFrontCookies {
  const { keyPairId, privateKey, algorithm } = options;
  const policy = cloudFrontCustomPolicy(options);
  const cookies = getSignedCookies({ keyPairId, privateKey, algorithm, policy });
  if (cookies['CloudFront-Policy'] === undefined) throw new Error('the signer returned no policy');
  return {
    'CloudFront-Policy': cookies['CloudFront-Policy'],
    'CloudFront-Signature': cookies['CloudFront-Signature'],
    'CloudFront-Key-Pair-Id': cookies['CloudFront-Key-Pair-Id'],
    ...(cookies['CloudFront-Hash-Algorithm'] === undefined
      ? {}
      : { 'CloudFront-Hash-Algorithm': cookies['CloudFront-Hash-Algorithm'] }),
  };
}

/** The policy JSON, exactly as signed. */
export function cloudFrontCustomPolicy(options: {
  resource: string;
  expiresAt: Date;
  ipAddress?: string;
}): string {
  const { resource, ipAddress } = options;
  if (!/^https?:\/\/[^/*]+\//.test(resource)) {
    throw new RangeError('the resource must be an http(s) URL with a fixed host');
  }
  const condition: Record<string, unknown> = {
    DateLessThan: { 'AWS:EpochTime': Math.floor(options.expiresAt.getTime() / 1000) },
  };
  if (ipAddress !== undefined) condition.IpAddress = { 'AWS:SourceIp': ipv4Cidr(ipAddress) };
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: condition }] });
}

function ipv4Cidr(value: string): string {
  const [address = '', mask = '32', extra] = value.split('/');
  const bits = Number(mask);
  if (!isIPv4(address) || extra !== undefined || !/^\d{1,2}$/.test(mask) || bits > 32) {
    throw new RangeError(`CloudFront IP conditions take an IPv4 address or CIDR, not ${value}`);
  }
  return `${address}/${bits}`;
}

/** The library rounds to the nearest second; we never grant the extra half second. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
