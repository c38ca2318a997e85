import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../../platform/clock.ts';

/**
 * The JWT signing keys: a JSON file of private Ed25519 JWKs. The first key signs; every key
 * verifies, so a rotation (a new key put first) never signs anyone out. The file is created on
 * first start (mode 0600) when missing; several instances must be given the same file.
 */
export interface SigningKey extends JWK {
  kid: string;
  alg: 'EdDSA';
  createdAt: string;
}

interface KeyFile {
  keys: SigningKey[];
}

export async function generateSigningKey(clock: Clock): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: 'EdDSA', use: 'sig', createdAt: clock.now().toISOString() };
}

async function writeKeyFile(file: string, content: KeyFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** The keys in the file; a first key is made (dated by `clock`) when the file is missing. */
export async function loadSigningKeys(file: string, clock: Clock): Promise<SigningKey[]> {
  let content: KeyFile;
  try {
    content = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read the JWT signing keys in ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    content = { keys: [await generateSigningKey(clock)] };
    await writeKeyFile(file, content);
  }
  const keys = content.keys.filter((key) => key.kty === 'OKP' && key.crv === 'Ed25519' && key.d && key.kid);
  if (keys.length === 0) throw new Error(`${file} holds no Ed25519 private JWK`);
  return keys;
}

/** Puts a new signing key first; keeps older keys (verification only) unless older than `pruneBefore`. */
export async function rotateSigningKeys(
  file: string,
  options: { clock: Clock; pruneBefore?: Date | undefined },
): Promise<{ added: SigningKey; kept: number }> {
  const existing = await loadSigningKeys(file, options.clock);
  const added = await generateSigningKey(options.clock);
  const kept = existing.filter(
    (key) => !options.pruneBefore || new Date(key.createdAt) >= options.pruneBefore,
  );
  await writeKeyFile(file, { keys: [added, ...kept] });
  return { added, kept: kept.length };
}
