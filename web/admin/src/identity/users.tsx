import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import type { Role } from '../access.ts';

const allRoles: Role[] = ['viewer', 'content_manager', 'support', 'admin'];
type User = Schemas['AdminUser'];

function UserRow({ user }: { user: User }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const update = useMutation({
    mutationFn: (body: { roles?: Role[]; disabled?: boolean }) =>
      api.call('adminUpdateUser', { path: { id: user.id }, body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-users'] }),
  });
  const toggleRole = (role: Role, on: boolean) =>
    update.mutate({ roles: on ? [...user.roles, role] : user.roles.filter((r) => r !== role) });
  return (
    <tr data-user-id={user.id}>
      <td>
        {user.name}
        <br />
        <span className="ui-muted">{user.email}</span>
      </td>
      <td>
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
      </td>
      <td>{user.activeSessions}</td>
      <td>{user.disabled ? 'disabled' : 'active'}</td>
      <td>
        <Button
          onClick={() => update.mutate({ disabled: !user.disabled })}
          disabled={update.isPending}
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
      </td>
    </tr>
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
        <div className="admin-scroll">
          <table className="ui-table" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Signed-in sessions</th>
                <th scope="col">Account</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <UserRow key={user.id} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
