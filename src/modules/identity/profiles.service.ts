import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { RateLimiter, RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import {
  LastProfile,
  ProfileLimitReached,
  ProfileNameTaken,
  ProfileNotFound,
  ProfilePinRequired,
  ProfileRestricted,
  TooManyAttempts,
} from './identity.errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { ProfileChanges, ProfileRow, ProfilesRepository } from './profiles.repository.ts';
import type { SessionStates } from './session-states.ts';
import type { SessionsRepository } from './sessions.repository.ts';
import type { UsersRepository } from './users.repository.ts';

export type ProfilesChanged = (userId: string, profileIds: string[]) => Promise<void>;

export interface Profile {
  id: string;
  userId: string;
  name: string;
  avatar: string | null;
  isKids: boolean;
  maturityLimit: number | null;
  hasPin: boolean;
  language: string;
  createdAt: Date;
}

export interface ProfileInput {
  name?: string | undefined;
  avatar?: string | null | undefined;
  isKids?: boolean | undefined;
  maturityLimit?: number | null | undefined;
  pin?: string | null | undefined;
  language?: string | undefined;
}

/** The profile the requesting device watches as (its session's), by id; null when it has none. */
export interface ActingAs {
  activeProfileId: string | null;
}

type ProfileChange =
  | { kind: 'create' }
  | { kind: 'delete'; profileId: string }
  | { kind: 'update'; profileId: string; input: ProfileInput };

/** What a supervised device may still change on its own profile: nothing that loosens a limit. */
const COSMETIC: ReadonlySet<keyof ProfileInput> = new Set(['name', 'avatar', 'language']);

/**
 * Profile-scoped rules follow the active profile (issue 11, finding 2). A device acts as its
 * active profile, and a PIN is proved only by selecting its profile (which asks the PIN every
 * time, even for the profile already active). New devices start on a profile without a PIN.
 *
 * - A device is *supervised* when its active profile is a kids profile, or when the account has
 *   a PIN-locked profile and the active one is not PIN-locked (nobody on it proved a PIN). A
 *   supervised device may change only its own profile's name, avatar and language: it may not
 *   create or delete profiles, change any other profile, nor its own kids flag, maturity limit
 *   or PIN.
 * - From any device, a PIN-locked profile other than the active one is changed or deleted only
 *   after selecting it with its PIN.
 * - Otherwise (no PIN anywhere and an adult profile active, or a PIN-locked profile active)
 *   anything goes: the household set no lock.
 */
export function checkProfileChange(
  household: ReadonlyArray<{ id: string; isKids: boolean; hasPin: boolean }>,
  actingAs: ActingAs,
  change: ProfileChange,
): void {
  const active = household.find((profile) => profile.id === actingAs.activeProfileId);
  const supervised =
    !active || active.isKids || (!active.hasPin && household.some((profile) => profile.hasPin));
  if (change.kind === 'update' && change.profileId === active?.id) {
    if (!supervised) return;
    const loosened = (Object.keys(change.input) as Array<keyof ProfileInput>).filter(
      (field) => change.input[field] !== undefined && !COSMETIC.has(field),
    );
    if (loosened.length > 0)
      throw ProfileRestricted(`From this profile you may not change: ${loosened.join(', ')}`, {
        fields: loosened,
      });
    return;
  }
  if (supervised) throw ProfileRestricted();
  if (change.kind !== 'create') {
    const target = household.find((profile) => profile.id === change.profileId);
    if (target?.hasPin) throw ProfilePinRequired('Select this profile with its PIN to change it');
  }
}

const toProfile = (row: ProfileRow): Profile => ({
  id: row.id,
  userId: row.userId,
  name: row.name,
  avatar: row.avatar,
  isKids: row.isKids,
  maturityLimit: row.maturityLimit,
  hasPin: row.pinHash !== null,
  language: row.language,
  createdAt: row.createdAt,
});

/**
 * Viewer profiles within an account (up to AUTH_MAX_PROFILES). A kids profile carries a maturity
 * limit that the catalog and recommendations apply. The active profile belongs to the session —
 * each device watches as one profile — and is chosen with `select`, where the PIN is checked.
 */
export class ProfilesService {
  readonly #profiles: ProfilesRepository;
  readonly #users: UsersRepository;
  readonly #sessionRows: SessionsRepository;
  readonly #transactor: Transactor;
  readonly #sessions: SessionStates;
  readonly #maxProfiles: number;
  readonly #kidsMaturityLimit: number;
  readonly #pinAttempts: RateLimiter;
  readonly #changed: ProfilesChanged;

  constructor(options: {
    profiles: ProfilesRepository;
    users: UsersRepository;
    sessionRows: SessionsRepository;
    transactor: Transactor;
    sessions: SessionStates;
    rateLimits: RateLimits;
    maxProfiles: number;
    kidsMaturityLimit: number;
    /** Told after profiles change, so read caches can let go of them. */
    onChanged?: ProfilesChanged;
  }) {
    this.#changed = options.onChanged ?? (async () => {});
    this.#profiles = options.profiles;
    this.#users = options.users;
    this.#sessionRows = options.sessionRows;
    this.#transactor = options.transactor;
    this.#sessions = options.sessions;
    this.#maxProfiles = options.maxProfiles;
    this.#kidsMaturityLimit = options.kidsMaturityLimit;
    // 10 000 PINs are few: 5 tries per profile per 15 minutes.
    this.#pinAttempts = options.rateLimits.limiter({ name: 'profile-pin', points: 5, durationSeconds: 900 });
  }

  async list(userId: string): Promise<Profile[]> {
    return (await this.#profiles.listOf(userId)).map(toProfile);
  }

  async find(profileId: string): Promise<Profile | undefined> {
    const row = await this.#profiles.find(profileId);
    return row ? toProfile(row) : undefined;
  }

  async get(userId: string, profileId: string): Promise<Profile> {
    const row = await this.#profiles.findOwned(userId, profileId);
    if (!row) throw ProfileNotFound();
    return toProfile(row);
  }

  /** The profile a session watches as: the one selected on it, else the account's first. */
  async active(userId: string, selectedProfileId: string | null): Promise<Profile | undefined> {
    if (selectedProfileId) {
      const row = await this.#profiles.findOwned(userId, selectedProfileId);
      if (row) return toProfile(row);
    }
    return (await this.list(userId))[0];
  }

  /** The account's first profile, made with it (inside the registration's transaction). */
  async createDefault(trx: Executor, user: { id: string; name: string }): Promise<void> {
    await this.#profiles.insertFirst([user], trx);
  }

  async #checkChange(userId: string, actingAs: ActingAs, change: ProfileChange): Promise<void> {
    checkProfileChange(await this.list(userId), actingAs, change);
  }

  async create(userId: string, input: ProfileInput & { name: string }, actingAs: ActingAs): Promise<Profile> {
    await this.#checkChange(userId, actingAs, { kind: 'create' });
    const pinHash = input.pin ? await hashPassword(input.pin) : null;
    const profile = await this.#transactor.run(async (trx) => {
      await this.#users.lock(userId, trx);
      if ((await this.#profiles.count(userId, trx)) >= this.#maxProfiles)
        throw ProfileLimitReached(`An account may have ${this.#maxProfiles} profiles`);
      const isKids = input.isKids ?? false;
      const row = await this.#profiles
        .insert(
          {
            userId,
            name: input.name,
            avatar: input.avatar ?? null,
            isKids,
            maturityLimit:
              input.maturityLimit !== undefined
                ? input.maturityLimit
                : isKids
                  ? this.#kidsMaturityLimit
                  : null,
            pinHash,
            language: input.language ?? 'en',
          },
          trx,
        )
        .catch(nameTaken);
      return toProfile(row);
    });
    await this.#changed(userId, [profile.id]);
    return profile;
  }

  async update(userId: string, profileId: string, input: ProfileInput, actingAs: ActingAs): Promise<Profile> {
    const current = await this.get(userId, profileId);
    await this.#checkChange(userId, actingAs, { kind: 'update', profileId, input });
    const becomesKids = input.isKids ?? current.isKids;
    let maturityLimit = input.maturityLimit !== undefined ? input.maturityLimit : current.maturityLimit;
    // Turning a profile into a kids profile without a limit gives it the kids default.
    if (becomesKids && !current.isKids && input.maturityLimit === undefined)
      maturityLimit = this.#kidsMaturityLimit;
    const pinHash =
      input.pin === undefined ? undefined : input.pin === null ? null : await hashPassword(input.pin);
    const changes: ProfileChanges = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.avatar !== undefined && { avatar: input.avatar }),
      ...(input.language !== undefined && { language: input.language }),
      ...(pinHash !== undefined && { pinHash }),
      isKids: becomesKids,
      maturityLimit,
    };
    const row = await this.#profiles.update(userId, profileId, changes).catch(nameTaken);
    if (!row) throw ProfileNotFound();
    await this.#changed(userId, [profileId]);
    return toProfile(row);
  }

  async delete(userId: string, profileId: string, actingAs: ActingAs): Promise<void> {
    await this.get(userId, profileId); // another account's id: not found, before any rule
    await this.#checkChange(userId, actingAs, { kind: 'delete', profileId });
    const affectedSessions = await this.#transactor.run(async (trx) => {
      const profiles = await this.#profiles.lockIdsOf(userId, trx);
      if (!profiles.includes(profileId)) throw ProfileNotFound();
      if (profiles.length === 1) throw LastProfile();
      const sessions = await this.#sessionRows.idsOnProfile(profileId, trx);
      await this.#profiles.delete(profileId, trx);
      return sessions;
    });
    await this.#changed(userId, [profileId]);
    await Promise.all(affectedSessions.map((id) => this.#sessions.reload(id)));
  }

  /** Makes a profile the one this device watches as; a PIN-locked profile needs its PIN. */
  async select(options: {
    userId: string;
    sessionId: string;
    profileId: string;
    pin?: string | undefined;
  }): Promise<Profile> {
    const row = await this.#profiles.findOwned(options.userId, options.profileId);
    if (!row) throw ProfileNotFound();
    if (row.pinHash) {
      if (!options.pin) throw ProfilePinRequired();
      const attempt = await this.#pinAttempts.consume(row.id);
      if (!attempt.allowed) {
        const retryAfterSeconds = Math.ceil(attempt.retryAfterMs / 1000);
        throw TooManyAttempts(`Too many wrong PINs; try again in ${retryAfterSeconds} s`, {
          retryAfterSeconds,
        });
      }
      if (!(await verifyPassword(row.pinHash, options.pin))) throw ProfilePinRequired('Wrong PIN');
      await this.#pinAttempts.reset(row.id);
    }
    await this.#sessionRows.setProfile(options.sessionId, row.id);
    await this.#sessions.reload(options.sessionId);
    return toProfile(row);
  }
}

/** Two profiles of one account with one name: the unique index decided. */
function nameTaken(error: unknown): never {
  if (isUniqueViolation(error)) throw ProfileNameTaken();
  throw error;
}
