import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';

/** The audit log: every administrative change, newest first, a page at a time. */
export default function Audit() {
  const api = useApi();
  const entries = useInfiniteQuery({
    queryKey: ['admin-audit'],
    queryFn: ({ pageParam }) =>
      api.call('adminListAuditEntries', { query: { limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  if (entries.isError) return <Notice tone="error">{problemText(entries.error)}</Notice>;
  if (entries.isPending) return <p className="ui-muted">Loading…</p>;
  return (
    <>
      <h1>Audit log</h1>
      <div className="admin-scroll">
        <table className="ui-table" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.pages
              .flatMap((page) => page.items)
              .map((entry) => (
                <tr key={entry.id} data-audit-action={entry.action}>
                  <td>{new Date(entry.createdAt).toLocaleString()}</td>
                  <td>
                    {entry.actor.type}
                    {entry.actor.id ? ` ${entry.actor.id.slice(0, 8)}` : ''}
                  </td>
                  <td>{entry.action}</td>
                  <td>
                    {entry.targetType}
                    {entry.targetId ? ` ${entry.targetId.slice(0, 8)}` : ''}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {entries.hasNextPage && (
        <Button onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
          Older entries
        </Button>
      )}
    </>
  );
}
