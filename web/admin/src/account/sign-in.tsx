import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';

const device = { name: 'Admin console', type: 'web' as const };

/** The viewer app's sign-in (same endpoint, same token store), landing back in the console. */
export function SignIn() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const login = useMutation({
    mutationFn: (fields: { email: string; password: string }) =>
      api.call('login', { body: { ...fields, device } }),
    onSuccess: (result) => {
      api.tokens.set({ accessToken: result.accessToken, refreshToken: result.refreshToken });
      void queryClient.resetQueries();
      void navigate(from === '/signin' ? '/' : from, { replace: true });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const fields = formFields(event);
    login.mutate({ email: fields.email ?? '', password: fields.password ?? '' });
  };
  return (
    <div className="ui-narrow">
      <h1>Sign in to the admin console</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        {login.isError && <Notice tone="error">{problemText(login.error)}</Notice>}
        <Button type="submit" variant="primary" disabled={login.isPending}>
          Sign in
        </Button>
      </form>
    </div>
  );
}
