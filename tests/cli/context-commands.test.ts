import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { scratch } from './helpers.ts';

// `ticketctl context list | show | use` on a config file alone: nothing is contacted, so
// these run offline. A production-like context with secrets of every kind (an environment
// variable, a file, a plain value in a 0600 file): shown by where they come from, never by
// value.

const s = scratch('context-commands');
const SECRETS = { env: 'env-secret-value-1234567890', plain: 'plain-secret-value-0987654321' };
const prod = {
  kafka: { bootstrap: ['kafka.prod.internal:9093'] },
  redis: { master: 'redis.prod.internal:6380', sentinels: ['sentinel-1.prod.internal:26380'] },
  mariadb: {
    host: 'db.prod.internal',
    port: 3306,
    database: 'ticketing',
    user: 'ticketctl_read',
    password: { env: 'PROD_DB_READ_PASSWORD' },
    operator: { user: 'ticketctl_operator', password: SECRETS.plain },
  },
  gateway: 'https://gateway.prod.internal',
  services: ['https://svc-1.prod.internal:3001'],
  admin: { urls: ['https://svc-1.prod.internal:3101'], token: { file: 'prod-admin-token' } },
  toxiproxy: null,
};
const config = s.config({ contexts: { prod } });
const env: Record<string, string> = { ...config, PROD_DB_READ_PASSWORD: SECRETS.env };
const noSecret = (out: string) => assert.ok(!out.includes(SECRETS.env) && !out.includes(SECRETS.plain), 'no secret value in the output');

test('context list: built-ins and the file, the selected one marked and why', async () => {
  const r = await s.run(['context', 'list', '-o', 'json'], env);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.contexts.map((c: any) => [c.name, c.kind, c.protected, c.selected]),
    [
      ['local', 'stack (local)', false, true],
      ['compose', 'stack (compose)', false, false],
      ['prod', 'remote', true, false],
    ],
  );
  assert.equal(out.selectedBy, 'the built-in default');
  const chosen = JSON.parse((await s.run(['--context', 'prod', 'context', 'list', '-o', 'json'], env)).stdout);
  assert.deepEqual([chosen.selected, chosen.selectedBy], ['prod', '--context']);
});

test('context show: every endpoint and account, each secret by its source only', async () => {
  const r = await s.run(['context', 'show', 'prod', '-o', 'json'], env);
  assert.equal(r.exitCode, 0, r.stderr);
  noSecret(r.stdout + r.stderr);
  const v = JSON.parse(r.stdout);
  assert.deepEqual(v.kafka.bootstrap, ['kafka.prod.internal:9093']);
  assert.deepEqual(v.mariadb.accounts, {
    read: { user: 'ticketctl_read', password: 'env PROD_DB_READ_PASSWORD' },
    operator: { user: 'ticketctl_operator', password: `config file ${env.TICKETCTL_CONFIG} (contexts.prod.mariadb.operator.password)` },
    drill: null,
  });
  assert.equal(v.admin.token, `file ${s.dir}/prod-admin-token`);
  const table = await s.run(['context', 'show', 'prod', '-o', 'table'], env);
  assert.equal(table.exitCode, 0, table.stderr);
  noSecret(table.stdout);
  assert.match(table.stdout, /read account\s+ticketctl_read, password from env PROD_DB_READ_PASSWORD/);
});

test('context use: sets defaultContext and keeps the rest of the file and its mode; an unknown name is exit 2', async () => {
  const file = env.TICKETCTL_CONFIG!;
  const r = await s.run(['context', 'use', 'prod'], env);
  assert.equal(r.exitCode, 0, r.stderr);
  const written = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(written.defaultContext, 'prod');
  assert.deepEqual(written.contexts.prod, prod);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const listed = JSON.parse((await s.run(['context', 'list', '-o', 'json'], env)).stdout);
  assert.equal(listed.selected, 'prod');
  const bad = await s.run(['context', 'use', 'prdo'], env);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /Unknown context "prdo"[\s\S]*local, compose, prod/);
});
