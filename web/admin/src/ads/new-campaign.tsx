import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';

const NEW_ADVERTISER = '__new__';
const minor = (major: string | undefined) => Math.round(Number(major ?? 0) * 100);
const today = () => new Date().toISOString().slice(0, 10);

/**
 * A new campaign for an advertiser (an existing one, or one named here and created first). It
 * starts paused unless asked: creatives are added to it before it runs.
 */
export function NewCampaign() {
  const api = useApi();
  const queryClient = useQueryClient();
  const advertisers = useQuery({
    queryKey: ['admin-advertisers'],
    queryFn: () => api.call('adminListAdvertisers'),
  });
  const [advertiser, setAdvertiser] = useState('');
  const chosen = advertiser || advertisers.data?.items[0]?.id || NEW_ADVERTISER;
  const create = useMutation({
    mutationFn: async (fields: Record<string, string>) => {
      const advertiserId =
        chosen === NEW_ADVERTISER
          ? (await api.call('adminCreateAdvertiser', { body: { name: fields.advertiserName ?? '' } })).id
          : chosen;
      return api.call('adminCreateCampaign', {
        body: {
          advertiserId,
          name: fields.name ?? '',
          status: fields.startNow === 'on' ? 'active' : 'paused',
          priority: Number(fields.priority ?? 1),
          cpmMinor: minor(fields.cpm),
          budgetMinor: minor(fields.budget),
          startsAt: new Date(`${fields.startsAt}T00:00:00Z`).toISOString(),
          endsAt: new Date(`${fields.endsAt}T23:59:59Z`).toISOString(),
          ...(fields.dailyCap && { dailyImpressionCap: Number(fields.dailyCap) }),
          ...(fields.frequencyCap && { frequencyCapPerDay: Number(fields.frequencyCap) }),
        },
      });
    },
    onSuccess: async () => {
      setAdvertiser('');
      await queryClient.invalidateQueries({ queryKey: ['admin-campaigns'] });
      await queryClient.invalidateQueries({ queryKey: ['admin-advertisers'] });
    },
  });
  return (
    <form
      className="ui-card admin-form-grid"
      aria-label="New campaign"
      onSubmit={(event) => create.mutate(formFields(event))}
    >
      <h2>New campaign</h2>
      <label className="ui-field">
        <span>Advertiser</span>
        <select value={chosen} onChange={(event) => setAdvertiser(event.target.value)}>
          {advertisers.data?.items.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
          <option value={NEW_ADVERTISER}>New advertiser…</option>
        </select>
      </label>
      {chosen === NEW_ADVERTISER && (
        <Field label="Advertiser name" name="advertiserName" required maxLength={120} />
      )}
      <Field label="Campaign name" name="name" required maxLength={120} />
      <Field label="Priority" name="priority" type="number" min={1} max={10} defaultValue={1} required />
      <Field label="CPM" name="cpm" type="number" min={0} step={0.01} required />
      <Field label="Budget" name="budget" type="number" min={0.01} step={0.01} required />
      <Field label="Starts" name="startsAt" type="date" defaultValue={today()} required />
      <Field label="Ends" name="endsAt" type="date" required />
      <Field label="Impressions a day at most (optional)" name="dailyCap" type="number" min={1} />
      <Field label="Per viewer a day at most (optional)" name="frequencyCap" type="number" min={1} />
      <label className="admin-check">
        <input type="checkbox" name="startNow" /> Run at once
      </label>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        Create campaign
      </Button>
      {create.isError && <Notice tone="error">{problemText(create.error)}</Notice>}
      {create.isSuccess && <Notice tone="success">Campaign {create.data.name} created.</Notice>}
    </form>
  );
}
