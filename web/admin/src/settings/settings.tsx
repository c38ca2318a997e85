import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';

/** Words as an administrator types them: one per line or comma-separated. */
const wordsOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((word) => word.trim())
    .filter(Boolean);

/** Admin-editable settings (stored in the database; defaults from the code or the server's environment). */
export default function Settings() {
  const api = useApi();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['admin-settings'], queryFn: () => api.call('adminGetSettings') });
  const save = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminUpdateSettings', {
        body: {
          blockedWords: wordsOf(fields.blockedWords ?? ''),
          // An unticked box is not in the form at all.
          signUpsOpen: fields.signUpsOpen === 'on',
          announcement: fields.announcement?.trim()
            ? { message: fields.announcement.trim(), tone: fields.tone === 'warning' ? 'warning' : 'info' }
            : null,
        },
      }),
    onSuccess: (saved) => queryClient.setQueryData(['admin-settings'], saved),
  });
  return (
    <>
      <h1>Settings</h1>
      {settings.isError && <Notice tone="error">{problemText(settings.error)}</Notice>}
      {settings.data && (
        <form
          key={JSON.stringify(settings.data)}
          className="ui-card"
          aria-label="Settings"
          onSubmit={(event) => save.mutate(formFields(event))}
        >
          <h2>Sign-ups</h2>
          <label className="ui-field">
            <span>
              <input type="checkbox" name="signUpsOpen" defaultChecked={settings.data.signUpsOpen} /> New
              accounts may sign up
            </span>
          </label>
          <p className="ui-muted">Closed: new accounts are refused; existing ones sign in as before.</p>
          <h2>Announcement</h2>
          <p className="ui-muted">
            A banner every viewer app shows (maintenance, an outage, news). Empty: none.
          </p>
          <label className="ui-field">
            <span>Message</span>
            <input
              name="announcement"
              maxLength={280}
              defaultValue={settings.data.announcement?.message ?? ''}
            />
          </label>
          <label className="ui-field">
            <span>Tone</span>
            <select name="tone" defaultValue={settings.data.announcement?.tone ?? 'info'}>
              <option value="info">Information</option>
              <option value="warning">Warning</option>
            </select>
          </label>
          <h2>Word filter</h2>
          <p className="ui-muted">
            Comments and live chat messages with one of these words (whole words, any case) are refused. Every
            server applies a change within moments.
          </p>
          <label className="ui-field">
            <span>Blocked words (one per line)</span>
            <textarea
              name="blockedWords"
              rows={6}
              defaultValue={settings.data.blockedWords.join('\n')}
              data-blocked-words={settings.data.blockedWords.length}
            />
          </label>
          {save.isError && <Notice tone="error">{problemText(save.error)}</Notice>}
          {save.isSuccess && <Notice tone="success">Saved.</Notice>}
          <Button type="submit" variant="primary" disabled={save.isPending}>
            Save settings
          </Button>
        </form>
      )}
    </>
  );
}
