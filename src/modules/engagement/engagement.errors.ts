import { defineError } from '../../shared/errors.ts';

export const ProfileRequired = defineError(
  'ENGAGEMENT_PROFILE_REQUIRED',
  'conflict',
  'Choose a profile first: ratings belong to a profile',
);
export const NotInList = defineError('ENGAGEMENT_NOT_IN_LIST', 'not_found', 'The title is not in My List');
export const ListFull = defineError('ENGAGEMENT_LIST_FULL', 'conflict', 'My List is full');
export const ListOrderMismatch = defineError(
  'ENGAGEMENT_LIST_ORDER_MISMATCH',
  'conflict',
  'The new order must name every title of My List exactly once',
);
export const NotInHistory = defineError(
  'ENGAGEMENT_NOT_IN_HISTORY',
  'not_found',
  'The item is not in this profile’s history',
);
export const ProgressBusy = defineError(
  'ENGAGEMENT_PROGRESS_BUSY',
  'unavailable',
  'Too many progress updates are waiting to be written; retry in a second',
);
