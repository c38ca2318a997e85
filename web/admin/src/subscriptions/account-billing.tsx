import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Response } from '../../../ui/api/client.ts';
import { DataTable, money } from '../../../ui/table.tsx';
import { usePlanNames } from './plan-names.ts';

type Payment = Response<'adminGetAccountSubscriptions'>['payments'][number];

/** Refund the rest of a payment, or part of it (an amount in the payment's currency). */
function RefundForm({ payment, userId }: { payment: Payment; userId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const left = payment.amountMinor - payment.refundedMinor;
  const refund = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminRefundPayment', {
        path: { id: payment.id },
        body: {
          ...(fields.amount && { amountMinor: Math.round(Number(fields.amount) * 100) }),
          ...(fields.reason && { reason: fields.reason }),
        },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-account-billing', userId] }),
  });
  if (payment.status !== 'paid' || left <= 0) return <span className="ui-muted">—</span>;
  const label = `Refund payment of ${money(payment.amountMinor, payment.currency)} on ${new Date(payment.createdAt).toLocaleDateString()}`;
  return (
    <form
      aria-label={label}
      className="admin-inline-form"
      onSubmit={(event) => refund.mutate(formFields(event))}
    >
      <label className="ui-field">
        <span>Amount ({payment.currency}, empty: all)</span>
        <input name="amount" type="number" min={0.01} max={left / 100} step={0.01} size={8} />
      </label>
      <label className="ui-field">
        <span>Reason</span>
        <input name="reason" maxLength={500} size={14} />
      </label>
      <Button type="submit" disabled={refund.isPending}>
        Refund
      </Button>
      {refund.isError && <Notice tone="error">{problemText(refund.error)}</Notice>}
    </form>
  );
}

/** One account's billing: its subscriptions, its payments (with refunds) and the provider events. */
export default function AccountBilling() {
  const api = useApi();
  const { userId = '' } = useParams();
  const planName = usePlanNames();
  const billing = useQuery({
    queryKey: ['admin-account-billing', userId],
    queryFn: () => api.call('adminGetAccountSubscriptions', { path: { id: userId } }),
  });
  return (
    <>
      <p>
        <Link to="/subscriptions">← Subscriptions</Link>
      </p>
      <h1>Billing of account {userId.slice(0, 8)}</h1>
      {billing.isError && <Notice tone="error">{problemText(billing.error)}</Notice>}
      {billing.data && (
        <>
          <h2>Subscriptions</h2>
          <DataTable
            label="Subscriptions of this account"
            rows={billing.data.subscriptions}
            rowKey={(s) => s.id}
            empty="No subscription."
            columns={[
              { header: 'Plan', cell: (s) => planName(s.planId) },
              { header: 'Status', cell: (s) => s.status.replace('_', ' ') },
              { header: 'Provider', cell: (s) => s.provider },
              { header: 'Started', cell: (s) => new Date(s.createdAt).toLocaleDateString() },
              {
                header: 'Period ends',
                cell: (s) => (s.currentPeriodEnd ? new Date(s.currentPeriodEnd).toLocaleDateString() : '—'),
              },
            ]}
          />
          <h2>Payments</h2>
          <DataTable
            label="Payments"
            rows={billing.data.payments}
            rowKey={(p) => p.id}
            rowData={(p) => ({ 'data-payment': p.id, 'data-payment-status': p.status })}
            empty="No payment."
            columns={[
              { header: 'Date', cell: (p) => new Date(p.createdAt).toLocaleDateString() },
              { header: 'Amount', cell: (p) => money(p.amountMinor, p.currency) },
              {
                header: 'Refunded',
                cell: (p) => (p.refundedMinor > 0 ? money(p.refundedMinor, p.currency) : '—'),
              },
              { header: 'Status', cell: (p) => p.status },
              { header: 'Provider', cell: (p) => p.provider },
            ]}
            actions={(p) => <RefundForm payment={p} userId={userId} />}
          />
          <h2>Provider events</h2>
          <DataTable
            label="Provider events"
            rows={billing.data.events}
            rowKey={(e) => `${e.provider}:${e.eventId}`}
            empty="No provider event."
            columns={[
              { header: 'Event', cell: (e) => e.type },
              { header: 'Provider', cell: (e) => e.provider },
              { header: 'Received', cell: (e) => new Date(e.receivedAt).toLocaleString() },
              {
                header: 'Applied',
                cell: (e) => (e.appliedAt ? new Date(e.appliedAt).toLocaleString() : 'not yet'),
              },
            ]}
          />
        </>
      )}
    </>
  );
}
