import type { Selectable } from 'kysely';
import type { PlansTable } from '../../platform/db/db.generated.ts';

export type PlanRow = Selectable<PlansTable>;

/** What each plan allows: subscriptions owns the plans and answers this. */
export interface PlanLookup {
  find(id: string): Promise<PlanRow | undefined>;
  /** The plans on offer, for "plan required" answers that name the plans that would do. */
  list(options: { includeInactive: false }): Promise<Array<Pick<PlanRow, 'id' | 'tier' | 'maxDownloads'>>>;
}
