import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, parseJson, scratch, stackContextEntry } from './helpers.ts';

// Contexts from the real CLI: a broken config file is a usage error naming the file and
// the key; contexts are chosen by flag or env; a command that manages local processes
// refuses a context without a local stack.

const s = scratch('context');

test('a config file with a bad key: exit 2, naming the file and the key, before any connection', async () => {
  const env = s.config({ contexts: { staging: { kafka: { bootstrap: ['kafka-1:9092', 'kafka-2'] } } } });
  const r = await s.run(['--context', 'staging', 'health'], env);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`error: ${env.TICKETCTL_CONFIG!.replace(/[.]/g, '\\.')}: contexts\\.staging\\.kafka\\.bootstrap\\[1\\] must be "host:port" \\(got "kafka-2"\\)`));
  assert.match(r.stderr, /next: Fix that key/);
});

test('an unknown key, broken JSON and a missing required endpoint are usage errors too', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ contexts: { local: { protectd: true } } }, /contexts\.local\.protectd is not a known key/],
    ['{ "contexts": ', /\(the whole file\) is not valid JSON/],
    [{ defaultContext: 'staging', contexts: { staging: { gateway: 'http://gw:8080' } } }, /contexts\.staging\.kafka\.bootstrap is required for a context without "stack"/],
  ];
  for (const [content, message] of cases) {
    const r = await s.run(['kafka', 'describe', 'payment.try'], s.config(content, 'case.json'));
    assert.equal(r.exitCode, 2, `${message}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('an unknown context: exit 2, listing the known ones', async () => {
  const env = s.config({ contexts: { 'stack-under-test': stackContextEntry() } });
  const r = await s.run(['--context', 'prod', 'health'], env);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /Unknown context "prod" \(from --context prod\)[\s\S]*next: Known contexts: local, compose, stack-under-test/);
  const viaEnv = await s.run(['health'], { ...env, TICKETCTL_CONTEXT: 'prod' });
  assert.equal(viaEnv.exitCode, 2);
  assert.match(viaEnv.stderr, /from TICKETCTL_CONTEXT=prod/);
});

test('a named context from the file reaches the stack it names; --context beats TICKETCTL_CONTEXT', async () => {
  const env = s.config({ contexts: { 'stack-under-test': stackContextEntry(), elsewhere: { stack: { dir: '/nonexistent', portOffset: 9000 } } } });
  const r = await s.run(['--context', 'stack-under-test', 'kafka', 'describe', 'payment.try', '-o', 'json'], { ...env, TICKETCTL_CONTEXT: 'elsewhere' });
  assert.equal(r.exitCode, 0, r.stderr);
  const report = parseJson(r);
  assert.equal(report.context, 'stack-under-test');
  assert.equal(report.partitions.length, 3);
  assert.ok(ctx.topology.portOffset >= 0);
});

test('restart-broker on a context without a local stack is refused (exit 2) with a hint', async () => {
  const env = s.config({
    contexts: {
      remote: {
        protected: false,
        kafka: { bootstrap: ctx.topology.kafka.bootstrap },
        redis: { master: `127.0.0.1:${ctx.topology.redis.masterProxy}` },
        mariadb: { host: '127.0.0.1', port: ctx.topology.mariadb.proxy, user: 'ticketing', password: 'ticketing', database: 'ticketing' },
        gateway: `http://127.0.0.1:${ctx.topology.gateway.proxy}`,
        services: [`http://127.0.0.1:${ctx.topology.servicePort(1)}`],
      },
    },
  });
  const r = await s.run(['--context', 'remote', 'kafka', 'restart-broker', '2', '--yes'], env);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /`kafka restart-broker` works only on a local stack; context "remote"[\s\S]*next: Run it with --context local/);
  const stackCmd = await s.run(['--context', 'remote', 'stack', 'status'], env);
  assert.equal(stackCmd.exitCode, 2);
  assert.match(stackCmd.stderr, /`stack status` works only on a local stack/);
});
