import type { AvcProfile } from './h264.ts';

/**
 * Just enough MPEG-TS (ISO/IEC 13818-1) reading to learn, from the first segment ffmpeg wrote,
 * what was really encoded: the H.264 SPS bytes for the CODECS attribute, and the first video
 * timestamp for WebVTT's X-TIMESTAMP-MAP. Pure.
 */

const PACKET = 188;
const SYNC = 0x47;

export interface TsVideoInfo {
  /** 90 kHz presentation time of the first video frame. */
  firstPts: number;
  /** From the first sequence parameter set; undefined if none was found. */
  avc: AvcProfile | undefined;
}

/** Reads the first video PES of a segment (stream_id 0xE0–0xEF). Undefined if there is none. */
export function readTsVideoInfo(segment: Uint8Array): TsVideoInfo | undefined {
  let videoPid: number | undefined;
  let firstPts: number | undefined;
  const payloads: Uint8Array[] = [];

  for (let offset = 0; offset + PACKET <= segment.length; offset += PACKET) {
    if (segment[offset] !== SYNC) return undefined;
    const startsUnit = (segment[offset + 1]! & 0x40) !== 0;
    const pid = ((segment[offset + 1]! & 0x1f) << 8) | segment[offset + 2]!;
    const adaptation = (segment[offset + 3]! >> 4) & 0x3;
    if ((adaptation & 0x1) === 0) continue;
    const payloadStart = offset + 4 + (adaptation & 0x2 ? segment[offset + 4]! + 1 : 0);
    if (payloadStart >= offset + PACKET) continue;
    const payload = segment.subarray(payloadStart, offset + PACKET);

    if (videoPid === undefined) {
      if (!startsUnit || !isVideoPes(payload)) continue;
      videoPid = pid;
    } else if (pid !== videoPid) {
      continue;
    } else if (startsUnit) {
      break; // The next PES: the first access unit is complete.
    }
    if (firstPts === undefined) {
      const header = readPesHeader(payload);
      if (!header) return undefined;
      firstPts = header.pts;
      payloads.push(payload.subarray(header.dataOffset));
    } else {
      payloads.push(payload);
    }
  }
  if (firstPts === undefined) return undefined;
  return { firstPts, avc: findSps(Buffer.concat(payloads)) };
}

function isVideoPes(payload: Uint8Array): boolean {
  return (
    payload.length > 3 &&
    payload[0] === 0 &&
    payload[1] === 0 &&
    payload[2] === 1 &&
    (payload[3]! & 0xf0) === 0xe0
  );
}

function readPesHeader(payload: Uint8Array): { pts: number; dataOffset: number } | undefined {
  if (payload.length < 14 || (payload[7]! & 0x80) === 0) return undefined;
  const p = payload;
  // 33 bits spread over five bytes with marker bits (13818-1 §2.4.3.7). Multiplication, not
  // shifts: JavaScript's bitwise operators would truncate to 32 bits.
  const pts =
    ((p[9]! >> 1) & 0x07) * 2 ** 30 +
    p[10]! * 2 ** 22 +
    (p[11]! >> 1) * 2 ** 15 +
    p[12]! * 2 ** 7 +
    (p[13]! >> 1);
  return { pts, dataOffset: 9 + p[8]! };
}

/** Finds NAL unit type 7 after an Annex B start code; its first three bytes are what we need. */
function findSps(stream: Uint8Array): AvcProfile | undefined {
  for (let i = 0; i + 6 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1 && (stream[i + 3]! & 0x1f) === 7) {
      return { profileIdc: stream[i + 4]!, constraintFlags: stream[i + 5]!, levelIdc: stream[i + 6]! };
    }
  }
  return undefined;
}
