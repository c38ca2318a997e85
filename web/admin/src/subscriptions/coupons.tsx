import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { DataTable, money } from '../../../ui/table.tsx';

type Coupon = Schemas['Coupon'];

function discount(coupon: Coupon): string {
  const off =
    coupon.percentOff != null
      ? `${coupon.percentOff} % off`
      : `${money(coupon.amountOffMinor ?? 0, coupon.currency ?? 'USD')} off`;
  const duration =
    coupon.duration === 'repeating'
      ? `for ${coupon.durationMonths} months`
      : coupon.duration === 'once'
        ? 'once'
        : 'forever';
  return `${off}, ${duration}`;
}

/** A new coupon: a percentage or an amount off, once, for some months or forever. */
function NewCoupon() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [duration, setDuration] = useState<Coupon['duration']>('once');
  const create = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminCreateCoupon', {
        body: {
          code: fields.code ?? '',
          name: fields.name ?? '',
          duration,
          ...(kind === 'percent'
            ? { percentOff: Number(fields.percentOff) }
            : {
                amountOffMinor: Math.round(Number(fields.amountOff) * 100),
                currency: fields.currency ?? '',
              }),
          ...(duration === 'repeating' && { durationMonths: Number(fields.durationMonths) }),
          ...(fields.maxRedemptions && { maxRedemptions: Number(fields.maxRedemptions) }),
          ...(fields.validUntil && { validUntil: new Date(fields.validUntil).toISOString() }),
          firstSubscriptionOnly: fields.firstSubscriptionOnly === 'on',
        },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-coupons'] }),
  });
  return (
    <form
      className="ui-card admin-form-grid"
      aria-label="New coupon"
      onSubmit={(event) => create.mutate(formFields(event))}
    >
      <h2>New coupon</h2>
      <Field label="Code" name="code" required minLength={3} maxLength={40} pattern="[A-Za-z0-9_-]+" />
      <Field label="Name" name="name" required maxLength={200} />
      <label className="ui-field">
        <span>Discount</span>
        <select value={kind} onChange={(event) => setKind(event.target.value as 'percent' | 'amount')}>
          <option value="percent">Percentage</option>
          <option value="amount">Amount</option>
        </select>
      </label>
      {kind === 'percent' ? (
        <Field label="Percent off" name="percentOff" type="number" min={1} max={100} required />
      ) : (
        <>
          <Field label="Amount off" name="amountOff" type="number" min={0.01} step={0.01} required />
          <Field
            label="Currency"
            name="currency"
            required
            pattern="[A-Z]{3}"
            maxLength={3}
            placeholder="USD"
          />
        </>
      )}
      <label className="ui-field">
        <span>Applies</span>
        <select value={duration} onChange={(event) => setDuration(event.target.value as Coupon['duration'])}>
          <option value="once">Once</option>
          <option value="repeating">For some months</option>
          <option value="forever">Forever</option>
        </select>
      </label>
      {duration === 'repeating' && (
        <Field label="Months" name="durationMonths" type="number" min={1} max={36} required />
      )}
      <Field label="Redemptions at most (optional)" name="maxRedemptions" type="number" min={1} />
      <Field label="Valid until (optional)" name="validUntil" type="date" />
      <label className="admin-check">
        <input type="checkbox" name="firstSubscriptionOnly" /> First subscription only
      </label>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        Create coupon
      </Button>
      {create.isError && <Notice tone="error">{problemText(create.error)}</Notice>}
    </form>
  );
}

/** Offers: the coupons subscribers may redeem; withdraw one or offer it again. */
export default function Coupons() {
  const api = useApi();
  const queryClient = useQueryClient();
  const coupons = useQuery({ queryKey: ['admin-coupons'], queryFn: () => api.call('adminListCoupons') });
  const toggle = useMutation({
    mutationFn: (coupon: Coupon) =>
      api.call('adminUpdateCoupon', { path: { id: coupon.id }, body: { active: !coupon.active } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-coupons'] }),
  });
  return (
    <>
      <h1>Offers and coupons</h1>
      <NewCoupon />
      {coupons.isError && <Notice tone="error">{problemText(coupons.error)}</Notice>}
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      {coupons.data && (
        <DataTable
          label="Coupons"
          rows={coupons.data.coupons}
          rowKey={(c) => c.id}
          rowData={(c) => ({ 'data-coupon': c.code, 'data-active': String(c.active) })}
          empty="No coupon yet."
          columns={[
            { header: 'Code', cell: (c) => <code>{c.code}</code> },
            { header: 'Name', cell: (c) => c.name },
            { header: 'Discount', cell: discount },
            {
              header: 'Redeemed',
              cell: (c) => `${c.redemptionCount}${c.maxRedemptions != null ? ` of ${c.maxRedemptions}` : ''}`,
            },
            {
              header: 'Valid until',
              cell: (c) => (c.validUntil ? new Date(c.validUntil).toLocaleDateString() : '—'),
            },
            { header: 'Offered', cell: (c) => (c.active ? 'offered' : 'withdrawn') },
          ]}
          actions={(c) => (
            <Button
              onClick={() => toggle.mutate(c)}
              disabled={toggle.isPending}
              aria-label={`${c.active ? 'Withdraw' : 'Offer'} ${c.code}`}
            >
              {c.active ? 'Withdraw' : 'Offer'}
            </Button>
          )}
        />
      )}
    </>
  );
}
