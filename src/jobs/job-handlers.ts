import type { Mailer } from '../platform/mail/mail.port.ts';
import type { AppQueue } from './job-catalog.ts';

/** What the job handlers run on; each handler takes only what it needs from here. */
export interface WorkerDeps {
  queue: AppQueue;
  mailer: Mailer;
}

/** Registers one handler per job type in the catalog. Run by the worker role. */
export async function registerJobHandlers(deps: WorkerDeps): Promise<void> {
  await deps.queue.work('mail.send', async ({ payload }) => {
    await deps.mailer.send(payload);
  });
}
