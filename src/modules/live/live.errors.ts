import { defineError } from '../../shared/errors.ts';

export const LiveEventNotFound = defineError('LIVE_EVENT_NOT_FOUND', 'not_found', 'No such live event');
export const LiveEventEnded = defineError(
  'LIVE_EVENT_ENDED',
  'conflict',
  'The live event has ended: its chat is read-only',
);
export const LivePlanRequired = defineError(
  'LIVE_PLAN_REQUIRED',
  'payment_required',
  'The live event needs a higher plan',
);
export const LiveChatTicketInvalid = defineError(
  'LIVE_CHAT_TICKET_INVALID',
  'unauthenticated',
  'The chat ticket is unknown, used or expired: ask for a new one',
);
export const LiveChatBanned = defineError('LIVE_CHAT_BANNED', 'forbidden', 'This account may not chat');
export const LiveChatBlockedWord = defineError(
  'LIVE_CHAT_BLOCKED_WORD',
  'invalid',
  'The message contains a word that is not allowed',
);
export const LiveChatRateLimited = defineError(
  'LIVE_CHAT_RATE_LIMITED',
  'rate_limited',
  'Too many messages: wait a moment',
);
export const LiveChatSlowMode = defineError(
  'LIVE_CHAT_SLOW_MODE',
  'rate_limited',
  'Slow mode is on: wait before sending another message',
);
export const LiveChatForbidden = defineError(
  'LIVE_CHAT_FORBIDDEN',
  'forbidden',
  'Only moderators may do this',
);
export const LiveChatMessageNotFound = defineError(
  'LIVE_CHAT_MESSAGE_NOT_FOUND',
  'not_found',
  'No such chat message',
);
