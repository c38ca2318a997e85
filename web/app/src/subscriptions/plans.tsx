import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../ui/api/client.ts';
import { Button, Notice } from '../../../ui/components.tsx';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { problemText, sandboxCheckoutId, useApi } from '../api.ts';

export const money = (amountMinor: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amountMinor / 100);

/** The providers tried in order: the local sandbox where it is on, then a configured real one. */
const providers = ['sandbox', 'stripe', 'razorpay'] as const;

export function Plans() {
  const api = useApi();
  const navigate = useNavigate();
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => api.call('listPlans') });
  const status = useQuery({ queryKey: ['subscription'], queryFn: () => api.call('getSubscriptionStatus') });
  const subscribe = useMutation({
    mutationFn: async (plan: Schemas['Plan']) => {
      for (const provider of providers) {
        try {
          return await api.call('subscribe', { body: { planId: plan.id, interval: 'month', provider } });
        } catch (error) {
          if (error instanceof ApiError && error.code === 'SUBSCRIPTION_PROVIDER_UNAVAILABLE') continue;
          throw error;
        }
      }
      throw new Error('No payment provider is configured on this server.');
    },
    onSuccess: async (checkout) => {
      const sandboxId = checkout.sandbox ? sandboxCheckoutId(checkout.checkoutUrl) : null;
      if (sandboxId) await navigate(`/checkout/${encodeURIComponent(sandboxId)}`, { state: checkout });
      else location.assign(checkout.checkoutUrl);
    },
  });
  const current = status.data?.planId;
  return (
    <div className="ui-page">
      <h1>Plans</h1>
      {status.data && (
        <p>
          You are on <strong>{status.data.entitlements.planName}</strong>
          {status.data.state !== 'none' && ` (${status.data.state})`}.{' '}
          <Link to="/account">Manage subscription</Link>
        </p>
      )}
      {(plans.isError || subscribe.isError) && (
        <Notice tone="error">{problemText(plans.error ?? subscribe.error)}</Notice>
      )}
      <ul className="ui-cards" style={{ listStyle: 'none', padding: 0 }}>
        {plans.data?.plans
          .filter((plan) => plan.active)
          .map((plan) => {
            const monthly = plan.prices.find((price) => price.interval === 'month');
            return (
              <li key={plan.id} className="ui-card" data-plan={plan.id}>
                <h2>{plan.name}</h2>
                <p>{monthly ? `${money(monthly.amountMinor, monthly.currency)} / month` : 'Free'}</p>
                <ul>
                  <li>Up to {plan.maxHeight}p</li>
                  <li>
                    {plan.maxStreams} screen{plan.maxStreams === 1 ? '' : 's'} at a time
                  </li>
                  <li>{plan.maxDownloads > 0 ? `${plan.maxDownloads} downloads` : 'No downloads'}</li>
                  {plan.hasAds && <li>With ads</li>}
                  {plan.trialDays > 0 && <li>{plan.trialDays}-day free trial</li>}
                </ul>
                {plan.id === current ? (
                  <p className="ui-muted">Your plan</p>
                ) : monthly ? (
                  <Button
                    variant="primary"
                    onClick={() => subscribe.mutate(plan)}
                    disabled={subscribe.isPending}
                  >
                    Choose {plan.name}
                  </Button>
                ) : null}
              </li>
            );
          })}
      </ul>
    </div>
  );
}

/** The sandbox provider's checkout, inside the app: no money moves. */
export function SandboxCheckout() {
  const { checkoutId = '' } = useParams();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const complete = useMutation({
    mutationFn: async (outcome: 'succeed' | 'fail') => {
      const result = await api.call('completeSandboxCheckout', { path: { checkoutId }, body: { outcome } });
      if (result.status === 'succeeded') {
        // The subscription turns active as the provider's event is applied.
        for (let attempt = 0; attempt < 20; attempt++) {
          const status = await api.call('getSubscriptionStatus');
          if (status.state === 'active' || status.state === 'trialing') break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      return result;
    },
    onSuccess: async (result) => {
      // The account page must not show the plan from before the payment, even for a moment.
      queryClient.removeQueries({ queryKey: ['subscription'] });
      await queryClient.invalidateQueries();
      if (result.status === 'succeeded') await navigate('/account', { state: { subscribed: true } });
    },
  });
  return (
    <div className="ui-narrow">
      <h1>Checkout</h1>
      <Notice>Sandbox checkout: no money moves. Choose what the payment provider answers.</Notice>
      <div className="ui-actions">
        <Button variant="primary" onClick={() => complete.mutate('succeed')} disabled={complete.isPending}>
          Pay
        </Button>
        <Button onClick={() => complete.mutate('fail')} disabled={complete.isPending}>
          Decline the card
        </Button>
      </div>
      {complete.data?.status === 'failed' && (
        <Notice tone="error">
          The payment was declined. <Link to="/plans">Back to plans</Link>
        </Notice>
      )}
      {complete.isError && <Notice tone="error">{problemText(complete.error)}</Notice>}
    </div>
  );
}
