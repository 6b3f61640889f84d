import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { parseConfig, readConfigFile } from './context-file.ts';
import { configPath, resolveContext, selectContext } from './context.ts';

const FILE = '/etc/ticketctl/config.json';
const REMOTE = {
  kafka: { bootstrap: ['k1.staging:9092', 'k2.staging:9092'] },
  redis: { master: 'redis.staging:6379', sentinels: ['s1.staging:26379'] },
  mariadb: { host: 'db.staging', port: 3306, user: 'ticketing', passwordEnv: 'STAGING_DB_PASSWORD', database: 'ticketing' },
  gateway: 'https://gw.staging/',
  services: ['http://svc-1.staging:3001'],
};
const config = (contexts: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseConfig(FILE, { contexts, ...extra });

test('no file: only the built-in local, from the stack topology and TICKETCTL_STACK_DIR/PORT_OFFSET', () => {
  const c = selectContext(undefined, undefined, { TICKETCTL_STACK_DIR: '/tmp/s', TICKETCTL_PORT_OFFSET: '6000' });
  assert.equal(c.name, 'local');
  assert.equal(c.source, 'built-in');
  assert.deepEqual(c.stack, { dir: '/tmp/s', portOffset: 6000 });
  assert.deepEqual(
    c.kafka.brokers,
    [1, 2, 3].map((id) => ({ id, address: `127.0.0.1:${25090 + id}` })),
  );
  assert.equal(c.redis.master, '127.0.0.1:22380');
  assert.equal(c.mariadb.port, 19307);
  assert.equal(c.serviceUrls.length, 3);
  assert.equal(c.protected, false);
  assert.equal(c.allowDrills, true);
});

test('which context: local < the file default < TICKETCTL_CONTEXT < --context', () => {
  const file = config({ a: { stack: {} }, b: { stack: {} }, c: { stack: {} } }, { defaultContext: 'a' });
  assert.equal(selectContext(undefined, undefined, {}).name, 'local');
  assert.equal(selectContext(file, undefined, {}).name, 'a');
  assert.equal(selectContext(file, undefined, { TICKETCTL_CONTEXT: 'b' }).name, 'b');
  assert.equal(selectContext(file, 'c', { TICKETCTL_CONTEXT: 'b' }).name, 'c');
});

test('local stack settings: defaults < file < env; env applies to `local` only', () => {
  const file = config({ local: { protected: true, stack: { dir: 'stacks/mine', portOffset: 100 } }, other: { stack: { dir: '/srv/other', portOffset: 200 } } });
  const fromFile = selectContext(file, undefined, {});
  assert.deepEqual(fromFile.stack, { dir: '/etc/ticketctl/stacks/mine', portOffset: 100 }, 'a relative dir is relative to the file');
  assert.equal(fromFile.protected, true);
  const fromEnv = selectContext(file, undefined, { TICKETCTL_STACK_DIR: '/tmp/x', TICKETCTL_PORT_OFFSET: '300' });
  assert.deepEqual(fromEnv.stack, { dir: '/tmp/x', portOffset: 300 });
  assert.deepEqual(selectContext(file, 'other', { TICKETCTL_PORT_OFFSET: '300' }).stack, { dir: '/srv/other', portOffset: 200 });
});

test('a remote context: endpoints from the file, protected and drill-free by default, password from env', () => {
  const c = selectContext(config({ staging: REMOTE }), 'staging', { STAGING_DB_PASSWORD: 's3cret' });
  assert.equal(c.stack, null);
  assert.equal(c.protected, true);
  assert.equal(c.allowDrills, false);
  assert.deepEqual(c.kafka.brokers, [
    { id: null, address: 'k1.staging:9092' },
    { id: null, address: 'k2.staging:9092' },
  ]);
  assert.equal(c.mariadb.accounts.read?.password.reveal(), 's3cret');
  assert.equal(c.mariadb.accounts.read?.password.source, 'env STAGING_DB_PASSWORD');
  assert.equal(c.gatewayUrl, 'https://gw.staging', 'trailing slash dropped');
  assert.equal(c.toxiproxyUrl, null);
  // Read when a command needs it, not when the context is chosen.
  assert.throws(() => selectContext(config({ staging: REMOTE }), 'staging', {}).mariadb.accounts.read?.password.reveal(), /STAGING_DB_PASSWORD, which is not set/);
});

test('errors name the file and the key, and are usage errors (exit 2)', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ contexts: { staging: { ...REMOTE, kafka: { bootstrap: ['no-port'] } } } }, /contexts\.staging\.kafka\.bootstrap\[0\] must be "host:port"/],
    [{ contexts: { staging: { ...REMOTE, protected: 'yes' } } }, /contexts\.staging\.protected must be true or false \(got "yes"\)/],
    [{ contexts: { staging: { ...REMOTE, kafak: {} } } }, /contexts\.staging\.kafak is not a known key/],
    [{ contexts: { local: { stack: { portOffset: -1 } } } }, /contexts\.local\.stack\.portOffset must be a whole number from 0 to 10000/],
    [{ contexts: { 'Bad Name': {} } }, /contexts\.Bad Name is not a valid context name/],
    [{ context: {} }, /context is not a known key/],
    [{ defaultContext: 'prod', contexts: {} }, /defaultContext names "prod", which is not defined/],
    [{ contexts: { staging: { ...REMOTE, services: [] } } }, /contexts\.staging\.services must be a non-empty list/],
    [{ contexts: { staging: { ...REMOTE, gateway: 'ftp://x' } } }, /contexts\.staging\.gateway must be an http\(s\) URL/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(
      () => parseConfig(FILE, raw),
      (err: unknown) => {
        assert.ok(err instanceof UsageError, String(err));
        assert.equal(err.exitCode, 2);
        assert.match(err.message, new RegExp(`^${FILE.replace(/\//g, '\\/')}: `));
        assert.match(err.message, message);
        return true;
      },
    );
  }
  const { gateway: _g, ...noGateway } = REMOTE;
  assert.throws(() => selectContext(config({ staging: noGateway }), 'staging', { STAGING_DB_PASSWORD: 'x' }), /contexts\.staging\.gateway is required/);
  assert.throws(
    () => selectContext(undefined, 'prod', {}),
    (err: unknown) => err instanceof UsageError && /Unknown context "prod" \(from --context prod\)/.test(err.message) && /Known contexts: local/.test(err.hint ?? ''),
  );
});

