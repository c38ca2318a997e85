import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { Button, ButtonLink, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../api.ts';
import { money } from '../subscriptions/plans.tsx';

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** Subscription (status, cancel, resume, payments), devices with sign-out, this device's downloads. */
export default function Account() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.call('getMe') });
  const status = useQuery({ queryKey: ['subscription'], queryFn: () => api.call('getSubscriptionStatus') });
  const payments = useQuery({ queryKey: ['payments'], queryFn: () => api.call('listSubscriptionPayments') });
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.call('listSessions') });
  const downloads = useQuery({ queryKey: ['downloads'], queryFn: () => api.call('listDownloads') });
  const refresh = (key: string) => () => queryClient.invalidateQueries({ queryKey: [key] });
  const cancel = useMutation({
    mutationFn: () => api.call('cancelSubscription', { body: { atPeriodEnd: true } }),
    onSuccess: refresh('subscription'),
  });
  const resume = useMutation({
    mutationFn: () => api.call('resumeSubscription'),
    onSuccess: refresh('subscription'),
  });
  const endSession = useMutation({
    mutationFn: (id: string) => api.call('endSession', { path: { id } }),
    onSuccess: refresh('sessions'),
  });
  const returnDownload = useMutation({
    mutationFn: (id: string) => api.call('returnDownload', { path: { id } }),
    onSuccess: refresh('downloads'),
  });
  const resend = useMutation({ mutationFn: () => api.call('resendVerificationEmail') });
  const signOut = async (everywhere: boolean) => {
    await api.call(everywhere ? 'logoutAll' : 'logout').catch(() => undefined);
    api.tokens.set(null);
    queryClient.clear();
    await navigate('/signin');
  };
  const s = status.data;
  const error = [cancel, resume, endSession, returnDownload, resend].find((m) => m.isError)?.error;
  return (
    <div className="ui-page">
      <h1>Account</h1>
      {(location.state as { subscribed?: boolean } | null)?.subscribed && (
        <Notice tone="success">Thank you! Your subscription is active.</Notice>
      )}
      {error != null && <Notice tone="error">{problemText(error)}</Notice>}
      {me.data && !me.data.user.emailVerified && (
        <Notice>
          Your email address {me.data.user.email} is not verified yet.{' '}
          <Button onClick={() => resend.mutate()} disabled={resend.isPending || resend.isSuccess}>
            {resend.isSuccess ? 'Link sent' : 'Send the link again'}
          </Button>
        </Notice>
      )}
      <section aria-labelledby="subscription" className="ui-card">
        <h2 id="subscription">Subscription</h2>
        {s && (
          <>
            <p data-subscription-state={s.state}>
              Plan: <strong>{s.entitlements.planName}</strong> ·{' '}
              {s.state === 'none' ? 'no subscription' : s.state}
              {s.sandbox && ' (sandbox)'} · up to {s.entitlements.maxHeight}p, {s.entitlements.maxStreams}{' '}
              screen(s)
            </p>
            {s.currentPeriodEnd && (
              <p>
                {s.cancelAtPeriodEnd ? 'Ends' : 'Renews'} on {date(s.currentPeriodEnd)}
              </p>
            )}
            <div className="ui-actions">
              <ButtonLink to="/plans">Change plan</ButtonLink>
              {s.subscriptionId &&
                !s.cancelAtPeriodEnd &&
                (s.state === 'active' || s.state === 'trialing') && (
                  <Button onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                    Cancel at period end
                  </Button>
                )}
              {s.subscriptionId && s.cancelAtPeriodEnd && (
                <Button variant="primary" onClick={() => resume.mutate()} disabled={resume.isPending}>
                  Resume subscription
                </Button>
              )}
            </div>
          </>
        )}
        {(payments.data?.payments.length ?? 0) > 0 && (
          <table className="app-table">
            <caption>Payment history</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {payments.data?.payments.map((payment) => (
                <tr key={payment.id}>
                  <td>{date(payment.createdAt)}</td>
                  <td>{money(payment.amountMinor, payment.currency)}</td>
                  <td>{payment.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="devices">
        <h2 id="devices">Devices signed in</h2>
        <ul>
          {sessions.data?.sessions.map((session) => (
            <li key={session.id}>
              {session.deviceName} ({session.deviceType}) · last seen {date(session.lastSeenAt)}
              {session.current ? (
                <strong> · this device</strong>
              ) : (
                <Button onClick={() => endSession.mutate(session.id)}>Sign out this device</Button>
              )}
            </li>
          ))}
        </ul>
        <div className="ui-actions">
          <Button onClick={() => void signOut(false)}>Sign out</Button>
          <Button onClick={() => void signOut(true)}>Sign out everywhere</Button>
        </div>
      </section>
      <section aria-labelledby="downloads">
        <h2 id="downloads">Downloads</h2>
        <p className="ui-muted">
          A browser cannot keep video offline; these are the offline licences your devices hold.
        </p>
        {downloads.data?.items.length === 0 && <p>No downloads.</p>}
        <ul>
          {downloads.data?.items.map((download) => (
            <li key={download.id}>
              {download.itemName ?? download.itemId} · {download.maxHeight}p · {download.status} · expires{' '}
              {date(download.licenceExpiresAt)}
              {download.status === 'active' && (
                <Button onClick={() => returnDownload.mutate(download.id)}>Return</Button>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
