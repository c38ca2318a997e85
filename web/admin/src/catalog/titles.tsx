import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import { DataTable } from '../../../ui/table.tsx';
import { ContentTabs } from './content-tabs.tsx';

/** Content: the catalog's titles (search), and a new title (movie or series) as a draft. */
export default function Titles() {
  const api = useApi();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [kind, setKind] = useState<'movie' | 'series'>('movie');
  const titles = useQuery({
    queryKey: ['admin-titles', q],
    queryFn: () =>
      api.call('listTitles', { query: { q: q || undefined, sort: q ? 'relevance' : 'newest', limit: 50 } }),
  });
  const create = useMutation({
    mutationFn: (title: string) => api.call('adminCreateTitle', { body: { kind, title } }),
    onSuccess: (created) => void navigate(`/titles/${created.id}`),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => create.mutate(formFields(event).title ?? '');
  return (
    <>
      <h1>Content</h1>
      <ContentTabs />
      <section aria-labelledby="new-title" className="ui-card">
        <h2 id="new-title">New title</h2>
        <form onSubmit={submit} className="admin-inline-form" aria-label="New title">
          <Field label="Title" name="title" required maxLength={300} />
          <label className="ui-field">
            <span>Kind</span>
            <select
              name="kind"
              value={kind}
              onChange={(event) => setKind(event.target.value as 'movie' | 'series')}
            >
              <option value="movie">Movie</option>
              <option value="series">Series</option>
            </select>
          </label>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create draft
          </Button>
        </form>
        {create.isError && <Notice tone="error">{problemText(create.error)}</Notice>}
      </section>
      <section aria-labelledby="catalog">
        <h2 id="catalog">Published titles</h2>
        <form role="search" onSubmit={(event) => setParams({ q: formFields(event).q ?? '' })}>
          <Field label="Search titles" name="q" type="search" defaultValue={q} />
        </form>
        {titles.isError && <Notice tone="error">{problemText(titles.error)}</Notice>}
        {titles.isPending && <p className="ui-muted">Loading…</p>}
        {titles.data && (
          <DataTable
            label="Titles"
            rows={titles.data.items}
            rowKey={(title) => title.id}
            rowData={(title) => ({ 'data-title-id': title.id })}
            empty={`No title matches “${q}”.`}
            columns={[
              { header: 'Title', cell: (title) => <Link to={`/titles/${title.id}`}>{title.title}</Link> },
              { header: 'Kind', cell: (title) => title.kind },
              { header: 'Year', cell: (title) => title.releaseYear ?? '—' },
              { header: 'Rating', cell: (title) => title.maturityRating ?? '—' },
              { header: 'Genres', cell: (title) => title.genres.join(', ') },
            ]}
          />
        )}
        <p className="ui-muted">
          Drafts are listed by the API only once published; a draft opens from its transcoding job or the
          address it was created at.
        </p>
      </section>
    </>
  );
}
