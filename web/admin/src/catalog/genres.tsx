import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { DataTable } from '../../../ui/table.tsx';
import { ContentTabs } from './content-tabs.tsx';

type Genre = Schemas['Genre'];

/** Genres: the catalog's list (the public one), with add, rename and remove. */
export default function Genres() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Genre | null>(null);
  const genres = useQuery({ queryKey: ['genres'], queryFn: () => api.call('listGenres') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['genres'] });
  const save = useMutation({
    mutationFn: (fields: Record<string, string>) => {
      const body = { name: fields.name ?? '', ...(fields.slug && { slug: fields.slug }) };
      return editing
        ? api.call('adminUpdateGenre', { path: { id: editing.id }, body })
        : api.call('adminCreateGenre', { body });
    },
    onSuccess: async () => {
      setEditing(null);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (genre: Genre) => api.call('adminDeleteGenre', { path: { id: genre.id } }),
    onSuccess: refresh,
  });
  const label = editing ? `Rename ${editing.name}` : 'New genre';
  return (
    <>
      <h1>Genres</h1>
      <ContentTabs />
      <form
        key={editing?.id ?? 'new'}
        className="admin-inline-form ui-card"
        aria-label={label}
        onSubmit={(event) => save.mutate(formFields(event))}
      >
        <Field label="Genre name" name="name" defaultValue={editing?.name} required maxLength={80} />
        <Field
          label="Slug (optional)"
          name="slug"
          defaultValue={editing?.slug}
          pattern="[a-z0-9]+(-[a-z0-9]+)*"
          maxLength={80}
        />
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {editing ? 'Save genre' : 'Add genre'}
        </Button>
        {editing && <Button onClick={() => setEditing(null)}>Cancel</Button>}
      </form>
      {save.isError && <Notice tone="error">{problemText(save.error)}</Notice>}
      {remove.isError && <Notice tone="error">{problemText(remove.error)}</Notice>}
      {genres.isError && <Notice tone="error">{problemText(genres.error)}</Notice>}
      {genres.data && (
        <DataTable
          label="Genres"
          rows={genres.data.genres}
          rowKey={(genre) => genre.id}
          rowData={(genre) => ({ 'data-genre': genre.slug })}
          empty="No genre yet."
          columns={[
            { header: 'Genre', cell: (genre) => genre.name },
            { header: 'Slug', cell: (genre) => <code>{genre.slug}</code> },
          ]}
          actions={(genre) => (
            <>
              <Button onClick={() => setEditing(genre)} aria-label={`Rename ${genre.name}`}>
                Rename
              </Button>
              <Button
                onClick={() => remove.mutate(genre)}
                disabled={remove.isPending}
                aria-label={`Remove ${genre.name}`}
              >
                Remove
              </Button>
            </>
          )}
        />
      )}
    </>
  );
}
