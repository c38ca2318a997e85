import { rotateSigningKeys } from '../../modules/identity/index.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Command } from '../command.ts';

export const rotateSigningKeyCommand: Command = {
  name: 'rotate-signing-key',
  summary: 'Add a new JWT signing key (tokens signed with older keys stay valid until they expire)',
  usage: 'marquee rotate-signing-key [--prune]',
  options: { prune: { type: 'boolean' } },
  async run({ config, print }, values) {
    // Keys older than two access-token lifetimes can no longer have live tokens: safe to drop.
    const pruneBefore = values.prune
      ? new Date(systemClock.now().getTime() - 2 * config.auth.accessTokenTtlSeconds * 1000)
      : undefined;
    const { added, kept } = await rotateSigningKeys(config.auth.signingKeysFile, {
      clock: systemClock,
      pruneBefore,
    });
    print(
      `New signing key ${added.kid} in ${config.auth.signingKeysFile}; ${kept} older key(s) kept for verification.`,
    );
    print('Restart (or roll) every instance so they sign with it; they must all read the same file.');
  },
};
