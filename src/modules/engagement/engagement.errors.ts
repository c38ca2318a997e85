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
export const CommentNotFound = defineError('ENGAGEMENT_COMMENT_NOT_FOUND', 'not_found', 'No such comment');
export const CommentBanned = defineError(
  'ENGAGEMENT_COMMENT_BANNED',
  'forbidden',
  'This account may not post comments',
);
export const CommentBlockedWord = defineError(
  'ENGAGEMENT_COMMENT_BLOCKED_WORD',
  'invalid',
  'The comment contains a word that is not allowed',
);
export const CommentEditClosed = defineError(
  'ENGAGEMENT_COMMENT_EDIT_CLOSED',
  'conflict',
  'The comment can no longer be edited',
);
export const CommentNested = defineError(
  'ENGAGEMENT_COMMENT_NESTED',
  'invalid',
  'Replies take one level: reply to the top-level comment',
);
export const CommentRateLimited = defineError(
  'ENGAGEMENT_COMMENT_RATE_LIMITED',
  'rate_limited',
  'Too many comments; wait a little',
);
export const AccountNotFound = defineError('ENGAGEMENT_ACCOUNT_NOT_FOUND', 'not_found', 'No such account');
export const CommentKidsProfile = defineError(
  'ENGAGEMENT_COMMENT_KIDS_PROFILE',
  'forbidden',
  'Kids profiles read comments but do not post them',
);
export const CommentNotHidden = defineError(
  'ENGAGEMENT_COMMENT_NOT_HIDDEN',
  'conflict',
  'The comment is not hidden: there is nothing to restore',
);
