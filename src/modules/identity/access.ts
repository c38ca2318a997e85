/**
 * Who may do what — all of it, in this one file.
 *
 * Roles grant named permissions. Routes ask `can(actor, permission)` (derived from each route's
 * `config.access`); what belongs to an account is reached only through that account. A service API key carries scopes, which are
 * permission names; it can do what they say, within what its creator may do today, and nothing a
 * person could do by owning something.
 *
 * Privilege is compared on every operation that changes someone's privileges (roles, disabling,
 * API keys): the actor — person or key — may act only on an account or key with no more rights
 * than its own (`holdsAllOf`, `holdsScopes`), and may grant only what it holds.
 */

import type { AccountSnapshot, ProfileSnapshot } from './session-states.ts';

export const roles = ['viewer', 'content_manager', 'support', 'admin'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'content:read-unpublished',
  'content:write',
  'media:manage',
  'users:read',
  'users:manage',
  'roles:assign',
  'subscriptions:read',
  'subscriptions:refund',
  'plans:manage',
  'audit:read',
  'api-keys:manage',
  'jobs:manage',
  'mail:read',
  'analytics:read',
  'settings:manage',
  'playback:keys',
  'comments:moderate',
  'ads:manage',
] as const;
export type Permission = (typeof permissions)[number];

const rolePermissions: Record<Role, readonly Permission[]> = {
  viewer: [],
  content_manager: [
    'content:read-unpublished',
    'content:write',
    'media:manage',
    'jobs:manage',
    'analytics:read',
  ],
  support: [
    'users:read',
    'users:manage',
    'subscriptions:read',
    'subscriptions:refund',
    'audit:read',
    'mail:read',
    'comments:moderate',
  ],
  admin: permissions,
};

const grantedByRoles = new Map<string, ReadonlySet<Permission>>();

/** The permissions a set of roles grants (memoised: asked on every authenticated request). */
export function permissionsOf(userRoles: readonly string[]): ReadonlySet<Permission> {
  const key = userRoles.join(',');
  let granted = grantedByRoles.get(key);
  if (!granted) {
    const set = new Set<Permission>();
    for (const role of userRoles) {
      for (const permission of rolePermissions[role as Role] ?? []) set.add(permission);
    }
    granted = set;
    if (grantedByRoles.size < 64) grantedByRoles.set(key, granted);
  }
  return granted;
}

export type Actor =
  | {
      kind: 'user';
      userId: string;
      sessionId: string;
      roles: readonly Role[];
      permissions: ReadonlySet<Permission>;
      account: AccountSnapshot;
      /** The profile this device watches as (maturity limit, language…). */
      profile: ProfileSnapshot | null;
    }
  | {
      kind: 'api_key';
      keyId: string;
      name: string;
      /** Its scopes ∩ its creator's current rights: a key never holds more than the person behind it. */
      permissions: ReadonlySet<Permission>;
      /** The person ultimately responsible for it (a key made by a key names its parent's creator). */
      createdBy: string | null;
      /** Epoch ms, or null for a key that does not expire. */
      expiresAt: number | null;
    };

/**
 * Whether the actor holds the permission. Ownership is not a permission here: a signed-in
 * person's own things are found through their account (`where user_id = $caller` in the
 * repositories), so another account's id is simply not found.
 */
export function can(actor: Actor | null, permission: Permission): boolean {
  return actor !== null && actor.permissions.has(permission);
}

/** The actor holds every permission these roles grant: they may manage an account that has them. */
export function holdsAllOf(actor: Actor, targetRoles: readonly Role[]): boolean {
  return targetRoles.every((role) => (rolePermissions[role] ?? []).every((p) => actor.permissions.has(p)));
}

/** Only holders of roles:assign give roles, and never beyond their own. */
export function canAssignRoles(actor: Actor, wanted: readonly Role[]): boolean {
  return actor.permissions.has('roles:assign') && holdsAllOf(actor, wanted);
}

/** The actor holds every one of these permissions: it may grant them, or act on a key that has them. */
export function holdsScopes(actor: Actor, scopes: readonly string[]): boolean {
  return scopes.every((scope) => actor.permissions.has(scope as Permission));
}
