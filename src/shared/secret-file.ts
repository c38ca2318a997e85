import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A secret from the environment, else from a file created on first use (mode 0600) — the
 * embedded mode's answer to a secrets manager. Several instances must share one value: set it
 * in the environment, or put the file on shared storage.
 */
export async function loadOrCreateSecret(options: {
  /** The configured value, already decoded. */
  fromEnvironment: Buffer | undefined;
  file: string;
  bytes: number;
}): Promise<Buffer> {
  const { fromEnvironment, file, bytes } = options;
  if (fromEnvironment) return fromEnvironment;
  try {
    const stored = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (stored.length !== bytes) throw new Error(`${file} does not hold ${bytes} bytes in base64`);
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes);
  try {
    // 'wx': two processes starting at once must not each write their own secret.
    await writeFile(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateSecret(options);
  }
}
