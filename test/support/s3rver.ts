import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** A real S3 API (s3rver) on loopback, on a free port, with one bucket; for S3 adapter tests. */
export async function startS3rver(
  bucket = 'marquee-test',
): Promise<{ endpoint: string; bucket: string; stop(): Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'marquee-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
