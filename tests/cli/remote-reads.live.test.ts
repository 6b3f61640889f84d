import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../contracts/repo.ts';
import { TICKETCTL_DB_ACCOUNTS } from '../../contracts/databases.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';
import { ctx } from './helpers.ts';

// Issue 12.5: reads that work where ticketctl started nothing. A copy of the project with
// no stack folder and no Kafka jars (so no Java tools), a context without a `stack`
// section, and Kafka reached only through a bootstrap alias: a TCP load balancer this
// test runs, which no broker advertises. `health` reports the quorum as not checked and
// passes; `kafka brokers` judges each broker by the metadata the alias returned.

const t = ctx.topology;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-remote-reads-'));
const copy = path.join(dir, 'project');
let balancer: net.Server;
let alias = '';

/** Round-robin TCP forwarding to the brokers' proxies, skipping one that refuses: what a cloud load balancer with health checks does. */
function startBalancer(upstreams: number[]): Promise<net.Server> {
  let next = 0;
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    const first = next++;
    const attempt = (tries: number) => {
      const up = net.connect({ host: t.host, port: upstreams[(first + tries) % upstreams.length]! });
      let connected = false;
      up.once('connect', () => {
        connected = true;
        client.pipe(up).pipe(client);
        client.resume();
        const close = () => (client.destroy(), up.destroy());
        client.on('error', close).on('close', close);
        up.on('error', close).on('close', close);
      });
      up.once('error', () => {
        if (!connected && tries + 1 < upstreams.length) attempt(tries + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  balancer = await startBalancer(t.kafka.brokers.map((b) => b.clientProxy));
  alias = `127.0.0.1:${(balancer.address() as net.AddressInfo).port}`;
  // The project's files as a user's checkout has them: tracked and new, nothing ignored (no .stack).
  const files = (await execa('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO_ROOT })).stdout.split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(REPO_ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    cpSync(path.join(REPO_ROOT, f), path.join(copy, f));
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});

after(() => {
  balancer?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const config = path.join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      defaultContext: 'prod-like',
      contexts: {
        'prod-like': {
          kafka: { bootstrap: [alias] },
          redis: { master: `${t.host}:${t.redis.masterProxy}`, sentinels: t.redis.sentinels.map((s) => `${t.host}:${s.port}`) },
          mariadb: { host: t.host, port: t.mariadb.proxy, user: TICKETCTL_DB_ACCOUNTS.read.user, password: { env: 'REMOTE_DB_PASSWORD' }, database: 'ticketing' },
          gateway: `http://${t.host}:${t.gateway.proxy}`,
          services: [1, 2, 3].map((i) => `http://${t.host}:${t.servicePort(i)}`),
          toxiproxy: null,
        },
      },
    }),
  );
  // Nothing of the test stack's environment: no stack folder, no jars, the copy's own config.
  const env = {
    NO_COLOR: '1',
    REMOTE_DB_PASSWORD: TICKETCTL_DB_ACCOUNTS.read.password,
    TICKETCTL_CONFIG: config,
    TICKETCTL_AUDIT_LOG: path.join(dir, 'audit.log'),
    TICKETCTL_STACK_DIR: '',
    TICKETCTL_KAFKA_LIBS: '',
    TICKETCTL_PORT_OFFSET: '',
  };
  const r = await execa(path.join(copy, 'bin', 'ticketctl'), args, { reject: false, env, stdin: 'ignore', timeout: 120_000 });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

test('health from a copy with no jars and no stack folder: quorum not checked (with the fix), brokers judged behind the alias, exit 0', { timeout: 180_000 }, async () => {
  assert.ok(!existsSync(path.join(copy, '.stack')), 'the copy has no stack folder');
  const r = await run(['health', '-o', 'json']);
  const report = JSON.parse(r.stdout) as { healthy: boolean; components: Array<{ component: string; status: string; detail: string; endpoint: string }> };
  const byName = Object.fromEntries(report.components.map((x) => [x.component, x]));
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  assert.equal(byName['kafka-quorum']!.status, 'SKIP');
  assert.match(byName['kafka-quorum']!.detail, /not checked: Kafka's jars .* are not in .*TICKETCTL_KAFKA_LIBS/);
  assert.equal(byName[`kafka@${alias}`]!.status, 'UP');
  assert.match(byName[`kafka@${alias}`]!.detail, /bootstrap alias .*lists 1,2,3/);
  for (const b of t.kafka.brokers) {
    const row = byName[`kafka-${b.id}`]!;
    assert.equal(row.status, 'UP', `kafka-${b.id}: ${row.detail}`);
    assert.equal(row.endpoint, `${t.host}:${b.clientProxy}`, 'probed where it advertises itself');
  }
  assert.notEqual(byName['kafka-topics']!.status, 'DOWN', byName['kafka-topics']!.detail); // WARN is fine: leaders not on their preferred replica after a restart
  assert.equal(byName.mariadb!.status, 'UP', byName.mariadb!.detail);
  assert.match(byName.mariadb!.detail, /SELECT 1 as ticketctl_read ok/, "health reads as ticketctl's read account");
});

test('kafka brokers through the alias: the alias row, then every broker from the metadata, reachable; API versions not checked, exit 0', { timeout: 180_000 }, async () => {
  const r = await run(['kafka', 'brokers', '-o', 'json']);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  const report = JSON.parse(r.stdout) as {
    liveBrokers: number[];
    brokers: Array<{ id: number | null; endpoint: string; reachable: boolean; alias: boolean; learnedFrom: string; lists: number[] | null }>;
    apiVersionsError: string;
  };
  assert.deepEqual(report.liveBrokers, [1, 2, 3]);
  assert.deepEqual(
    report.brokers.map((b) => [b.id, b.endpoint, b.reachable, b.alias, b.learnedFrom]),
    [[null, alias, true, true, 'context'], ...t.kafka.brokers.map((b) => [b.id, `${t.host}:${b.clientProxy}`, true, false, 'metadata'])],
  );
  assert.deepEqual(report.brokers[0]!.lists, [1, 2, 3]);
  assert.match(report.apiVersionsError, /^not checked: Kafka's jars/);
});

test('kafka brokers through the alias: a registered broker whose advertised address does not answer is unreachable, exit 1', { timeout: 180_000 }, async () => {
  const toxiproxy = createToxiproxyApi(`http://${t.host}:${t.toxiproxyApi}`);
  // kafka-2 stays in the cluster (replication is unproxied), but clients cannot reach it.
  // The balancer passes over broker 2's refusing proxy, as a load balancer's health check would.
  await toxiproxy.setEnabled('kafka-2', false);
  try {
    const r = await run(['kafka', 'brokers', '-o', 'json']);
    assert.equal(r.exitCode, 1, `${r.stderr}\n${r.stdout}`);
    const report = JSON.parse(r.stdout) as { brokers: Array<{ id: number | null; reachable: boolean; error: string | null; learnedFrom: string }> };
    const two = report.brokers.find((b) => b.id === 2)!;
    assert.ok(two, JSON.stringify(report.brokers));
    assert.equal(two.reachable, false);
    assert.equal(two.learnedFrom, 'metadata');
    assert.match(two.error!, /registered, but its advertised address does not answer from here/);
    assert.ok(
      report.brokers.filter((b) => b.id === 1 || b.id === 3).every((b) => b.reachable),
      JSON.stringify(report.brokers),
    );
    assert.match(r.stderr, /Unreachable: broker 2/);
  } finally {
    await toxiproxy.setEnabled('kafka-2', true);
  }
});
