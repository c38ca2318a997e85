import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { settingKeys, settingsSchema, type SettingKey, type SettingsValues } from './settings.definitions.ts';
import type { SettingsRepository } from './settings.repository.ts';

/** Other instances hear of a change here and read the table again. */
export const SETTINGS_CHANNEL = 'settings.changed';

export interface SettingsDeps {
  repository: SettingsRepository;
  transactor: Transactor;
  pubsub: PubSub;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  defaults: SettingsValues;
}

/**
 * Admin-editable settings: the stored value of each key, or its default. Read on every comment
 * and chat message, so readers get an in-memory snapshot (`current()`, synchronous); it is
 * loaded at start and again after every change — this instance's at once, the others' when the
 * change is announced on the pub/sub channel.
 */
export class Settings {
  readonly #deps: SettingsDeps;
  #values: SettingsValues;
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(deps: SettingsDeps) {
    this.#deps = deps;
    this.#values = deps.defaults;
  }

  current(): SettingsValues {
    return this.#values;
  }

  async start(): Promise<void> {
    await this.reload();
    this.#unsubscribe = await this.#deps.pubsub.subscribe(SETTINGS_CHANNEL, () => {
      this.reload().catch((error: unknown) => this.#deps.logger.warn({ error }, 'settings: reload failed'));
    });
  }

  async reload(): Promise<void> {
    const stored = await this.#deps.repository.all();
    const merged: Record<string, unknown> = { ...this.#deps.defaults };
    for (const key of settingKeys) if (stored.has(key)) merged[key] = stored.get(key);
    // A stored value that no longer fits its schema (a setting's rules tightened) falls back to
    // the default rather than stopping the server.
    const parsed = settingsSchema.safeParse(merged);
    if (parsed.success) this.#values = parsed.data;
    else {
      this.#deps.logger.warn(
        { issues: parsed.error.issues },
        'settings: stored values invalid, defaults used',
      );
      this.#values = this.#deps.defaults;
    }
  }

  async update(context: RequestContext, patch: Partial<SettingsValues>): Promise<SettingsValues> {
    const before = this.#values;
    const keys = Object.keys(patch) as SettingKey[];
    await this.#deps.transactor.run(async (trx) => {
      const now = this.#deps.clock.now();
      // An API key's change has no person behind it: `updated_by` stays empty, the audit says which key.
      const updatedBy = context.actor.type === 'user' ? context.actor.id : null;
      for (const key of keys)
        await this.#deps.repository.put({ key, value: patch[key], now, updatedBy }, trx);
      await this.#deps.audit.record(trx, context, {
        action: 'settings.updated',
        targetType: 'settings',
        targetId: null,
        before: Object.fromEntries(keys.map((key) => [key, before[key]])),
        after: Object.fromEntries(keys.map((key) => [key, patch[key]])),
      });
    });
    await this.reload();
    await this.#deps.pubsub.publish(SETTINGS_CHANNEL, { keys });
    return this.#values;
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.();
  }
}
