import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { DataTable, money } from '../../../ui/table.tsx';
import { NewCampaign } from './new-campaign.tsx';

type Campaign = Schemas['AdCampaign'];

/** Ad campaigns: schedule, price, budget, creatives; create one; pause or resume one (every instance at once). */
export default function Campaigns() {
  const api = useApi();
  const queryClient = useQueryClient();
  const campaigns = useQuery({
    queryKey: ['admin-campaigns'],
    queryFn: () => api.call('adminListCampaigns'),
  });
  const toggle = useMutation({
    mutationFn: (campaign: Campaign) =>
      api.call('adminUpdateCampaign', {
        path: { id: campaign.id },
        body: { status: campaign.status === 'active' ? 'paused' : 'active' },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-campaigns'] }),
  });
  return (
    <>
      <h1>Ad campaigns</h1>
      <NewCampaign />
      {campaigns.isError && <Notice tone="error">{problemText(campaigns.error)}</Notice>}
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      {campaigns.data && (
        <DataTable
          label="Ad campaigns"
          rows={campaigns.data.items}
          rowKey={(campaign) => campaign.id}
          rowData={(campaign) => ({ 'data-campaign': campaign.id, 'data-status': campaign.status })}
          empty="No campaign yet."
          columns={[
            { header: 'Campaign', cell: (campaign) => campaign.name },
            {
              header: 'Runs',
              cell: (campaign) =>
                `${new Date(campaign.startsAt).toLocaleDateString()} – ${new Date(campaign.endsAt).toLocaleDateString()}`,
            },
            { header: 'CPM', cell: (campaign) => money(campaign.cpmMinor) },
            { header: 'Budget', cell: (campaign) => money(campaign.budgetMinor) },
            { header: 'Creatives', cell: (campaign) => campaign.creatives.length },
            { header: 'Status', cell: (campaign) => campaign.status },
          ]}
          actions={(campaign) => (
            <Button
              onClick={() => toggle.mutate(campaign)}
              disabled={toggle.isPending}
              aria-label={`${campaign.status === 'active' ? 'Pause' : 'Resume'} ${campaign.name}`}
            >
              {campaign.status === 'active' ? 'Pause' : 'Resume'}
            </Button>
          )}
        />
      )}
    </>
  );
}
