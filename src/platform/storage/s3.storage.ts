import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import {
  assertValidKey,
  contentTypeFor,
  ObjectNotFound,
  RangeNotSatisfiable,
  type ByteRange,
  type ObjectBody,
  type ObjectInfo,
  type Storage,
} from './storage.port.ts';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle?: boolean;
}

const isMissing = (error: unknown) =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);

/** S3 or an S3-compatible service (MinIO, R2, Ceph…). An S3 PUT is atomic: readers never see a partial object. */
export class S3Storage implements Storage {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3StorageOptions) {
    this.#bucket = options.bucket;
    this.#client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // Checksums on every request are the SDK's new default; S3-compatible servers vary in support.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Buffer | Uint8Array | string | Readable): Promise<ObjectInfo> {
    assertValidKey(key);
    // lib-storage streams large bodies as a multipart upload, never holding the whole object.
    await new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: body, ContentType: contentTypeFor(key) },
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
    }).done();
    const info = await this.head(key);
    if (!info) throw new Error(`object ${key} is missing right after it was written`);
    return info;
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<ObjectBody> {
    assertValidKey(key);
    const range = options.range;
    try {
      const response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      const contentLength = response.ContentLength ?? 0;
      const totalMatch = /\/(\d+)$/.exec(response.ContentRange ?? '');
      const size = totalMatch ? Number(totalMatch[1]) : contentLength;
      const rangeMatch = /bytes (\d+)-(\d+)\//.exec(response.ContentRange ?? '');
      return {
        key,
        size,
        contentType: contentTypeFor(key),
        etag: response.ETag ?? '""',
        lastModified: response.LastModified ?? new Date(0),
        body: response.Body as Readable,
        contentLength,
        range: range && rangeMatch ? { start: Number(rangeMatch[1]), end: Number(rangeMatch[2]) } : undefined,
      };
    } catch (error) {
      if (isMissing(error)) throw ObjectNotFound(`no object at ${key}`);
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416) {
        throw RangeNotSatisfiable(`bytes ${range?.start}-${range?.end ?? ''} of ${key}`);
      }
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        key,
        size: response.ContentLength ?? 0,
        contentType: contentTypeFor(key),
        etag: response.ETag ?? '""',
        lastModified: response.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidKey(prefix, { prefix: true });
    let count = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.#client.send(
        new DeleteObjectsCommand({
          Bucket: this.#bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      count += batch.length;
      batch = [];
    };
    for await (const object of this.list(prefix)) {
      batch.push(object.key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    return count;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    if (prefix !== '') assertValidKey(prefix, { prefix: true });
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield {
          key: object.Key,
          size: object.Size ?? 0,
          contentType: contentTypeFor(object.Key),
          etag: object.ETag ?? '""',
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }
}
