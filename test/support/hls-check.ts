import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, type types } from 'hls-parser';
import type { ContentKey } from '../../src/modules/media/content-keys.ts';

/**
 * Reads an encrypted HLS package the way a player would: through an independent playlist
 * parser (hls-parser), fetching keys by the URI the playlist names and decrypting each segment
 * with the key and IV the playlist gives.
 */

export async function readMaster(outputDir: string): Promise<types.MasterPlaylist> {
  const playlist = parse(await readFile(path.join(outputDir, 'master.m3u8'), 'utf8'));
  assert.ok(playlist.isMasterPlaylist, 'master.m3u8 is a master playlist');
  return playlist;
}

export async function readMediaPlaylist(outputDir: string, uri: string): Promise<types.MediaPlaylist> {
  const playlist = parse(await readFile(path.join(outputDir, uri), 'utf8'));
  assert.ok(!playlist.isMasterPlaylist, `${uri} is a media playlist`);
  return playlist;
}

export interface DecryptedSegment {
  uri: string;
  duration: number;
  keyId: string;
  /** Size on the wire, encrypted. */
  bytes: number;
  plain: Buffer;
}

/** Decrypts every segment of a media playlist; asserts each is AES-128 and valid MPEG-TS. */
export async function decryptPlaylist(options: {
  outputDir: string;
  uri: string;
  keys: readonly ContentKey[];
}): Promise<DecryptedSegment[]> {
  const playlist = await readMediaPlaylist(options.outputDir, options.uri);
  const byId = new Map(options.keys.map((key) => [key.keyId, key]));
  const decrypted: DecryptedSegment[] = [];
  for (const segment of playlist.segments) {
    const key = segment.key;
    assert.equal(key?.method, 'AES-128', `${segment.uri} is encrypted`);
    const match = /^\/api\/keys\/([0-9a-f-]{36})$/.exec(key.uri ?? '');
    assert.ok(match, `key URI ${key.uri} points at the key server`);
    const contentKey = byId.get(match[1]!);
    assert.ok(contentKey, `key ${match[1]} is in the manifest`);
    assert.ok(key.iv, 'an explicit IV');
    assert.deepEqual(Buffer.from(key.iv), contentKey.iv, 'the playlist IV is the key’s IV');
    const file = path.join(options.outputDir, path.dirname(options.uri), segment.uri);
    const encrypted = await readFile(file);
    const decipher = createDecipheriv('aes-128-cbc', contentKey.key, Buffer.from(key.iv));
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    assert.equal(plain[0], 0x47, `${file} decrypts to MPEG-TS (sync byte)`);
    assert.equal(plain.length % 188, 0, `${file} decrypts to whole TS packets`);
    // Plain MPEG-TS has a sync byte at every 188th byte; ciphertext has one there 1 time in 256.
    // (A single-byte check would fail on 1 segment in 256.)
    const syncBytes = Array.from(
      { length: Math.floor(encrypted.length / 188) },
      (_, i) => encrypted[i * 188],
    );
    assert.ok(
      syncBytes.filter((byte) => byte === 0x47).length < syncBytes.length / 2,
      'the segment on disk is not plain MPEG-TS',
    );
    decrypted.push({
      uri: segment.uri,
      duration: segment.duration,
      keyId: match[1]!,
      bytes: encrypted.length,
      plain,
    });
  }
  return decrypted;
}

/** Peak bounds and the exact average of a decrypted playlist, in bits per second. */
export function segmentRates(segments: readonly DecryptedSegment[], targetDuration: number) {
  const rate = (segment: DecryptedSegment) => (segment.bytes * 8) / segment.duration;
  const full = segments.filter((segment) => segment.duration >= targetDuration / 2);
  return {
    average:
      segments.reduce((sum, segment) => sum + segment.bytes * 8, 0) /
      segments.reduce((sum, segment) => sum + segment.duration, 0),
    /** The peak is at least the rate of any full-length segment… */
    peakAtLeast: Math.max(...full.map(rate)),
    /** …and at most the rate of the densest segment. */
    peakAtMost: Math.max(...segments.map(rate)),
  };
}

/** Key ids in the order a playlist switches to them, with the segment index of each switch. */
export function keySwitches(segments: readonly DecryptedSegment[]): Array<[number, string]> {
  return segments.flatMap((segment, index) =>
    index === 0 || segments[index - 1]!.keyId !== segment.keyId
      ? [[index, segment.keyId] as [number, string]]
      : [],
  );
}
