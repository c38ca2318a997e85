import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

export const demoViewerEmail = (key: string | number) => `demo-viewer-${key}@demo.marquee.invalid`;

/**
 * Accounts standing for a data set's viewers (MovieLens users), each with one profile, so their
 * history has an owner. They have no password: nobody signs in as them. Safe to re-run.
 * Returns key → profile id.
 */
export async function ensureDemoViewers(
  db: Kysely<DB>,
  keys: Array<string | number>,
): Promise<Map<string, string>> {
  const byEmail = new Map(keys.map((key) => [demoViewerEmail(key), String(key)]));
  const emails = [...byEmail.keys()];
  for (let index = 0; index < emails.length; index += 500) {
    const batch = emails.slice(index, index + 500);
    await db
      .insertInto('users')
      .values(
        batch.map((email) => ({
          email,
          name: `Demo viewer ${byEmail.get(email)}`,
          passwordHash: null,
          emailVerifiedAt: new Date(),
        })),
      )
      .onConflict((conflict) => conflict.column('email').doNothing())
      .execute();
  }
  const users = await db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('email', 'in', emails)
    .execute();
  const withProfile = new Set(
    (
      await db
        .selectFrom('profiles')
        .select('userId')
        .where(
          'userId',
          'in',
          users.map((user) => user.id),
        )
        .execute()
    ).map((row) => row.userId),
  );
  const missing = users.filter((user) => !withProfile.has(user.id));
  if (missing.length)
    await db
      .insertInto('profiles')
      .values(missing.map((user) => ({ userId: user.id, name: user.name.slice(0, 40) })))
      .execute();
  const profiles = await db
    .selectFrom('profiles')
    .innerJoin('users', 'users.id', 'profiles.userId')
    .select(['profiles.id', 'users.email'])
    .where('users.email', 'in', emails)
    .orderBy('profiles.createdAt')
    .execute();
  const result = new Map<string, string>();
  for (const profile of profiles) {
    const key = byEmail.get(profile.email);
    if (key !== undefined && !result.has(key)) result.set(key, profile.id);
  }
  return result;
}
