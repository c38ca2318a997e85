import type { Schemas } from '../../ui/api/openapi.generated.ts';

/**
 * Which console sections a role opens. The server decides every call (src/modules/identity/
 * access.ts); this only keeps the navigation to what the signed-in person can use.
 */
export type Role = Schemas['User']['roles'][number];
export type Section =
  | 'dashboard'
  | 'content'
  | 'jobs'
  | 'live'
  | 'users'
  | 'comments'
  | 'subscriptions'
  | 'plans'
  | 'ads'
  | 'audit'
  | 'settings';

const sectionsOf: Record<Role, readonly Section[]> = {
  viewer: [],
  content_manager: ['dashboard', 'content', 'jobs', 'live'],
  support: ['users', 'comments', 'subscriptions', 'audit'],
  admin: [
    'dashboard',
    'content',
    'jobs',
    'live',
    'users',
    'comments',
    'subscriptions',
    'plans',
    'ads',
    'audit',
    'settings',
  ],
};

export function sectionsFor(roles: readonly Role[]): Set<Section> {
  return new Set(roles.flatMap((role) => sectionsOf[role]));
}

/** Anyone with a role beyond viewer may use the console. */
export const isStaff = (roles: readonly Role[]) => sectionsFor(roles).size > 0;
