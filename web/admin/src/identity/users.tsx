import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import type { Role } from '../access.ts';
import { DataTable } from '../../../ui/table.tsx';

const allRoles: Role[] = ['viewer', 'content_manager', 'support', 'admin'];
type User = Schemas['AdminUser'];

/** Role checkboxes and the disable button of one account (each change is one PATCH). */
function useUserUpdate(user: User) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { roles?: Role[]; disabled?: boolean }) =>
      api.call('adminUpdateUser', { path: { id: user.id }, body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-users'] }),
  });
}

function RoleBoxes({ user }: { user: User }) {
  const update = useUserUpdate(user);
  const toggleRole = (role: Role, on: boolean) =>
    update.mutate({ roles: on ? [...user.roles, role] : user.roles.filter((r) => r !== role) });
  return (
    <>
      <fieldset className="admin-roles">
        <legend className="ui-visually-hidden">Roles of {user.email}</legend>
        {allRoles.map((role) => (
          <label key={role}>
            <input
              type="checkbox"
              checked={user.roles.includes(role)}
              disabled={update.isPending}
              onChange={(event) => toggleRole(role, event.target.checked)}
            />
            {role.replace('_', ' ')}
          </label>
        ))}
      </fieldset>
      {update.isError && <Notice tone="error">{problemText(update.error)}</Notice>}
    </>
  );
}

function UserActions({ user }: { user: User }) {
  const update = useUserUpdate(user);
  return (
    <>
      <Button
        onClick={() => update.mutate({ disabled: !user.disabled })}
        disabled={update.isPending}
        aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}
      >
        {user.disabled ? 'Enable' : 'Disable'}
      </Button>
      <Link className="ui-button" to={`/users/${user.id}/sessions`} aria-label={`Sessions of ${user.email}`}>
        Sessions
      </Link>
      {update.isError && <Notice tone="error">{problemText(update.error)}</Notice>}
    </>
  );
}

/** Users: search by name or email, change roles, disable (which signs every device out). */
export default function Users() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const users = useQuery({
    queryKey: ['admin-users', q],
    queryFn: () => api.call('adminListUsers', { query: { q: q || undefined, limit: 50 } }),
  });
  return (
    <>
      <h1>Users</h1>
      <form role="search" onSubmit={(event) => setParams({ q: formFields(event).q ?? '' })}>
        <Field label="Search by name or email" name="q" type="search" defaultValue={q} />
      </form>
      {users.isError && <Notice tone="error">{problemText(users.error)}</Notice>}
      {users.data && (
        <DataTable
          label="Users"
          rows={users.data.items}
          rowKey={(user) => user.id}
          rowData={(user) => ({ 'data-user-id': user.id })}
          empty={`Nobody matches “${q}”.`}
          columns={[
            {
              header: 'User',
              cell: (user) => (
                <>
                  {user.name}
                  <br />
                  <span className="ui-muted">{user.email}</span>
                </>
              ),
            },
            { header: 'Roles', cell: (user) => <RoleBoxes user={user} /> },
            { header: 'Signed-in sessions', cell: (user) => user.activeSessions },
            { header: 'Account', cell: (user) => (user.disabled ? 'disabled' : 'active') },
          ]}
          actions={(user) => <UserActions user={user} />}
        />
      )}
    </>
  );
}
