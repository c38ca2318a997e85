import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { AuditLog } from '../audit/index.ts';
import { codeDefaults, type EnvironmentDefaults } from './settings.definitions.ts';
import { SettingsRepository } from './settings.repository.ts';
import { settingsRoutes } from './settings.routes.ts';
import { Settings } from './settings.service.ts';

export type { SettingsValues } from './settings.definitions.ts';
export type { Settings } from './settings.service.ts';

export interface SettingsModuleDeps {
  db: Kysely<DB>;
  pubsub: PubSub;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** The defaults the environment gives (COMMENT_BLOCKED_WORDS); the rest are the code's. */
  defaults: EnvironmentDefaults;
}

/** Admin-editable settings: loaded before the modules that read them, served to settings:manage. */
export async function createSettings(
  deps: SettingsModuleDeps,
): Promise<{ plugin: FastifyPluginAsync; settings: Settings }> {
  const settings = new Settings({
    repository: new SettingsRepository(deps.db),
    transactor: transactorFor(deps.db),
    pubsub: deps.pubsub,
    audit: deps.audit,
    clock: deps.clock,
    logger: deps.logger,
    defaults: { ...codeDefaults, ...deps.defaults },
  });
  await settings.start();
  const plugin = fp(
    async (app) => {
      app.addHook('onClose', () => settings.close());
      await app.register(settingsRoutes, { settings });
    },
    { name: 'marquee-settings' },
  );
  return { plugin, settings };
}
