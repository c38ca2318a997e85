import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { DataTable } from '../../../ui/table.tsx';

/**
 * One account's devices that may hold offline downloads, each with its licences (active, expired,
 * returned); support revokes a lost one so its licences stop renewing.
 */
export function UserDownloadDevices({ userId }: { userId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const devices = useQuery({
    queryKey: ['admin-user-download-devices', userId],
    queryFn: () => api.call('adminListUserDownloadDevices', { path: { id: userId } }),
  });
  const revoke = useMutation({
    mutationFn: (deviceId: string) =>
      api.call('adminRevokeUserDownloadDevice', { path: { id: userId, deviceId } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-user-download-devices', userId] }),
  });
  return (
    <section aria-labelledby="download-devices-heading">
      <h2 id="download-devices-heading">Download devices</h2>
      <p className="ui-muted">
        Revoking a device stops its licences renewing and it takes no new downloads; what it holds plays until
        its licence expires.
      </p>
      {devices.isError && <Notice tone="error">{problemText(devices.error)}</Notice>}
      {revoke.isError && <Notice tone="error">{problemText(revoke.error)}</Notice>}
      {devices.data && (
        <DataTable
          label="Download devices"
          rows={devices.data.devices}
          rowKey={(device) => device.id}
          rowData={(device) => ({ 'data-download-device': device.id })}
          empty="No device holds downloads."
          columns={[
            { header: 'Device', cell: (device) => device.name },
            { header: 'Key', cell: (device) => <code>{device.keyThumbprint.slice(0, 12)}…</code> },
            { header: 'Registered', cell: (device) => new Date(device.createdAt).toLocaleString() },
            {
              header: 'Active licences',
              cell: (device) => device.downloads.filter((download) => download.status === 'active').length,
            },
            {
              header: 'Downloads',
              cell: (device) =>
                device.downloads.length === 0
                  ? '—'
                  : device.downloads
                      .map(
                        (download) =>
                          `${download.itemName ?? download.itemId.slice(0, 8)} (${download.maxHeight}p, ${download.status}, until ${new Date(download.licenceExpiresAt).toLocaleDateString()})`,
                      )
                      .join('; '),
            },
          ]}
          actions={(device) => (
            <Button
              onClick={() => revoke.mutate(device.id)}
              disabled={revoke.isPending}
              aria-label={`Revoke downloads on ${device.name}`}
            >
              Revoke
            </Button>
          )}
        />
      )}
    </section>
  );
}
