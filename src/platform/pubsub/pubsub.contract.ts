import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PubSub } from './pubsub.port.ts';

function nextMessage(
  pubsub: PubSub,
  channel: string,
): Promise<{ message: Promise<unknown>; stop(): Promise<void> }> {
  let deliver: (message: unknown) => void = () => {};
  const message = new Promise<unknown>((resolve) => (deliver = resolve));
  return pubsub.subscribe(channel, (m) => deliver(m)).then((stop) => ({ message, stop }));
}

/** What every PubSub adapter must do. `open` may be called twice: two instances on one bus. */
export function pubsubContract(
  name: string,
  open: () => Promise<{ a: PubSub; b: PubSub; close(): Promise<void> }>,
): void {
  describe(`PubSub contract: ${name}`, () => {
    let a: PubSub;
    let b: PubSub;
    let close: () => Promise<void>;
    before(async () => {
      ({ a, b, close } = await open());
    });
    after(() => close());

    it('delivers a JSON message to a subscriber on another instance', async () => {
      const { message, stop } = await nextMessage(b, 'titles');
      await a.publish('titles', { id: 'x', progress: 42 });
      assert.deepEqual(await message, { id: 'x', progress: 42 });
      await stop();
    });

    it('delivers to every subscriber, and only on its channel', async () => {
      const got: string[] = [];
      const stop1 = await a.subscribe('chan-1', (m) => got.push(`a:${String(m)}`));
      const stop2 = await b.subscribe('chan-1', (m) => got.push(`b:${String(m)}`));
      const stop3 = await b.subscribe('chan-2', (m) => got.push(`other:${String(m)}`));
      await a.publish('chan-1', 'hello');
      for (let i = 0; i < 50 && got.length < 2; i += 1) await sleep(10);
      await sleep(30);
      assert.deepEqual(got.sort(), ['a:hello', 'b:hello']);
      await Promise.all([stop1(), stop2(), stop3()]);
    });

    it('stops delivering after unsubscribe, keeping other subscriptions', async () => {
      const got: unknown[] = [];
      const stopFirst = await b.subscribe('unsub', () => got.push('first'));
      const stopSecond = await b.subscribe('unsub', () => got.push('second'));
      await stopFirst();
      await a.publish('unsub', 1);
      for (let i = 0; i < 50 && got.length < 1; i += 1) await sleep(10);
      await sleep(30);
      assert.deepEqual(got, ['second']);
      await stopSecond();
      await a.publish('unsub', 2);
      await sleep(50);
      assert.deepEqual(got, ['second']);
    });

    it('never runs a subscriber inside publish()', async () => {
      let ran = false;
      const stop = await a.subscribe('async', () => (ran = true));
      const publishing = a.publish('async', null);
      assert.equal(ran, false);
      await publishing;
      for (let i = 0; i < 50 && !ran; i += 1) await sleep(10);
      assert.equal(ran, true);
      await stop();
    });

    it('answers ping', async () => {
      await a.ping();
    });
  });
}
