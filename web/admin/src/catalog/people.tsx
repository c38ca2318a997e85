import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { DataTable } from '../../../ui/table.tsx';
import { ContentTabs } from './content-tabs.tsx';

type Person = Schemas['Person'];

/** One person's name and biography, edited in place. */
function PersonForm(props: { person?: Person; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { person } = props;
  const save = useMutation({
    mutationFn: (fields: Record<string, string>) => {
      const body = { name: fields.name ?? '', biography: fields.biography ?? '' };
      return person
        ? api.call('adminUpdatePerson', { path: { id: person.id }, body })
        : api.call('adminCreatePerson', { body });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin-people'] });
      props.onDone();
    },
  });
  const label = person ? `Edit ${person.name}` : 'New person';
  return (
    <form className="ui-card" aria-label={label} onSubmit={(event) => save.mutate(formFields(event))}>
      <h2>{label}</h2>
      <Field label="Name" name="name" defaultValue={person?.name} required maxLength={200} />
      <label className="ui-field">
        <span>Biography</span>
        <textarea name="biography" defaultValue={person?.biography ?? ''} rows={3} />
      </label>
      {save.isError && <Notice tone="error">{problemText(save.error)}</Notice>}
      <div className="ui-actions">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {person ? 'Save person' : 'Add person'}
        </Button>
        {person && <Button onClick={props.onDone}>Cancel</Button>}
      </div>
    </form>
  );
}

/** People credited in titles (cast and crew): find, add, edit, remove. */
export default function People() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [editing, setEditing] = useState<Person | null>(null);
  const people = useQuery({
    queryKey: ['admin-people', q],
    queryFn: () => api.call('adminListPeople', { query: { q: q || undefined, limit: 100 } }),
  });
  const remove = useMutation({
    mutationFn: (person: Person) => api.call('adminDeletePerson', { path: { id: person.id } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-people'] }),
  });
  return (
    <>
      <h1>People</h1>
      <ContentTabs />
      {editing ? (
        <PersonForm key={editing.id} person={editing} onDone={() => setEditing(null)} />
      ) : (
        <PersonForm key="new" onDone={() => undefined} />
      )}
      <form role="search" onSubmit={(event) => setParams({ q: formFields(event).q ?? '' })}>
        <Field label="Search people" name="q" type="search" defaultValue={q} />
      </form>
      {people.isError && <Notice tone="error">{problemText(people.error)}</Notice>}
      {remove.isError && <Notice tone="error">{problemText(remove.error)}</Notice>}
      {people.data && (
        <DataTable
          label="People"
          rows={people.data.people}
          rowKey={(person) => person.id}
          rowData={(person) => ({ 'data-person-id': person.id })}
          empty={q ? `Nobody matches “${q}”.` : 'No person yet.'}
          columns={[
            { header: 'Name', cell: (person) => person.name },
            {
              header: 'Biography',
              cell: (person) =>
                person.biography
                  ? `${person.biography.slice(0, 120)}${person.biography.length > 120 ? '…' : ''}`
                  : '—',
            },
          ]}
          actions={(person) => (
            <>
              <Button onClick={() => setEditing(person)} aria-label={`Edit ${person.name}`}>
                Edit
              </Button>
              <Button
                onClick={() => remove.mutate(person)}
                disabled={remove.isPending}
                aria-label={`Remove ${person.name}`}
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
