import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';

const money = (amountMinor: number, currency: string) =>
  (amountMinor / 100).toLocaleString('en', { style: 'currency', currency });

/** Plans: prices, limits, and whether new subscribers may pick them. */
export default function Plans() {
  const api = useApi();
  const queryClient = useQueryClient();
  const plans = useQuery({ queryKey: ['admin-plans'], queryFn: () => api.call('adminListPlans') });
  const toggle = useMutation({
    mutationFn: (plan: { id: string; active: boolean }) =>
      api.call('adminUpdatePlan', { path: { planId: plan.id }, body: { active: !plan.active } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-plans'] }),
  });
  if (plans.isError) return <Notice tone="error">{problemText(plans.error)}</Notice>;
  if (plans.isPending) return <p className="ui-muted">Loading…</p>;
  return (
    <>
      <h1>Plans</h1>
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      <div className="admin-scroll">
        <table className="ui-table" aria-label="Plans">
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Tier</th>
              <th scope="col">Prices</th>
              <th scope="col">Limits</th>
              <th scope="col">Trial</th>
              <th scope="col">Offered</th>
            </tr>
          </thead>
          <tbody>
            {plans.data.plans.map((plan) => (
              <tr key={plan.id} data-plan={plan.id}>
                <td>
                  {plan.name}
                  {plan.hasAds && <span className="ui-muted"> · with ads</span>}
                </td>
                <td>{plan.tier}</td>
                <td>
                  {plan.prices.map((p) => `${money(p.amountMinor, p.currency)}/${p.interval}`).join(', ') ||
                    'free'}
                </td>
                <td>
                  {plan.maxHeight}p · {plan.maxStreams} streams · {plan.maxDevices} devices
                </td>
                <td>{plan.trialDays} days</td>
                <td>
                  {plan.active ? 'offered' : 'withdrawn'}{' '}
                  <Button
                    onClick={() => toggle.mutate(plan)}
                    disabled={toggle.isPending}
                    aria-label={`${plan.active ? 'Withdraw' : 'Offer'} ${plan.name}`}
                  >
                    {plan.active ? 'Withdraw' : 'Offer'}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
