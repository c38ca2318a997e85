import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';

type Filter = 'reported' | 'hidden' | 'all';
type Action = 'adminRestoreComment' | 'adminDismissCommentReports' | 'adminRemoveComment';

/** The moderation queue: reported and hidden comments; restore, dismiss the reports, or remove. */
export default function Comments() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>('reported');
  const comments = useQuery({
    queryKey: ['admin-comments', filter],
    queryFn: () => api.call('adminListModerationComments', { query: { status: filter, limit: 50 } }),
  });
  const act = useMutation({
    mutationFn: (input: { action: Action; id: string }) => api.call(input.action, { path: { id: input.id } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-comments'] }),
  });
  return (
    <>
      <h1>Comment moderation</h1>
      <div className="ui-actions" role="group" aria-label="Show">
        {(['reported', 'hidden', 'all'] as const).map((value) => (
          <Button key={value} aria-pressed={filter === value} onClick={() => setFilter(value)}>
            {value}
          </Button>
        ))}
      </div>
      {comments.isError && <Notice tone="error">{problemText(comments.error)}</Notice>}
      {act.isError && <Notice tone="error">{problemText(act.error)}</Notice>}
      {comments.data?.items.length === 0 && <p className="ui-muted">Nothing to moderate.</p>}
      <ul className="admin-comments">
        {comments.data?.items.map((comment) => (
          <li key={comment.id} className="ui-card" data-comment-id={comment.id}>
            <p>
              <strong>{comment.authorName}</strong>{' '}
              <span className="ui-muted">
                {new Date(comment.createdAt).toLocaleString()} · {comment.reportCount} reports
                {comment.reports.length > 0 &&
                  ` (${comment.reports.map((r) => `${r.reason} ${r.count}`).join(', ')})`}
                {comment.hiddenAt && ' · hidden'}
              </span>
            </p>
            <p>{comment.body}</p>
            <div className="ui-actions">
              {comment.hiddenAt && (
                <Button onClick={() => act.mutate({ action: 'adminRestoreComment', id: comment.id })}>
                  Restore
                </Button>
              )}
              {comment.reportCount > 0 && (
                <Button onClick={() => act.mutate({ action: 'adminDismissCommentReports', id: comment.id })}>
                  Dismiss reports
                </Button>
              )}
              <Button onClick={() => act.mutate({ action: 'adminRemoveComment', id: comment.id })}>
                Remove
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
