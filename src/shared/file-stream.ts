import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/**
 * A local file's bytes as a stream, opened before anyone reads them: a missing file rejects here,
 * instead of `createReadStream` emitting 'error' later on a stream nobody listens to yet — which,
 * handed to a storage adapter that awaits something first, is an unhandled 'error' event and takes
 * the whole process down (a rival transcode removing the files another was uploading did exactly
 * that). Once open, the file reads to the end even if it is unlinked meanwhile.
 */
export async function openFileStream(file: string): Promise<Readable> {
  const handle = await open(file, 'r');
  return handle.createReadStream();
}
