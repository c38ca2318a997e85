-- Which subscription a ledger event was applied to (an account's events, for support), and the
-- mails the reminder schedule sent (one per subscription, kind and period: sent once however often
-- the schedule runs).
alter table webhook_events add column subscription_id uuid references subscriptions (id) on delete set null;
create index webhook_events_subscription_id on webhook_events (subscription_id, received_at desc);

create table subscription_notices (
  subscription_id uuid not null references subscriptions (id) on delete cascade,
  kind text not null check (kind in ('trial_ending', 'renewal', 'payment_failed')),
  -- The period (or the failed payment) the notice is about.
  subject_key text not null,
  sent_at timestamptz not null,
  primary key (subscription_id, kind, subject_key)
);

-- The schedule's work lists.
create index subscriptions_incomplete_created on subscriptions (created_at) where status = 'incomplete';
create index subscription_payments_failed on subscription_payments (created_at) where status = 'failed';

-- What admins refunded of a payment (minor units); a full refund also moves its status to refunded.
alter table subscription_payments add column refunded_minor bigint not null default 0
  check (refunded_minor >= 0 and refunded_minor <= amount_minor);
