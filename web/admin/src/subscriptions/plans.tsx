import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { DataTable, money } from '../../../ui/table.tsx';

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
  return (
    <>
      <h1>Plans</h1>
      {plans.isError && <Notice tone="error">{problemText(plans.error)}</Notice>}
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      {plans.data && (
        <DataTable
          label="Plans"
          rows={plans.data.plans}
          rowKey={(plan) => plan.id}
          rowData={(plan) => ({ 'data-plan': plan.id })}
          empty="No plan."
          columns={[
            {
              header: 'Plan',
              cell: (plan) => (
                <>
                  {plan.name}
                  {plan.hasAds && <span className="ui-muted"> · with ads</span>}
                </>
              ),
            },
            { header: 'Tier', cell: (plan) => plan.tier },
            {
              header: 'Prices',
              cell: (plan) =>
                plan.prices.map((p) => `${money(p.amountMinor, p.currency)}/${p.interval}`).join(', ') ||
                'free',
            },
            {
              header: 'Limits',
              cell: (plan) => `${plan.maxHeight}p · ${plan.maxStreams} streams · ${plan.maxDevices} devices`,
            },
            { header: 'Trial', cell: (plan) => `${plan.trialDays} days` },
            { header: 'Offered', cell: (plan) => (plan.active ? 'offered' : 'withdrawn') },
          ]}
          actions={(plan) => (
            <Button
              onClick={() => toggle.mutate(plan)}
              disabled={toggle.isPending}
              aria-label={`${plan.active ? 'Withdraw' : 'Offer'} ${plan.name}`}
            >
              {plan.active ? 'Withdraw' : 'Offer'}
            </Button>
          )}
        />
      )}
    </>
  );
}
