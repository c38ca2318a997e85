import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { DataTable, money } from '../../../ui/table.tsx';
import { usePlanNames } from './plan-names.ts';

type Status = NonNullable<Schemas['AdminSubscription']['status']>;
const statuses: Status[] = ['incomplete', 'trialing', 'active', 'past_due', 'grace', 'canceled', 'expired'];

/** Subscriptions: search by account email, state or plan; each row opens the account's billing. */
export default function Subscriptions() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const email = params.get('email') ?? '';
  const status = (params.get('status') ?? '') as Status | '';
  const planName = usePlanNames();
  const found = useQuery({
    queryKey: ['admin-subscriptions', email, status],
    queryFn: () =>
      api.call('adminListSubscriptions', {
        query: { email: email || undefined, status: status || undefined, limit: 50 },
      }),
  });
  return (
    <>
      <h1>Subscriptions</h1>
      <form
        role="search"
        aria-label="Find subscriptions"
        className="admin-inline-form"
        onSubmit={(event) => {
          const fields = formFields(event);
          setParams({ email: fields.email ?? '', status: fields.status ?? '' });
        }}
      >
        <Field label="Account email" name="email" type="search" defaultValue={email} />
        <label className="ui-field">
          <span>Status</span>
          <select name="status" defaultValue={status}>
            <option value="">Any</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" variant="primary">
          Search
        </Button>
      </form>
      {found.isError && <Notice tone="error">{problemText(found.error)}</Notice>}
      {found.data && (
        <DataTable
          label="Subscriptions"
          rows={found.data.items}
          rowKey={(s) => s.id}
          rowData={(s) => ({ 'data-subscription': s.id, 'data-status': s.status })}
          empty="No subscription matches."
          columns={[
            {
              header: 'Account',
              cell: (s) => <Link to={`/subscriptions/accounts/${s.userId}`}>{s.userId.slice(0, 8)}</Link>,
            },
            { header: 'Plan', cell: (s) => planName(s.planId) },
            {
              header: 'Status',
              cell: (s) => `${s.status.replace('_', ' ')}${s.cancelAtPeriodEnd ? ' (ends)' : ''}`,
            },
            { header: 'Provider', cell: (s) => `${s.provider}${s.sandbox ? ' (sandbox)' : ''}` },
            {
              header: 'Price',
              cell: (s) =>
                s.amountMinor != null && s.currency
                  ? `${money(s.amountMinor, s.currency)}/${s.interval}`
                  : '—',
            },
            {
              header: 'Renews or ends',
              cell: (s) => (s.currentPeriodEnd ? new Date(s.currentPeriodEnd).toLocaleDateString() : '—'),
            },
          ]}
        />
      )}
    </>
  );
}
