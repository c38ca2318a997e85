import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { WeakPassword } from './identity.errors.ts';

/**
 * Password hashing and policy.
 *
 * argon2id with OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane):
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 * Policy follows NIST SP 800-63B §5.1.1.2: at least 8 characters, long passphrases allowed,
 * no composition rules, and refuse passwords found in breach corpora — here the 18,000 of at
 * least 8 characters among the 49,000 most common (zxcvbn-ts' list, shipped with the package).
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  const list = dictionary['passwords-common'] as unknown;
  common ??= new Set(
    (Array.isArray(list) ? (list as string[]) : Object.keys(list as object)).filter(
      (entry) => entry.length >= PASSWORD_MIN,
    ),
  );
  return common;
}

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  context: { email?: string; name?: string } = {},
): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `use at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `use at most ${PASSWORD_MAX} characters`;
  const lowered = password.normalize('NFKC').toLowerCase();
  if (commonPasswords().has(lowered))
    return 'this password is among the most common ones and is easy to guess';
  if (/^(.)\1+$/u.test(lowered)) return 'a password of one repeated character is easy to guess';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lowered.includes(local))
    return 'do not use your email address in your password';
  return undefined;
}

export function assertAcceptablePassword(
  password: string,
  context: { email?: string; name?: string } = {},
): void {
  const problem = passwordProblem(password, context);
  if (problem) throw WeakPassword(`Choose a stronger password: ${problem}`, { field: 'password' });
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password.normalize('NFKC'), options);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as verifying a real password, for an unknown email or an account
 * without a password, so timing does not tell an attacker which emails have accounts.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword('marquee-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}

/** Argon2 parameters a stored hash was made with are older than today's: rehash on next login. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, options);
}
