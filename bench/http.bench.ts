/**
 * bench:http — GET /healthz through Marquee's full middleware stack (request id, security
 * headers, access log, metrics, load shedding, zod serialisation) against a bare node:http
 * server answering the same body, in the same run. Aim: ≥ 0.6 (faster than a bare Express app).
 */
import {
  compare,
  comparisonRows,
  printComparison,
  recordResults,
  startBareFastify,
  startBaseline,
  startMarquee,
} from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const baseline = await startBaseline();
const fastify = await startBareFastify();
const marquee = await startMarquee();
try {
  const comparison = await compare({
    baseline: { name: 'bare node:http', url: baseline.url, server: baseline },
    subjects: [
      { name: 'bare Fastify route (reference)', url: `${fastify.url}/healthz`, server: fastify },
      { name: 'Marquee GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
    ],
    connections,
    durationSeconds,
    rounds,
  });
  printComparison(
    `bench:http — ${connections} connections, ${durationSeconds} s × ${rounds} rounds (median)`,
    comparison,
  );
  await recordResults('http', comparisonRows(comparison));
} finally {
  await Promise.all([marquee.stop(), fastify.stop(), baseline.stop()]);
}
