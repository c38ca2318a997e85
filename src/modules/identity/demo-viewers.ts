import type { Kysely } from 'kysely';
import { systemClock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { ProfilesRepository } from './profiles.repository.ts';
import { UsersRepository } from './users.repository.ts';

export const demoViewerEmail = (key: string | number) => `demo-viewer-${key}@demo.marquee.invalid`;

/**
 * Accounts standing for a data set's viewers (MovieLens users), each with one profile, so their
 * history has an owner. They have no password: nobody signs in as them. Safe to re-run.
 * Returns key → profile id. An operator's command (seed-demo): the system clock.
 */
export async function ensureDemoViewers(
  db: Kysely<DB>,
  keys: Array<string | number>,
): Promise<Map<string, string>> {
  const users = new UsersRepository(db, systemClock);
  const profiles = new ProfilesRepository(db, systemClock);
  const byEmail = new Map(keys.map((key) => [demoViewerEmail(key), String(key)]));
  const accounts = await users.ensurePasswordless(
    [...byEmail].map(([email, key]) => ({ email, name: `Demo viewer ${key}` })),
  );
  const withProfile = await profiles.accountsWithProfiles(accounts.map((account) => account.id));
  await profiles.insertFirst(accounts.filter((account) => !withProfile.has(account.id)));
  const result = new Map<string, string>();
  for (const profile of await profiles.listByEmails([...byEmail.keys()])) {
    const key = byEmail.get(profile.email);
    if (key !== undefined && !result.has(key)) result.set(key, profile.id);
  }
  return result;
}
