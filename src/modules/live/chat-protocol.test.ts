import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClientFrame, serverFrame } from './chat-protocol.ts';
import { presenceBucket } from './presence.ts';

const read = (data: string | Buffer, isBinary = false) =>
  readClientFrame(data, { isBinary, maxCharacters: 10 });

describe('live chat protocol', () => {
  const cases: Array<[string, string | Buffer, boolean, string]> = [
    ['a join', '{"type":"join","ticket":"chat_abc","after":4}', false, 'join'],
    ['a message', '{"type":"send","body":"  hi  "}', false, 'send'],
    ['a reaction', '{"type":"react","reaction":"fire"}', false, 'react'],
    ['unpinning', '{"type":"pin","id":null}', false, 'pin'],
    ['binary', Buffer.from('{"type":"ping"}'), true, 'PROTOCOL_BINARY'],
    ['not JSON', '{"type":', false, 'PROTOCOL_JSON'],
    ['JSON that is no object', '42', false, 'PROTOCOL_FRAME'],
    ['an unknown type', '{"type":"shout"}', false, 'PROTOCOL_FRAME'],
    ['a long message', '{"type":"send","body":"12345678901"}', false, 'PROTOCOL_FRAME'],
    ['an empty message', '{"type":"send","body":"   "}', false, 'PROTOCOL_FRAME'],
    ['a control character', '{"type":"send","body":"a\\u0000b"}', false, 'PROTOCOL_FRAME'],
    ['an unknown reaction', '{"type":"react","reaction":"poop"}', false, 'PROTOCOL_FRAME'],
    ['a ticket with odd characters', '{"type":"join","ticket":"<script>"}', false, 'PROTOCOL_FRAME'],
    ['a negative resume point', '{"type":"join","ticket":"t","after":-1}', false, 'PROTOCOL_FRAME'],
    ['slow mode past an hour', '{"type":"slow_mode","seconds":3601}', false, 'PROTOCOL_FRAME'],
  ];
  for (const [name, data, isBinary, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const reading = read(data, isBinary);
      assert.equal(reading.ok ? reading.frame.type : reading.code, expected);
    });
  }

  it('trims a message and names the field that failed', () => {
    const ok = read('{"type":"send","body":"  hi  "}');
    assert.ok(ok.ok && ok.frame.type === 'send' && ok.frame.body === 'hi');
    const bad = read('{"type":"send","body":"12345678901"}');
    assert.ok(!bad.ok && bad.message.startsWith('body:'));
  });

  it('a batch carries two or more broadcast frames, never a per-viewer one', () => {
    const pong = { type: 'pong' };
    const reaction = { type: 'reaction', reaction: 'fire' };
    assert.ok(serverFrame.safeParse({ type: 'batch', frames: [reaction, reaction] }).success);
    assert.ok(!serverFrame.safeParse({ type: 'batch', frames: [reaction] }).success);
    assert.ok(!serverFrame.safeParse({ type: 'batch', frames: [reaction, pong] }).success);
  });

  it('counts presence per interval', () => {
    assert.equal(presenceBucket(new Date(9_999), 5000), 1);
    assert.equal(presenceBucket(new Date(10_000), 5000), 2);
  });
});
