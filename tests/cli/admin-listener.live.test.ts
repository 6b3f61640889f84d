import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { adminCall, adminToken, call, instanceUrl } from '../helpers/service.ts';
import { parseJson, scratch, stackContextEntry } from './helpers.ts';

// Issue 12.4 on the live instances: the operator switches answer only on each instance's
// admin listener, only with the stack's bearer token; the public port answers 404 for
// them. ticketctl sends the context's token; a wrong one is exit 1 naming the context
// field, and the token never shows in what ticketctl prints.

const s = scratch('admin-listener');
const ROUTES = [
  ['GET', '/admin/state'],
  ['PUT', '/admin/retry-mode'],
  ['PUT', '/admin/consumer-profile'],
  ['POST', '/admin/breaker'],
] as const;

test('the public port answers 404 for every admin route, token or not; the admin port 401 without the token, 200 with it', { timeout: 60_000 }, async () => {
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    for (const [method, path] of ROUTES) {
      const r = await call(method, `${instanceUrl(n)}${path}`, method === 'GET' ? undefined : {});
      assert.equal(r.status, 404, `public ${method} ${path} on instance ${n}`);
    }
    const none = await adminCall('POST', n, '/admin/breaker', { action: 'open' }, null);
    assert.equal(none.status, 401, JSON.stringify(none.body));
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="ticketing-admin"');
    const wrong = await adminCall('POST', n, '/admin/breaker', { action: 'open' }, 'not-the-token-0123456789');
    assert.equal(wrong.status, 401);
    const state = await adminCall('GET', n, '/admin/state');
    assert.equal(state.status, 200);
    assert.equal(state.body.breaker.state, 'CLOSED', 'the refused requests did not open the breaker');
  }
});

test('ticketctl with a wrong admin token: exit 1, each instance refused, the hint names the context field; the token is never printed', { timeout: 60_000 }, async () => {
  const wrong = 'wrong-admin-token-that-must-not-leak';
  const config = s.config({ contexts: { wrongtoken: stackContextEntry({ admin: { token: { env: 'TEST_ADMIN_TOKEN' } } }) } });
  const env = { ...config, TEST_ADMIN_TOKEN: wrong };
  const r = await s.run(['--context', 'wrongtoken', 'breaker', 'status', '-o', 'json'], env);
  assert.equal(r.exitCode, 1, r.stderr);
  for (const i of parseJson(r).instances) assert.match(i.error, /the admin token was refused \(401\): check contexts\.wrongtoken\.admin\.token \(env TEST_ADMIN_TOKEN\)/);
  const refused = await s.run(['--context', 'wrongtoken', 'breaker', 'open', '--yes', '-o', 'json'], env);
  assert.equal(refused.exitCode, 1, refused.stderr);
  for (const out of [r.stdout, r.stderr, refused.stdout, refused.stderr]) assert.ok(!out.includes(wrong) && !out.includes(adminToken()), 'no token in the output');
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) assert.equal((await adminCall('GET', n, '/admin/state')).body.breaker.state, 'CLOSED');
  const unset = await s.run(['--context', 'wrongtoken', 'breaker', 'status'], config);
  assert.equal(unset.exitCode, 2, unset.stderr);
  assert.match(unset.stderr, /contexts\.wrongtoken\.admin\.token comes from the environment variable TEST_ADMIN_TOKEN, which is not set/);
});

test('a plain admin token in the config file: refused (exit 2, naming the key, not the value) while others may read the file; used once it is 0600', { timeout: 60_000 }, async () => {
  const env = s.config({ contexts: { plain: stackContextEntry({ admin: { token: adminToken() } }) } }, 'plain.json');
  chmodSync(env.TICKETCTL_CONFIG!, 0o644);
  const r = await s.run(['--context', 'plain', 'breaker', 'status', '-o', 'json'], env);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /contexts\.plain\.admin\.token holds a secret in plain text, and the file may be read by others than its owner \(mode 644\)/);
  assert.ok(!r.stderr.includes(adminToken()), 'the error does not quote the secret');
  chmodSync(env.TICKETCTL_CONFIG!, 0o600);
  try {
    const ok = await s.run(['--context', 'plain', 'breaker', 'status', '-o', 'json'], env);
    assert.equal(ok.exitCode, 0, ok.stderr);
  } finally {
    rmSync(env.TICKETCTL_CONFIG!); // a config that holds the stack's secret: not left for scan-secrets to find
  }
});

test('stack credentials: where each secret is (mode 600), what uses it, never the value; --show prints it alone and is audited without it', { timeout: 60_000 }, async () => {
  const r = await s.run(['stack', 'credentials', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = parseJson(r);
  const admin = report.credentials.find((x: any) => x.name === 'admin-token');
  assert.equal(admin.mode, '600');
  assert.match(admin.file, /credentials\/admin-token$/);
  assert.ok(!r.stdout.includes(adminToken()), 'the listing holds no value');
  const table = await s.run(['stack', 'credentials', '-o', 'table']);
  assert.ok(!table.stdout.includes(adminToken()));
  const shown = await s.run(['stack', 'credentials', '--show', 'admin-token']);
  assert.equal(shown.exitCode, 0, shown.stderr);
  // A boolean, not a comparison: a failing assertion would print the secret into the test log.
  assert.ok(shown.stdout === adminToken(), 'the value alone, for a pipe (the runner strips the final newline)');
  const audit = s.auditAll().filter((a) => a.command === 'stack credentials');
  assert.equal(audit.length, 1);
  assert.ok(!JSON.stringify(audit).includes(adminToken()), 'the audit says it was shown, not what');
  const bad = await s.run(['stack', 'credentials', '--show', 'nope']);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /No credential "nope"[\s\S]*admin-token/);
});
