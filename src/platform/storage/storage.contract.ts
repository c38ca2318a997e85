import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../shared/errors.ts';
import type { Storage } from './storage.port.ts';

const readAll = async (body: Readable) => Buffer.concat(await Array.fromAsync(body as AsyncIterable<Buffer>));

/** What every Storage adapter must do. Run against the local directory and against S3 (s3rver). */
export function storageContract(
  name: string,
  open: () => Promise<{ storage: Storage; close(): Promise<void> }>,
): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    before(async () => {
      ({ storage, close } = await open());
    });
    after(() => close());

    it('round-trips bytes, with size, etag and a content type from the extension', async () => {
      const info = await storage.put('titles/t1/master.m3u8', '#EXTM3U\n');
      assert.equal(info.size, 8);
      assert.equal(info.contentType, 'application/vnd.apple.mpegurl');
      assert.ok(info.etag.length > 2);
      const object = await storage.get('titles/t1/master.m3u8');
      assert.equal(await text(object.body), '#EXTM3U\n');
      assert.equal(object.contentLength, 8);
      assert.equal(object.range, undefined);
      assert.equal((await storage.head('titles/t1/master.m3u8'))?.size, 8);
      assert.equal((await storage.head('titles/t1/seg0.ts'))?.contentType, undefined);
      assert.equal((await storage.put('x/seg0.ts', Buffer.from([0x47]))).contentType, 'video/mp2t');
      assert.equal((await storage.put('x/no-extension', 'a')).contentType, 'application/octet-stream');
    });

    it('streams a large body in and out without changing a byte', async () => {
      const chunk = randomBytes(64 * 1024);
      const chunks = 160; // 10 MiB: more than one multipart part on S3
      await storage.put(
        'big/source.mp4',
        Readable.from(
          (function* () {
            for (let i = 0; i < chunks; i += 1) yield chunk;
          })(),
        ),
      );
      const object = await storage.get('big/source.mp4');
      assert.equal(object.size, chunk.length * chunks);
      const bytes = await readAll(object.body);
      assert.equal(bytes.length, chunk.length * chunks);
      assert.ok(bytes.subarray(chunk.length * 7, chunk.length * 8).equals(chunk));
    });

    it('reads byte ranges, and refuses unsatisfiable ones', async () => {
      await storage.put('r/data.bin', Buffer.from('0123456789'));
      const middle = await storage.get('r/data.bin', { range: { start: 2, end: 5 } });
      assert.equal((await readAll(middle.body)).toString(), '2345');
      assert.deepEqual(middle.range, { start: 2, end: 5 });
      assert.equal(middle.contentLength, 4);
      assert.equal(middle.size, 10);
      const tail = await storage.get('r/data.bin', { range: { start: 7 } });
      assert.equal((await readAll(tail.body)).toString(), '789');
      assert.deepEqual(tail.range, { start: 7, end: 9 });
      await assert.rejects(storage.get('r/data.bin', { range: { start: 10 } }), {
        code: 'STORAGE_RANGE_NOT_SATISFIABLE',
      });
    });

    it('replaces an object whole', async () => {
      await storage.put('rep/a.txt', 'first version');
      await storage.put('rep/a.txt', 'second');
      assert.equal(await text((await storage.get('rep/a.txt')).body), 'second');
    });

    it('reports a missing object as a typed not-found error', async () => {
      await assert.rejects(
        storage.get('nope/missing.ts'),
        (error: unknown) => error instanceof AppError && error.kind === 'not_found',
      );
      assert.equal(await storage.head('nope/missing.ts'), undefined);
      await storage.delete('nope/missing.ts');
    });

    it('lists by prefix and deletes by prefix', async () => {
      await Promise.all(
        ['p/one/a.ts', 'p/one/b.ts', 'p/one/sub/c.vtt', 'p/two/d.ts'].map((key) => storage.put(key, key)),
      );
      const listed = (await Array.fromAsync(storage.list('p/one/'))).map((o) => o.key).sort();
      assert.deepEqual(listed, ['p/one/a.ts', 'p/one/b.ts', 'p/one/sub/c.vtt']);
      assert.equal(await storage.deletePrefix('p/one/'), 3);
      assert.deepEqual(await Array.fromAsync(storage.list('p/one/')), []);
      assert.deepEqual(
        (await Array.fromAsync(storage.list('p/'))).map((o) => o.key),
        ['p/two/d.ts'],
      );
      assert.deepEqual(await Array.fromAsync(storage.list('empty/')), []);
    });

    it('refuses keys that could escape or be ambiguous', async () => {
      for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', '', 'a\\b', 'sp ace', 'a/']) {
        await assert.rejects(storage.put(key, 'x'), { code: 'STORAGE_INVALID_KEY' }, key);
        await assert.rejects(storage.get(key), { code: 'STORAGE_INVALID_KEY' }, key);
      }
      await assert.rejects(storage.deletePrefix('no-slash'), { code: 'STORAGE_INVALID_KEY' });
    });

    it('answers ping', async () => {
      await storage.ping();
    });
  });
}
