import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONCLUSION,
  INDUCTION,
  REJECT_FORBIDDEN,
  inductionAnswer,
  inductionRequest,
  readHandshake,
  readStreamId,
  rejection,
  withCookie,
} from './srt-handshake.ts';

// Captured from ffmpeg 5.1 (libsrt 1.5) calling srt://127.0.0.1:…?streamid=live_abcDEF123.
const induction = Buffer.from(
  '8000000000000000000000920000000000000004000000022' +
    '8f9faac000005dc00002000000000012098042a000000000100007f000000000000000000000000',
  'hex',
);
const conclusion = Buffer.from(
  '800000000000000000000ad100000000000000050000000528f9faac000005dc00002000ffffffff2098042a' +
    'afdfde300100007f0000000000000000000000000001000300010501000000bf00780000000500046576696c' +
    '6362615f3146454400003332',
  'hex',
);

describe('SRT handshake fields', () => {
  it('reads an induction and a conclusion, and the stream id (byte-swapped words)', () => {
    assert.deepEqual(readHandshake(induction), {
      version: 4,
      type: INDUCTION,
      socketId: 0x2098042a,
      cookie: 0,
    });
    assert.equal(readHandshake(conclusion)?.type, CONCLUSION);
    assert.equal(readHandshake(conclusion)?.cookie, 0xafdfde30);
    assert.equal(readStreamId(conclusion), 'live_abcDEF123');
    assert.equal(readStreamId(induction), undefined);
  });

  it('refuses what is not a handshake, and a truncated extension', () => {
    assert.equal(readHandshake(Buffer.alloc(10)), undefined);
    const data = Buffer.from(conclusion);
    data.writeUInt32BE(0x00000001, 0);
    assert.equal(readHandshake(data), undefined);
    assert.equal(readStreamId(conclusion.subarray(0, conclusion.length - 4)), undefined);
  });

  it('answers an induction as a version-5 listener with its cookie, addressed to the caller', () => {
    const answer = inductionAnswer(induction, 0xdeadbeef);
    assert.equal(answer.readUInt32BE(12), 0x2098042a);
    assert.deepEqual(readHandshake(answer), {
      version: 5,
      type: INDUCTION,
      socketId: 0x2098042a,
      cookie: 0xdeadbeef,
    });
    assert.equal(answer.readUInt16BE(22), 0x4a17);
  });

  it('builds the induction, the re-cookied conclusion and the rejection', () => {
    const request = inductionRequest(conclusion);
    assert.deepEqual(readHandshake(request), {
      version: 4,
      type: INDUCTION,
      socketId: 0x2098042a,
      cookie: 0,
    });
    assert.equal(request.readUInt16BE(22), 2);
    const recookied = withCookie(conclusion, 0x01020304);
    assert.equal(readHandshake(recookied)?.cookie, 0x01020304);
    assert.equal(readStreamId(recookied), 'live_abcDEF123');
    const refused = rejection(conclusion, REJECT_FORBIDDEN);
    assert.equal(readHandshake(refused)?.type, 1403);
    assert.equal(refused.readUInt32BE(12), 0x2098042a);
  });
});
