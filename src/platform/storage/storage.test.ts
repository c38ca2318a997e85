import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startS3rver } from '../../../test/support/s3rver.ts';
import { LocalStorage } from './local.storage.ts';
import { S3Storage } from './s3.storage.ts';
import { storageContract } from './storage.contract.ts';

storageContract('local directory', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-storage-'));
  const storage = new LocalStorage(dir);
  return { storage, close: () => rm(dir, { recursive: true, force: true }) };
});

storageContract('S3 (s3rver on loopback)', async () => {
  const s3 = await startS3rver();
  const storage = new S3Storage({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
  return {
    storage,
    async close() {
      await storage.close();
      await s3.stop();
    },
  };
});
