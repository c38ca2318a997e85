import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { configVariables, ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.role, 'all');
    assert.equal(config.http.port, 3000);
    assert.equal(config.http.publicUrl, 'http://localhost:3000');
    assert.equal(config.database.kind, 'embedded');
    assert.equal(config.storage.kind, 'local');
    assert.equal(config.redis, undefined);
    assert.equal(config.mail.smtpUrl, undefined);
    assert.equal(config.http.bodyLimitBytes, 1024 * 1024);
    assert.equal(config.dataDir, path.resolve('./data'));
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.http));
    assert.ok(Object.isFrozen(config.http.corsOrigins));
    assert.throws(() => {
      (config.http as { port: number }).port = 1;
    }, TypeError);
  });

  it('reads real servers, lists and proxies', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'media',
      S3_FORCE_PATH_STYLE: 'true',
      PUBLIC_URL: 'https://tv.example/',
    });
    assert.equal(config.database.kind, 'postgres');
    assert.deepEqual(config.http.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.deepEqual(config.http.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.equal(config.http.publicUrl, 'https://tv.example');
    assert.deepEqual(config.storage.kind === 's3' && [config.storage.bucket, config.storage.forcePathStyle], [
      'media',
      true,
    ]);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy, 2);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy, true);
    assert.deepEqual(
      loadConfig({ RECS_SIGNAL_WEIGHTS: 'finish=3, halfLifeDays=180,thumbDown=-2.5' }).recommendations
        .signalWeights,
      {
        finish: 3,
        halfLifeDays: 180,
        thumbDown: -2.5,
      },
    );
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT must be a whole number between 0 and 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT must be at most 65535 \(got "70000"\)$/],
    [{ ROLE: 'web' }, /^ROLE must be one of all, api, worker \(got "web"\)$/],
    [
      { DATABASE_URL: 'mysql://x' },
      /^DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//,
    ],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ STORAGE_DRIVER: 's3' }, /^S3_BUCKET must be set when STORAGE_DRIVER=s3/],
    [{ S3_ACCESS_KEY_ID: 'x' }, /^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together/],
    [{ METRICS_TOKEN: 'short' }, /^METRICS_TOKEN must be at least 16 characters/],
    [{ RECS_SIGNAL_WEIGHTS: 'finnish=3' }, /^RECS_SIGNAL_WEIGHTS "finnish=3": expected name=number/],
    [{ RECS_SIGNAL_WEIGHTS: 'finish=lots' }, /^RECS_SIGNAL_WEIGHTS "finish=lots": expected name=number/],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, /^S3_FORCE_PATH_STYLE must be true or false \(got "maybe"\)$/],
    // Shorter than the longest beacon TTL (7 days) would let a still-valid beacon count again.
    [{ ADS_BEACON_RETENTION_DAYS: '7' }, /^ADS_BEACON_RETENTION_DAYS must be at least 8 \(got "7"\)$/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }

  it('documents every variable, with its default, in .env.example', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Map(
      example
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    assert.deepEqual([...documented.keys()].sort(), [...configVariables].sort());
    // The example's values are the defaults: loading it changes nothing.
    const fromExample = loadConfig(Object.fromEntries(documented));
    assert.deepEqual(JSON.parse(JSON.stringify(fromExample)), JSON.parse(JSON.stringify(loadConfig({}))));
  });
});
