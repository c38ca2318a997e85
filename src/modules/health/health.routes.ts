import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type ReadinessCheck = () => Promise<void>;

export interface HealthRoutesOptions {
  /** Dependencies that must answer for this instance to take traffic: database, cache, storage, queue. */
  checks: Record<string, ReadinessCheck>;
  checkTimeoutMs?: number;
}

const checkResult = z.object({
  status: z.enum(['up', 'down']),
  ms: z.number(),
  error: z.string().optional(),
});
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), checkResult),
});

// Liveness answers even when the server sheds load: an orchestrator must not kill an instance
// for being busy. Readiness is shed (503), which is what takes a busy instance out of rotation.
// (@fastify/under-pressure lets the request through when the handler returns nothing.)
const unshed = { access: 'public' as const, quiet: true, pressureHandler: () => undefined };

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<z.infer<typeof checkResult>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message.slice(0, 200) : 'failed',
    };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (
  app,
  { checks, checkTimeoutMs = 2000 },
) => {
  app.get(
    '/healthz',
    {
      config: unshed,
      schema: {
        operationId: 'getLiveness',
        tags: ['operations'],
        summary: 'Liveness: the process is up and serving',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public', quiet: true },
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness: database, cache, storage and queue all answer',
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(
        names.map((name) => runCheck(checks[name] as ReadinessCheck, checkTimeoutMs)),
      );
      const byName = Object.fromEntries(
        names.map((name, index) => [name, results[index] as z.infer<typeof checkResult>]),
      );
      const ready = results.every((result) => result.status === 'up');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: byName });
    },
  );
};
