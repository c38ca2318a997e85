/**
 * The few SRT handshake fields the ingest's gate reads and writes (SRT RFC draft, §3.2.1): it
 * answers a caller's induction itself, reads the stream id from its conclusion, and only then
 * lets the packets through to an ffmpeg listener. Pure functions over packet bytes.
 */

/** A handshake is a control packet (top bit set) of type 0, with at least the 48-byte body. */
const HEADER = 16;
const BODY = 48;
export const INDUCTION = 1;
export const CONCLUSION = 0xffffffff;
/** Rejection reasons are sent as the handshake type; 1000 + 403: the access control's "forbidden". */
export const REJECT_FORBIDDEN = 1403;
/** What a version-5 listener puts in the extension field of its induction answer. */
const SRT_MAGIC = 0x4a17;
const EXTENSION_SID = 5;

export interface Handshake {
  version: number;
  type: number;
  socketId: number;
  cookie: number;
}

export function readHandshake(packet: Buffer): Handshake | undefined {
  if (packet.length < HEADER + BODY) return undefined;
  if (packet.readUInt32BE(0) !== 0x80000000) return undefined;
  return {
    version: packet.readUInt32BE(HEADER),
    type: packet.readUInt32BE(HEADER + 20),
    socketId: packet.readUInt32BE(HEADER + 24),
    cookie: packet.readUInt32BE(HEADER + 28),
  };
}

/**
 * The stream id of a conclusion (its SID extension), if it has one. SRT writes the string in
 * 32-bit words, each byte-swapped, zero-padded to a whole word.
 */
export function readStreamId(packet: Buffer): string | undefined {
  let offset = HEADER + BODY;
  while (offset + 4 <= packet.length) {
    const type = packet.readUInt16BE(offset);
    const words = packet.readUInt16BE(offset + 2);
    const end = offset + 4 + words * 4;
    if (end > packet.length) return undefined;
    if (type === EXTENSION_SID) {
      const bytes = Buffer.from(packet.subarray(offset + 4, end));
      bytes.swap32();
      const zero = bytes.indexOf(0);
      return bytes.subarray(0, zero === -1 ? bytes.length : zero).toString('utf8');
    }
    offset = end;
  }
  return undefined;
}

/** A listener's answer to an induction: version 5, the SRT magic, and the cookie to return. */
export function inductionAnswer(request: Buffer, cookie: number): Buffer {
  const answer = Buffer.from(request.subarray(0, HEADER + BODY));
  answer.writeUInt32BE(readHandshake(request)?.socketId ?? 0, 12);
  answer.writeUInt32BE(5, HEADER);
  answer.writeUInt16BE(0, HEADER + 4);
  answer.writeUInt16BE(SRT_MAGIC, HEADER + 6);
  answer.writeUInt32BE(cookie >>> 0, HEADER + 28);
  return answer;
}

/** An induction as a caller sends it, for the gate to get a cookie from the ffmpeg listener. */
export function inductionRequest(conclusion: Buffer): Buffer {
  const request = Buffer.from(conclusion.subarray(0, HEADER + BODY));
  request.writeUInt32BE(0, 12);
  request.writeUInt32BE(4, HEADER);
  request.writeUInt16BE(0, HEADER + 4);
  request.writeUInt16BE(2, HEADER + 6);
  request.writeUInt32BE(INDUCTION, HEADER + 20);
  request.writeUInt32BE(0, HEADER + 28);
  return request;
}

/** The same packet with another cookie (the ffmpeg listener's, in place of the gate's). */
export function withCookie(packet: Buffer, cookie: number): Buffer {
  const copy = Buffer.from(packet);
  copy.writeUInt32BE(cookie >>> 0, HEADER + 28);
  return copy;
}

/** A conclusion answered with a rejection: the caller gives up at once ("connection rejected"). */
export function rejection(conclusion: Buffer, reason: number): Buffer {
  const answer = Buffer.from(conclusion.subarray(0, HEADER + BODY));
  answer.writeUInt32BE(readHandshake(conclusion)?.socketId ?? 0, 12);
  answer.writeUInt32BE(reason, HEADER + 20);
  return answer;
}
