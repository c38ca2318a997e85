import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { problemText, useApi } from '../api.ts';

type Profile = Schemas['Profile'];

const formText = (data: FormData, name: string) => {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
};

/** "Who's watching?": pick a profile (with its PIN if it has one) or add one. */
export function ProfilePicker() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<Profile | null>(null);
  const [adding, setAdding] = useState(false);
  const profiles = useQuery({
    queryKey: ['profiles'],
    queryFn: () => api.call('listProfiles'),
    enabled: api.tokens.get() !== null,
  });
  const select = useMutation({
    mutationFn: (options: { profile: Profile; pin?: string }) =>
      api.call('selectProfile', {
        path: { id: options.profile.id },
        body: options.pin ? { pin: options.pin } : {},
      }),
    onSuccess: async () => {
      // Everything cached belonged to the previous profile.
      await queryClient.resetQueries();
      await navigate('/');
    },
  });
  const create = useMutation({
    mutationFn: (fields: { name: string; isKids: boolean; pin: string }) =>
      api.call('createProfile', {
        body: { name: fields.name, isKids: fields.isKids, ...(fields.pin && { pin: fields.pin }) },
      }),
    onSuccess: async () => {
      setAdding(false);
      await queryClient.invalidateQueries({ queryKey: ['profiles'] });
    },
  });
  if (!api.tokens.get()) return <Navigate to="/signin" replace />;

  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    create.mutate({
      name: formText(data, 'name'),
      isKids: data.get('isKids') === 'on',
      pin: formText(data, 'pin'),
    });
  };
  const onPin = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (chosen) select.mutate({ profile: chosen, pin: formText(new FormData(event.currentTarget), 'pin') });
  };

  return (
    <div className="ui-page">
      <h1>Who’s watching?</h1>
      {profiles.isError && <Notice tone="error">{problemText(profiles.error)}</Notice>}
      <ul className="profile-grid">
        {profiles.data?.profiles.map((profile) => (
          <li key={profile.id}>
            <Button
              onClick={() => (profile.hasPin ? setChosen(profile) : select.mutate({ profile }))}
              data-profile={profile.name}
            >
              {profile.name}
              {profile.isKids && <div className="ui-muted">Kids</div>}
              {profile.hasPin && <div className="ui-muted">PIN</div>}
            </Button>
          </li>
        ))}
        <li>
          <Button onClick={() => setAdding(true)}>+ Add profile</Button>
        </li>
      </ul>
      {chosen && (
        <form onSubmit={onPin} className="ui-card">
          <Field
            label={`PIN for ${chosen.name}`}
            name="pin"
            inputMode="numeric"
            pattern="\d{4}"
            autoFocus
            required
          />
          <Button type="submit" variant="primary">
            Continue
          </Button>
        </form>
      )}
      {select.isError && <Notice tone="error">{problemText(select.error)}</Notice>}
      {adding && (
        <form onSubmit={onCreate} className="ui-card" aria-label="New profile">
          <h2>New profile</h2>
          <Field label="Name" name="name" required maxLength={40} />
          <label className="ui-field">
            <span>
              <input type="checkbox" name="isKids" /> Kids profile (only titles for children)
            </span>
          </label>
          <Field label="PIN (optional, 4 digits)" name="pin" inputMode="numeric" pattern="\d{4}" />
          {create.isError && <Notice tone="error">{problemText(create.error)}</Notice>}
          <div className="ui-actions">
            <Button type="submit" variant="primary" disabled={create.isPending}>
              Create profile
            </Button>
            <Button onClick={() => setAdding(false)}>Cancel</Button>
          </div>
        </form>
      )}
    </div>
  );
}
