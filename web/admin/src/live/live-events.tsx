import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import { DataTable } from '../../../ui/table.tsx';

/** A stream key is shown once, when made or rotated: the server keeps only its hash. */
function StreamKey({ label, streamKey }: { label: string; streamKey: string }) {
  return (
    <Notice tone="success">
      Stream key for {label} (shown once — copy it into the encoder now):{' '}
      <code data-stream-key>{streamKey}</code>
    </Notice>
  );
}

/** Live events: schedule one (its stream key shown once), see their state and viewers now, rotate a key. */
export default function LiveEvents() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [shownKey, setShownKey] = useState<{ label: string; streamKey: string } | null>(null);
  const events = useQuery({
    queryKey: ['admin-live-events'],
    queryFn: () => api.call('adminListLiveEvents', { query: { limit: 50 } }),
    // State moves from scheduled to live to ended as the encoder connects and stops; the viewer
    // count moves with the chat's presence interval (5 s by default), so a live event asks as often.
    refetchInterval: (query) => (query.state.data?.items.some((e) => e.state === 'live') ? 5000 : 10_000),
  });
  const create = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminCreateLiveEvent', {
        body: {
          title: fields.title ?? '',
          scheduledStart: new Date(fields.scheduledStart ?? '').toISOString(),
        },
      }),
    onSuccess: (created) => {
      setShownKey({ label: created.event.title, streamKey: created.streamKey });
      void queryClient.invalidateQueries({ queryKey: ['admin-live-events'] });
    },
  });
  const rotate = useMutation({
    mutationFn: (event: { id: string; title: string }) =>
      api
        .call('adminRotateLiveStreamKey', { path: { id: event.id } })
        .then((r) => ({ ...r, title: event.title })),
    onSuccess: (rotated) => setShownKey({ label: rotated.title, streamKey: rotated.streamKey }),
  });
  return (
    <>
      <h1>Live events</h1>
      <form
        className="admin-inline-form ui-card"
        aria-label="New live event"
        onSubmit={(event) => create.mutate(formFields(event))}
      >
        <Field label="Title" name="title" required maxLength={300} />
        <Field label="Starts at" name="scheduledStart" type="datetime-local" required />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Schedule
        </Button>
      </form>
      {create.isError && <Notice tone="error">{problemText(create.error)}</Notice>}
      {rotate.isError && <Notice tone="error">{problemText(rotate.error)}</Notice>}
      {shownKey && <StreamKey {...shownKey} />}
      {events.isError && <Notice tone="error">{problemText(events.error)}</Notice>}
      {events.data && (
        <DataTable
          label="Live events"
          rows={events.data.items}
          rowKey={(event) => event.id}
          rowData={(event) => ({ 'data-live-event': event.id, 'data-viewers': String(event.viewersNow) })}
          empty="No live event yet."
          columns={[
            { header: 'Title', cell: (event) => event.title },
            { header: 'Starts', cell: (event) => new Date(event.scheduledStart).toLocaleString() },
            { header: 'State', cell: (event) => event.state },
            {
              header: 'Watching now',
              cell: (event) => (event.state === 'live' ? event.viewersNow.toLocaleString('en') : '—'),
            },
          ]}
          actions={(event) => (
            <Button
              onClick={() => rotate.mutate(event)}
              disabled={rotate.isPending}
              aria-label={`New stream key for ${event.title}`}
            >
              New stream key
            </Button>
          )}
        />
      )}
    </>
  );
}