test('the file: TICKETCTL_CONFIG, else XDG_CONFIG_HOME; missing is fine, broken JSON is not', async () => {
  assert.equal(configPath({ TICKETCTL_CONFIG: '/x/c.json' }), '/x/c.json');
  assert.equal(configPath({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/ticketctl/config.json');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-ctx-'));
  assert.equal(readConfigFile(path.join(dir, 'none.json')), undefined);
  assert.equal((await resolveContext({ env: { TICKETCTL_CONFIG: path.join(dir, 'none.json') } })).name, 'local');
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{"contexts": {');
  assert.throws(() => readConfigFile(broken), /broken\.json: \(the whole file\) is not valid JSON/);
});

test('platforms: local by default, built-in `compose` is the repository compose file, a file may name its own project', () => {
  assert.deepEqual(selectContext(undefined, undefined, {}).platform, { kind: 'local' });
  const builtIn = selectContext(undefined, 'compose', {});
  assert.equal(builtIn.source, 'built-in');
  assert.equal(builtIn.platform?.kind, 'compose');
  assert.ok(builtIn.platform?.kind === 'compose' && builtIn.platform.project === 'ticketing' && builtIn.platform.file.endsWith('/docker-compose.yml'));
  // The same ports as the local stack: every read command works unchanged.
  assert.deepEqual(builtIn.kafka, selectContext(undefined, undefined, {}).kafka);
  const own = selectContext(config({ ci: { platform: 'compose', compose: { project: 'ci-run', file: 'deploy/compose.yml' } } }), 'ci', {});
  assert.deepEqual(own.platform, { kind: 'compose', project: 'ci-run', file: '/etc/ticketctl/deploy/compose.yml' });
  assert.equal(selectContext(undefined, undefined, {}).platform?.kind, 'local');
  assert.equal(selectContext(config({ staging: REMOTE }), 'staging', { STAGING_DB_PASSWORD: 'x' }).platform, null);
});

test('platforms: an unknown platform or a bad project name is a usage error naming the key', () => {
  assert.throws(
    () => config({ k: { platform: 'kubernetes' } }),
    (e: unknown) => e instanceof UsageError && /contexts\.k\.platform must be one of local, compose/.test(e.message),
  );
  assert.throws(
    () => config({ k: { platform: 'compose', compose: { project: 'Bad Name' } } }),
    (e: unknown) => e instanceof UsageError && /contexts\.k\.compose\.project "Bad Name" is not a compose project name/.test(e.message),
  );
  assert.throws(() => config({ k: { compose: { project: 'x' } } }), /contexts\.k\.compose is only read with "platform": "compose"/);
});
