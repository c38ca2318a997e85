import { AuditLog } from '../../modules/audit/index.ts';
import { setAccountPlan } from '../../modules/identity/index.ts';
import { createPlanGrants } from '../../modules/subscriptions/index.ts';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { AppError } from '../../shared/errors.ts';
import { email as emailSchema } from '../../shared/schemas.ts';
import { UsageError, type Command } from '../command.ts';
import { withMigratedDatabase } from '../database.ts';

/**
 * Grants an account a complimentary plan through the subscriptions module (audited; any running
 * subscription's entitlement ends). `free` ends the grant.
 */
export const setPlanCommand: Command = {
  name: 'set-plan',
  summary: 'Grant an account a complimentary plan (free, basic, standard, premium), audited',
  usage: 'marquee set-plan --email <email> --plan <plan> [--days <n>]',
  options: { email: { type: 'string' }, plan: { type: 'string' }, days: { type: 'string' } },
  async run({ config, print }, values) {
    const email = emailSchema.safeParse(values.email);
    if (!email.success) throw new UsageError('--email must be a valid email address');
    if (typeof values.plan !== 'string' || values.plan === '') throw new UsageError('--plan is required');
    const days = values.days === undefined ? undefined : Number(values.days);
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650)) {
      throw new UsageError('--days must be a whole number of days between 1 and 3650');
    }
    const planId = values.plan.toLowerCase();
    await withMigratedDatabase(config, async (database) => {
      const { db } = database;
      const plans = await db
        .selectFrom('plans')
        .select(['id', 'name', 'maxHeight', 'maxStreams'])
        .orderBy('tier')
        .execute();
      const plan = plans.find((candidate) => candidate.id === planId);
      if (!plan) throw new UsageError(`no plan "${planId}"; plans: ${plans.map((p) => p.id).join(', ')}`);
      const user = await db
        .selectFrom('users')
        .select(['id'])
        .where('email', '=', email.data)
        .executeTakeFirst();
      if (!user) throw new UsageError(`no account with email ${email.data}`);
      const grants = createPlanGrants({
        db,
        clock: systemClock,
        audit: new AuditLog(db),
        logger: createLogger({ level: 'silent', pretty: false }),
        setAccountPlan: (executor, change) => setAccountPlan(executor, { ...change, now: systemClock.now() }),
      });
      const until = days === undefined ? null : new Date(systemClock.now().getTime() + days * 86_400_000);
      try {
        await grants.grantComplimentary(
          { actor: { type: 'system', id: null }, ip: null, requestId: null },
          { userId: user.id, planId: plan.id, until },
        );
      } catch (error) {
        if (error instanceof AppError) throw new UsageError(error.message);
        throw error;
      }
      print(
        `${email.data} is now on ${plan.name}${until ? ` until ${until.toISOString()}` : ''}: up to ${plan.maxHeight}p, ${plan.maxStreams} stream(s) at once (complimentary).`,
      );
    });
  },
};
