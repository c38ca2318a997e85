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

/** Admin-editable settings (stored in the database, defaults from the server's environment). */
export default function Settings() {
  const api = useApi();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['admin-settings'], queryFn: () => api.call('adminGetSettings') });
  const save = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminUpdateSettings', { body: { blockedWords: wordsOf(fields.blockedWords ?? '') } }),
    onSuccess: (saved) => queryClient.setQueryData(['admin-settings'], saved),
  });
  return (
    <>
      <h1>Settings</h1>
      {settings.isError && <Notice tone="error">{problemText(settings.error)}</Notice>}
      {settings.data && (
        <form
          key={settings.data.blockedWords.join(',')}
          className="ui-card"
          aria-label="Word filter"
          onSubmit={(event) => save.mutate(formFields(event))}
        >
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
