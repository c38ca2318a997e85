import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import type { Response } from '../../../ui/api/client.ts';
import { problemText, useApi } from '../api.ts';

const device = { name: 'Web browser', type: 'web' as const };

/** Keeps the tokens of a sign-in and goes on to the profile picker. */
function useSignedIn() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (result: Response<'login'>) => {
    api.tokens.set({ accessToken: result.accessToken, refreshToken: result.refreshToken });
    // Refetch what is on screen (the header's viewer too), as the new viewer or profile.
    void queryClient.resetQueries();
    void navigate('/profiles');
  };
}

const form = (event: FormEvent<HTMLFormElement>) => {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
};

function OidcButtons() {
  const api = useApi();
  const providers = useQuery({ queryKey: ['oidc-providers'], queryFn: () => api.call('listOidcProviders') });
  const list = providers.data?.providers ?? [];
  if (list.length === 0) return null;
  const returnTo = `${location.origin}/oidc`;
  return (
    <div className="ui-actions">
      {list.map((provider) => (
        <a
          key={provider.id}
          className="ui-button"
          href={`${provider.startUrl}?returnTo=${encodeURIComponent(returnTo)}`}
        >
          Continue with {provider.name}
        </a>
      ))}
    </div>
  );
}

export function SignIn() {
  const api = useApi();
  const signedIn = useSignedIn();
  const login = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('login', { body: { email: fields.email ?? '', password: fields.password ?? '', device } }),
    onSuccess: signedIn,
  });
  return (
    <div className="ui-narrow">
      <h1>Sign in</h1>
      <form onSubmit={(event) => login.mutate(form(event))}>
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        {login.isError && <Notice tone="error">{problemText(login.error)}</Notice>}
        <Button type="submit" variant="primary" disabled={login.isPending}>
          Sign in
        </Button>
      </form>
      <OidcButtons />
      <p>
        New here? <Link to="/signup">Create an account</Link> ·{' '}
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </div>
  );
}

export function SignUp() {
  const api = useApi();
  const signedIn = useSignedIn();
  const register = useMutation({
    mutationFn: async (fields: Record<string, string>) => {
      const credentials = { email: fields.email ?? '', password: fields.password ?? '' };
      await api.call('register', { body: { ...credentials, name: fields.name ?? '' } });
      // Registration mails a verification link; the account can sign in (on the Free plan) at once.
      return api.call('login', { body: { ...credentials, device } });
    },
    onSuccess: signedIn,
  });
  return (
    <div className="ui-narrow">
      <h1>Create your account</h1>
      <form onSubmit={(event) => register.mutate(form(event))}>
        <Field label="Name" name="name" autoComplete="name" required />
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
        />
        {register.isError && <Notice tone="error">{problemText(register.error)}</Notice>}
        <Button type="submit" variant="primary" disabled={register.isPending}>
          Sign up
        </Button>
      </form>
      <OidcButtons />
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}

export function VerifyEmail() {
  const api = useApi();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const verify = useMutation({ mutationFn: () => api.call('verifyEmail', { body: { token } }) });
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    verify.mutate();
  }, [token, verify]);
  return (
    <div className="ui-narrow">
      <h1>Email verification</h1>
      {!token && <Notice tone="error">This link has no token. Open the link from the email again.</Notice>}
      {verify.isPending && <p>Verifying…</p>}
      {verify.isSuccess && <Notice tone="success">Your email address is verified.</Notice>}
      {verify.isError && <Notice tone="error">{problemText(verify.error)}</Notice>}
      <p>
        <Link to="/">Continue to Marquee</Link>
      </p>
    </div>
  );
}

export function ForgotPassword() {
  const api = useApi();
  const request = useMutation({
    mutationFn: (email: string) => api.call('requestPasswordReset', { body: { email } }),
  });
  return (
    <div className="ui-narrow">
      <h1>Reset your password</h1>
      <form onSubmit={(event) => request.mutate(form(event).email ?? '')}>
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        {request.isSuccess && (
          <Notice tone="success">If an account uses this address, a reset link is on its way.</Notice>
        )}
        {request.isError && <Notice tone="error">{problemText(request.error)}</Notice>}
        <Button type="submit" variant="primary" disabled={request.isPending}>
          Send reset link
        </Button>
      </form>
    </div>
  );
}

export function ResetPassword() {
  const api = useApi();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useMutation({
    mutationFn: (password: string) => api.call('confirmPasswordReset', { body: { token, password } }),
  });
  return (
    <div className="ui-narrow">
      <h1>Choose a new password</h1>
      <form onSubmit={(event) => confirm.mutate(form(event).password ?? '')}>
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
        />
        {confirm.isSuccess && (
          <Notice tone="success">
            Your password is changed. <Link to="/signin">Sign in</Link>
          </Notice>
        )}
        {confirm.isError && <Notice tone="error">{problemText(confirm.error)}</Notice>}
        <Button type="submit" variant="primary" disabled={confirm.isPending || !token}>
          Change password
        </Button>
      </form>
    </div>
  );
}

/** Back from an OIDC provider: trade the one-time `#loginCode` for tokens. */
export function OidcReturn() {
  const api = useApi();
  const signedIn = useSignedIn();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const loginCode = new URLSearchParams(location.hash.slice(1)).get('loginCode');
    if (!loginCode) {
      setError('The sign-in provider sent no login code.');
      return;
    }
    api
      .call('exchangeOidcCode', { body: { loginCode } })
      .then(signedIn, (e: unknown) => setError(problemText(e)));
  }, [api, signedIn]);
  return (
    <div className="ui-narrow">
      <h1>Signing you in…</h1>
      {error && (
        <Notice tone="error">
          {error} <Link to="/signin">Back to sign-in</Link>
        </Notice>
      )}
    </div>
  );
}
