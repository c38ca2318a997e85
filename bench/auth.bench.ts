/**
 * bench:auth — authenticated GET /api/me (JWT check, session liveness, account and profile
 * reads, all through the cache port) against GET /healthz on the same server in the same run
 * (aim: ≥ 0.7), and the latency of a sign-in (argon2id at OWASP's parameters dominates it).
 */
import { randomUUID } from 'node:crypto';
import { compare, comparisonRows, printComparison, recordResults, startMarquee } from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const logins = Number(process.env.BENCH_LOGINS ?? 30);

const marquee = await startMarquee({
  env: {
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_MAX_DEVICES: '100',
    ...(process.env.BENCH_LOG_LEVEL && { LOG_LEVEL: process.env.BENCH_LOG_LEVEL }),
  },
});
try {
  const email = `bench-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  const registered = await fetch(`${marquee.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'Bench' }),
  });
  if (registered.status !== 202) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const signedIn = await fetch(`${marquee.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (signedIn.status !== 200) throw new Error(`login: ${signedIn.status} ${await signedIn.text()}`);
  const { accessToken } = (await signedIn.json()) as { accessToken: string };

  // Sign-in latency, one at a time (what a person waits for).
  const samples: number[] = [];
  for (let i = 0; i < logins; i += 1) {
    const started = performance.now();
    const response = await fetch(`${marquee.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login: ${response.status}`);
    const session = (await response.json()) as { accessToken: string };
    samples.push(performance.now() - started);
    // Untimed: sign that device out again, as the plan caps signed-in devices (Free: 2).
    const signedOut = await fetch(`${marquee.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    if (signedOut.status !== 204) throw new Error(`logout: ${signedOut.status}`);
  }
  samples.sort((a, b) => a - b);
  const percentile = (p: number) =>
    samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? 0;
  const loginP50 = percentile(50);
  const loginP99 = percentile(99);

  const comparison = await compare({
    baseline: { name: 'Marquee GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
    subjects: [
      {
        name: 'Marquee GET /api/me (Bearer JWT)',
        url: `${marquee.url}/api/me`,
        headers: { authorization: `Bearer ${accessToken}` },
        server: marquee,
      },
    ],
    connections,
    durationSeconds,
    rounds,
  });
  printComparison(
    `bench:auth — ${connections} connections, ${durationSeconds} s × ${rounds} rounds (median)`,
    comparison,
  );
  console.log(
    `sign-in latency over ${logins} sequential logins: p50 ${loginP50.toFixed(0)} ms, p99 ${loginP99.toFixed(0)} ms`,
  );
  await recordResults(
    'auth',
    comparisonRows(
      comparison,
      `sign-in p50 / p99: ${loginP50.toFixed(0)} / ${loginP99.toFixed(0)} ms (${logins} sequential)`,
    ),
  );
} finally {
  await marquee.stop();
}
