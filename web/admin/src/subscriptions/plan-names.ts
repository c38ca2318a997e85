import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../../ui/api/context.ts';

/** A plan's name from its id (the public plan list: every role that sees subscriptions can read it). */
export function usePlanNames(): (planId: string) => string {
  const api = useApi();
  const plans = useQuery({ queryKey: ['plans'], queryFn: () => api.call('listPlans'), staleTime: 60_000 });
  return (planId) => plans.data?.plans.find((p) => p.id === planId)?.name ?? planId.slice(0, 8);
}
