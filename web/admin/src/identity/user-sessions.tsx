import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { DataTable } from '../../../ui/table.tsx';
import { UserDownloadDevices } from './user-download-devices.tsx';

/**
 * One account's signed-in devices (its sessions), each of which support can sign out, and its
 * devices that hold offline downloads.
 */
export default function UserSessions() {
  const api = useApi();
  const queryClient = useQueryClient();
  const { id = '' } = useParams();
  const sessions = useQuery({
    queryKey: ['admin-user-sessions', id],
    queryFn: () => api.call('adminListUserSessions', { path: { id } }),
  });
  const revoke = useMutation({
    mutationFn: (sessionId: string) => api.call('adminRevokeUserSession', { path: { id, sessionId } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin-user-sessions', id] });
      await queryClient.invalidateQueries({ queryKey: ['admin-users'] });
    },
  });
  return (
    <>
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <h1>Sessions and devices</h1>
      <p className="ui-muted">
        Account {id.slice(0, 8)}. Signing a device out ends its session at once; the account stays usable on
        its other devices.
      </p>
      {sessions.isError && <Notice tone="error">{problemText(sessions.error)}</Notice>}
      {revoke.isError && <Notice tone="error">{problemText(revoke.error)}</Notice>}
      {sessions.data && (
        <DataTable
          label="Signed-in devices"
          rows={sessions.data.sessions}
          rowKey={(session) => session.id}
          rowData={(session) => ({ 'data-session': session.id })}
          empty="No device is signed in."
          columns={[
            { header: 'Device', cell: (session) => session.deviceName },
            { header: 'Kind', cell: (session) => session.deviceType },
            { header: 'Signed in with', cell: (session) => session.authMethod },
            { header: 'Address', cell: (session) => session.ip ?? '—' },
            { header: 'Since', cell: (session) => new Date(session.createdAt).toLocaleString() },
            { header: 'Last seen', cell: (session) => new Date(session.lastSeenAt).toLocaleString() },
          ]}
          actions={(session) => (
            <Button
              onClick={() => revoke.mutate(session.id)}
              disabled={revoke.isPending}
              aria-label={`Sign out ${session.deviceName}`}
            >
              Sign out
            </Button>
          )}
        />
      )}
      <UserDownloadDevices userId={id} />
    </>
  );
}
