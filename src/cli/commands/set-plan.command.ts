import { AuditLog } from '../../modules/audit/index.ts';
import { email as emailSchema } from '../../shared/schemas.ts';
import { UsageError, type Command } from '../command.ts';
import { withMigratedDatabase } from '../database.ts';

/** Puts an account on a plan, for demos and tests until payments exist. */
export const setPlanCommand: Command = {
  name: 'set-plan',
  summary: 'Put an account on a plan (free, basic, standard, premium) until payments exist',
  usage: 'marquee set-plan --email <email> --plan <plan>',
  options: { email: { type: 'string' }, plan: { type: 'string' } },
  async run({ config, print }, values) {
    const email = emailSchema.safeParse(values.email);
    if (!email.success) throw new UsageError('--email must be a valid email address');
    if (typeof values.plan !== 'string' || values.plan === '') throw new UsageError('--plan is required');
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
        .select(['id', 'planId'])
        .where('email', '=', email.data)
        .executeTakeFirst();
      if (!user) throw new UsageError(`no account with email ${email.data}`);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ planId: plan.id, updatedAt: new Date() })
          .where('id', '=', user.id)
          .execute();
        await new AuditLog(db).record(
          trx,
          { actor: { type: 'system', id: null }, ip: null, requestId: null },
          {
            action: 'user.plan_set',
            targetType: 'user',
            targetId: user.id,
            before: { plan: user.planId },
            after: { plan: plan.id },
          },
        );
      });
      print(
        `${email.data} is now on ${plan.name}: up to ${plan.maxHeight}p, ${plan.maxStreams} stream(s) at once.`,
      );
    });
  },
};
