import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { viewerFrom, type Viewer } from '../catalog/index.ts';
import { userOf } from '../identity/index.ts';

/** Engagement is per profile; an account without an active profile keeps its own. */
export const profileKey = (profileId: string | null): string => profileId ?? 'account';

/** Who engages: the account, its active profile (and its key), and what that profile may see. */
export interface Member {
  userId: string;
  profileId: string | null;
  profileKey: string;
  /** A kids profile: reads comments on the titles it may see, never posts them. */
  isKids: boolean;
  viewer: Viewer;
}

/** The member of a request guarded by `user` access. */
export function memberFrom(
  request: FastifyRequest,
  options: { clock: Clock; countryHeader: string | undefined },
): Member {
  const actor = userOf(request);
  const profileId = actor.profile?.id ?? null;
  return {
    userId: actor.userId,
    profileId,
    profileKey: profileKey(profileId),
    isKids: actor.profile?.isKids ?? false,
    viewer: viewerFrom(request, options),
  };
}
