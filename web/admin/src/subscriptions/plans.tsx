import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { formFields } from '../../../ui/forms.ts';
import { DataTable, money } from '../../../ui/table.tsx';

type Plan = Schemas['Plan'];

const adPolicyText = (plan: Plan) =>
  plan.hasAds
    ? [
        plan.adPreroll ? 'pre-roll' : 'no pre-roll',
        plan.adMidrollIntervalMinutes > 0
          ? `mid-roll every ${plan.adMidrollIntervalMinutes} min`
          : 'no mid-rolls',
        `${plan.adPodMax} per break`,
      ].join(' · ')
    : 'none';

/** Plans: prices, limits, and whether new subscribers may pick them. */
export default function Plans() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [editingAds, setEditingAds] = useState<Plan | null>(null);
  const plans = useQuery({ queryKey: ['admin-plans'], queryFn: () => api.call('adminListPlans') });
  const toggle = useMutation({
    mutationFn: (plan: { id: string; active: boolean }) =>
      api.call('adminUpdatePlan', { path: { planId: plan.id }, body: { active: !plan.active } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-plans'] }),
  });
  const saveAds = useMutation({
    mutationFn: (input: { planId: string; fields: Record<string, string> }) =>
      api.call('adminUpdatePlan', {
        path: { planId: input.planId },
        body: {
          hasAds: input.fields.hasAds === 'on',
          adPreroll: input.fields.adPreroll === 'on',
          adMidrollIntervalMinutes: Number(input.fields.adMidrollIntervalMinutes),
          adPodMax: Number(input.fields.adPodMax),
        },
      }),
    onSuccess: async () => {
      setEditingAds(null);
      await queryClient.invalidateQueries({ queryKey: ['admin-plans'] });
    },
  });
  return (
    <>
      <h1>Plans</h1>
      {plans.isError && <Notice tone="error">{problemText(plans.error)}</Notice>}
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      {editingAds && (
        <form
          key={editingAds.id}
          className="admin-inline-form ui-card"
          aria-label={`Ads on ${editingAds.name}`}
          onSubmit={(event) => saveAds.mutate({ planId: editingAds.id, fields: formFields(event) })}
        >
          <label className="admin-check">
            <input type="checkbox" name="hasAds" defaultChecked={editingAds.hasAds} /> Ads
          </label>
          <label className="admin-check">
            <input type="checkbox" name="adPreroll" defaultChecked={editingAds.adPreroll} /> Pre-roll
          </label>
          <Field
            label="Mid-roll every (minutes, 0: none)"
            name="adMidrollIntervalMinutes"
            type="number"
            min={0}
            max={120}
            required
            defaultValue={editingAds.adMidrollIntervalMinutes}
          />
          <Field
            label="Ads per break"
            name="adPodMax"
            type="number"
            min={1}
            max={6}
            required
            defaultValue={editingAds.adPodMax}
          />
          <Button type="submit" variant="primary" disabled={saveAds.isPending}>
            Save ads
          </Button>
          <Button onClick={() => setEditingAds(null)}>Cancel</Button>
        </form>
      )}
      {saveAds.isError && <Notice tone="error">{problemText(saveAds.error)}</Notice>}
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
            { header: 'Ads', cell: adPolicyText },
            { header: 'Offered', cell: (plan) => (plan.active ? 'offered' : 'withdrawn') },
          ]}
          actions={(plan) => (
            <>
              <Button onClick={() => setEditingAds(plan)} aria-label={`Edit ads on ${plan.name}`}>
                Ads…
              </Button>
              <Button
                onClick={() => toggle.mutate(plan)}
                disabled={toggle.isPending}
                aria-label={`${plan.active ? 'Withdraw' : 'Offer'} ${plan.name}`}
              >
                {plan.active ? 'Withdraw' : 'Offer'}
              </Button>
            </>
          )}
        />
      )}
    </>
  );
}
