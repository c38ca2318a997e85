import { z } from 'zod';
import { AuditLog } from '../../modules/audit/index.ts';
import { ensureAdmin } from '../../modules/identity/index.ts';
import { email as emailSchema } from '../../shared/schemas.ts';
import { UsageError, type Command } from '../command.ts';
import { withMigratedDatabase } from '../database.ts';

export const createAdminCommand: Command = {
  name: 'create-admin',
  summary: 'Create an admin account, or promote an existing one (idempotent)',
  usage: 'marquee create-admin --email <email> --password <password> [--name <name>]',
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  async run({ config, print }, values) {
    const parsed = emailSchema.safeParse(values.email);
    if (!parsed.success) throw new UsageError('--email must be a valid email address');
    const password = z.string().min(1).safeParse(values.password);
    if (!password.success) throw new UsageError('--password is required');
    await withMigratedDatabase(config, async (database) => {
      const result = await ensureAdmin(database.db, new AuditLog(database.db), {
        email: parsed.data,
        password: password.data,
        name: typeof values.name === 'string' ? values.name : undefined,
      });
      if (result.created) print(`Created admin ${parsed.data} (user ${result.userId}).`);
      else if (result.promoted)
        print(
          `Promoted ${parsed.data} to admin${result.passwordChanged ? ' and set the password given' : ''}.`,
        );
      else if (result.passwordChanged) print(`${parsed.data} was already an admin; set the password given.`);
      else print(`${parsed.data} is already an admin with this password; nothing to do.`);
    });
  },
};
