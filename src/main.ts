import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { jobCatalog } from './jobs/job-catalog.ts';
import { registerJobHandlers } from './jobs/job-handlers.ts';
import { createLiveIngest, createSrtIngest } from './modules/live/index.ts';
import { createMediaKeys } from './modules/media/index.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createPlatform } from './platform/platform.ts';

/**
 * Starts Marquee in the configured role: `all` (HTTP and workers, the default), `api` or `worker`.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests and the jobs' current step, close
 * pools, exit 0 — all within SHUTDOWN_TIMEOUT_MS (default 9 s, inside a 10 s grace period).
 */

function readConfig(): Config {
  try {
    // Node's own .env reader: no dependency, and the real environment wins over the file.
    try {
      process.loadEnvFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return loadConfig();
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : String(error);
    process.stderr.write(`marquee: configuration error: ${message}\n`);
    process.exit(1);
  }
}

async function main(config: Config, logger: Logger): Promise<void> {
  const startedAt = performance.now();
  const runsHttp = config.role !== 'worker';
  const runsWorkers = config.role !== 'api';

  const platform = await createPlatform({ config, logger, catalog: jobCatalog, superviseQueue: runsWorkers });
  const app = runsHttp ? await buildApp({ config, logger, ...platform }) : undefined;
  const workers = runsWorkers ? await registerJobHandlers({ config, logger, ...platform }) : undefined;
  const mediaKeys =
    runsWorkers && config.live.ingest.enabled
      ? await createMediaKeys(platform.database.db, config.media)
      : undefined;
  // The RTMP ingest runs beside the job handlers: it is CPU work (ffmpeg) like transcoding.
  const ingestDeps = mediaKeys && {
    keys: mediaKeys,
    ...platform,
    db: platform.database.db,
    logger: logger.child({ component: 'live-ingest' }),
    config,
  };
  const ingest = ingestDeps && createLiveIngest(ingestDeps);
  const srtIngest = ingestDeps && config.live.ingest.srt.enabled ? createSrtIngest(ingestDeps) : undefined;
  if (ingest) logger.info({ port: await ingest.start() }, 'live ingest listening for RTMP');
  if (srtIngest) logger.info({ port: await srtIngest.start() }, 'live ingest listening for SRT');
  if (app) await app.listen({ host: config.http.host, port: config.http.port });

  logger.info(
    {
      role: config.role,
      database: platform.database.kind,
      cache: config.redis ? 'redis' : 'memory',
      storage: platform.storage.kind,
      mail: platform.mailer.kind,
      ms: Math.round(performance.now() - startedAt),
    },
    app
      ? `Marquee is listening on ${config.http.publicUrl} (API docs at ${config.http.publicUrl}/docs)`
      : 'Marquee worker started',
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 500);
    deadline.unref();
    try {
      // Stop taking work first, in parallel: HTTP drains in-flight requests, workers finish their step.
      await Promise.all([app?.close(), platform.queue.stop({ timeoutMs: config.shutdownTimeoutMs - 1000 })]);
      await workers?.close();
      await Promise.all([ingest?.close(), srtIngest?.close()]);
      await platform.close();
      logger.info('stopped cleanly');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

const config = readConfig();
const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
main(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'Marquee failed to start');
  logger.flush();
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200).unref();
});
