import { defineError } from '../../shared/errors.ts';

/** Why a subscription, plan, offer or webhook request was refused. Codes are stable API. */
export const PlanNotFound = defineError('PLAN_NOT_FOUND', 'not_found', 'No such plan');
export const PlanExists = defineError('PLAN_EXISTS', 'conflict', 'A plan with this id or tier exists');
export const PlanInUse = defineError('PLAN_IN_USE', 'conflict', 'Accounts are on this plan');
export const PriceNotOffered = defineError(
  'SUBSCRIPTION_PRICE_NOT_OFFERED',
  'invalid',
  'The plan has no price in this currency and interval',
);
export const ProviderUnavailable = defineError(
  'SUBSCRIPTION_PROVIDER_UNAVAILABLE',
  'invalid',
  'This payment provider is not configured',
);
export const ProviderFailed = defineError(
  'SUBSCRIPTION_PROVIDER_FAILED',
  'unavailable',
  'The payment provider did not answer; nothing was charged',
);
export const AlreadySubscribed = defineError(
  'SUBSCRIPTION_EXISTS',
  'conflict',
  'This account already has a subscription',
);
export const NoSubscription = defineError('SUBSCRIPTION_NOT_FOUND', 'not_found', 'No subscription');
export const SubscriptionStateConflict = defineError(
  'SUBSCRIPTION_STATE_CONFLICT',
  'conflict',
  'The subscription is not in a state that allows this',
);
export const CheckoutNotFound = defineError('CHECKOUT_NOT_FOUND', 'not_found', 'No such checkout');
export const CouponInvalid = defineError('COUPON_INVALID', 'invalid', 'This coupon cannot be used');
export const CouponExhausted = defineError('COUPON_EXHAUSTED', 'conflict', 'This coupon has been used up');
export const CouponExists = defineError('COUPON_EXISTS', 'conflict', 'A coupon with this code exists');
export const CouponNotFound = defineError('COUPON_NOT_FOUND', 'not_found', 'No such coupon');
export const WebhookSignatureInvalid = defineError(
  'WEBHOOK_SIGNATURE_INVALID',
  'unauthenticated',
  'The webhook signature is missing, wrong or too old',
);
export const WebhookNotConfigured = defineError(
  'WEBHOOK_NOT_CONFIGURED',
  'not_found',
  'Webhooks from this provider are not configured',
);
export const PaymentNotFound = defineError('SUBSCRIPTION_PAYMENT_NOT_FOUND', 'not_found', 'No such payment');
export const RefundNotAllowed = defineError(
  'SUBSCRIPTION_REFUND_NOT_ALLOWED',
  'conflict',
  'This payment cannot be refunded (not paid, or refunded already)',
);
export const RefundTooLarge = defineError(
  'SUBSCRIPTION_REFUND_TOO_LARGE',
  'invalid',
  'The refund is more than what is left of the payment',
);
