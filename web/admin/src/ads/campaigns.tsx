import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';

const money = (amountMinor: number) => (amountMinor / 100).toLocaleString('en', { minimumFractionDigits: 2 });

/** Ad campaigns: schedule, price, budget, creatives; pause or resume one (every instance at once). */
export default function Campaigns() {
  const api = useApi();
  const queryClient = useQueryClient();
  const campaigns = useQuery({
    queryKey: ['admin-campaigns'],
    queryFn: () => api.call('adminListCampaigns'),
  });
  const toggle = useMutation({
    mutationFn: (campaign: { id: string; status: 'active' | 'paused' }) =>
      api.call('adminUpdateCampaign', {
        path: { id: campaign.id },
        body: { status: campaign.status === 'active' ? 'paused' : 'active' },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-campaigns'] }),
  });
  if (campaigns.isError) return <Notice tone="error">{problemText(campaigns.error)}</Notice>;
  if (campaigns.isPending) return <p className="ui-muted">Loading…</p>;
  return (
    <>
      <h1>Ad campaigns</h1>
      {toggle.isError && <Notice tone="error">{problemText(toggle.error)}</Notice>}
      {campaigns.data.items.length === 0 && <p className="ui-muted">No campaign yet.</p>}
      <div className="admin-scroll">
        <table className="ui-table" aria-label="Ad campaigns">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Runs</th>
              <th scope="col">CPM</th>
              <th scope="col">Budget</th>
              <th scope="col">Creatives</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.data.items.map((campaign) => (
              <tr key={campaign.id} data-campaign={campaign.id}>
                <td>{campaign.name}</td>
                <td>
                  {new Date(campaign.startsAt).toLocaleDateString()} –{' '}
                  {new Date(campaign.endsAt).toLocaleDateString()}
                </td>
                <td>{money(campaign.cpmMinor)}</td>
                <td>{money(campaign.budgetMinor)}</td>
                <td>{campaign.creatives.length}</td>
                <td>
                  <Button
                    onClick={() => toggle.mutate(campaign)}
                    disabled={toggle.isPending}
                    aria-label={`${campaign.status === 'active' ? 'Pause' : 'Resume'} ${campaign.name}`}
                  >
                    {campaign.status === 'active' ? 'Pause' : 'Resume'}
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
