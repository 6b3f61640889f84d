import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import kafkajs, { type Admin } from 'kafkajs';
import { waitFor } from '../../lib/wait.ts';
import { TOPICS } from '../../contracts/topics.ts';
import { findComponent } from '../../stack/components/index.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { isAlive } from '../../stack/supervisor/process.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { call, freshConcert, hold, instanceUrl, waitForFinal } from '../helpers/service.ts';
import { restoreStack } from '../helpers/stack.ts';
import { ctx, parseJson, scratch } from './helpers.ts';

// Runbook 4.1.2 on the real stack, in one recovery run: a saga topic deleted and a broker
// killed (SIGKILL, as a crash would), then `kafka recover-cluster --backup` stops the two
// survivors cleanly, archives the data, starts all three, recreates the topic with the
// service's layout, and waits until ISRs are full and the instances are healthy. A
// payment then completes end to end.

const s = scratch('recover');
const kafka = testKafka(ctx);
const BROKERS = ['kafka-1', 'kafka-2', 'kafka-3'];
const record = (name: string) => runningRecord(ctx.paths, findComponent(ctx.topology, name)!);

const withAdmin = <T>(fn: (admin: Admin) => Promise<T>): Promise<T> => withKafkaAdmin(kafka, fn);

after(async () => {
  await restoreStack(ctx); // whatever happened above, leave every broker and topic in place
});

test('kafka recover-cluster: refused without --yes off a terminal, and on a context without a local stack', { timeout: 60_000 }, async () => {
  const pids = BROKERS.map((n) => record(n)?.pid);
  const refused = await s.run(['kafka', 'recover-cluster']);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /re-run with --yes after reviewing --dry-run/);
  assert.deepEqual(
    BROKERS.map((n) => record(n)?.pid),
    pids,
    'no broker was touched',
  );

  const remote = s.config({
    contexts: {
      remote: { kafka: { bootstrap: ['k:9092'] }, redis: { master: 'r:6379' }, mariadb: { host: 'db', port: 3306, user: 'u', password: 'p', database: 'd' }, gateway: 'http://g:1', services: ['http://s:1'] },
    },
  });
  const r = await s.run(['--context', 'remote', 'kafka', 'recover-cluster', '--dry-run'], remote);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /works only on a local stack/);
});

test('kafka recover-cluster --backup: a killed broker and a deleted topic; all 3 brokers back, topic recreated 3/3/2, ISR full, services healthy, a payment completes', { timeout: 900_000 }, async () => {
  await withAdmin(async (admin) => {
    await admin.deleteTopics({ topics: [TOPICS.paymentCancel], timeout: 30_000 });
    await waitFor(async () => !(await admin.listTopics()).includes(TOPICS.paymentCancel), { timeoutMs: 30_000, what: `${TOPICS.paymentCancel} deleted` });
  });
  const killed = record('kafka-2');
  assert.ok(killed, 'kafka-2 runs before the test');
  process.kill(killed.pid, 'SIGKILL');
  await waitFor(() => !isAlive(killed), { timeoutMs: 30_000, what: 'kafka-2 dead' });
  const survivors = ['kafka-1', 'kafka-3'].map((n) => ({ n, pid: record(n)!.pid }));

  // Without --backup the plan has no archive step: checked on the dry run, not a second recovery.
  const dry = parseJson(await s.run(['kafka', 'recover-cluster', '--dry-run', '-o', 'json'], {}, 120_000));
  assert.equal(dry.plan.data.backupFile, null);
  assert.ok(!dry.plan.steps.some((st: string) => /archive/.test(st)));
  assert.deepEqual(
    dry.plan.data.brokers.map((b: any) => [b.component, b.pid]),
    [
      ['kafka-1', survivors[0]!.pid],
      ['kafka-2', null],
      ['kafka-3', survivors[1]!.pid],
    ],
  );
  assert.ok(dry.plan.notes.includes('kafka-2 not running: nothing to stop, only started'));

  const r = await s.run(['kafka', 'recover-cluster', '--backup', '--yes', '--timeout', '400', '-o', 'json'], {}, 840_000);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  const out = parseJson(r);
  assert.equal(out.result, 'ok');
  assert.deepEqual(out.plan.data.topics.missingNow, [TOPICS.paymentCancel]);
  const o = out.outcome;
  assert.deepEqual(o.stopped.map((x: any) => x.component).sort(), ['kafka-1', 'kafka-3'], 'the dead broker needs no stop');
  // SIGTERM first; with kafka-2 already dead, the last survivor to stop has lost the KRaft
  // quorum (1 of 3 voters) and cannot finish a controlled shutdown, so the supervisor may
  // have to SIGKILL it after its grace period. Either way it must be down before the start.
  assert.ok(
    o.stopped.every((x: any) => x.outcome === 'stopped' || x.outcome === 'killed'),
    `survivors stopped: ${JSON.stringify(o.stopped)}`,
  );
  for (const name of BROKERS) {
    const now = record(name);
    assert.ok(now, `${name} runs again`);
    assert.equal(o.started.find((x: any) => x.component === name).pid, now.pid);
  }
  for (const { n, pid } of survivors) assert.notEqual(record(n)!.pid, pid, `${n} was restarted`);
  assert.deepEqual(o.liveBrokers, [1, 2, 3]);
  assert.deepEqual(o.quorum.voters.sort(), [1, 2, 3]);
  assert.ok(o.createdTopics.includes(TOPICS.paymentCancel), JSON.stringify(o.createdTopics));
  assert.equal(s.audit().at(-1)!.result, 'ok');

  // The backup: a tar.gz under the stack folder holding every broker's data folder.
  assert.ok(o.backup.file.startsWith(`${ctx.paths.root}/backups/`) && existsSync(o.backup.file), o.backup.file);
  const listing = (await execa('tar', ['-tzf', o.backup.file])).stdout.split('\n');
  for (const name of BROKERS) assert.ok(listing.includes(`${name}/meta.properties`), `${name}/meta.properties in the archive`);

  // Checked independently of the CLI: the topic's layout and every ISR.
  await withAdmin(async (admin) => {
    const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.paymentCancel] });
    const parts = meta.topics[0]!.partitions;
    assert.equal(parts.length, 3);
    for (const p of parts) assert.equal(p.replicas.length, 3);
    const cfg = await admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: TOPICS.paymentCancel, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
    assert.equal(cfg.resources[0]!.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue, '2');
    await waitFor(
      async () => {
        const all = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
        const short = all.topics.flatMap((t) => t.partitions.filter((p) => p.isr.length !== p.replicas.length).map((p) => `${t.name}/${p.partitionId}`));
        if (short.length) throw new Error(`ISR short: ${short.join(', ')}`);
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'every ISR full as the test sees it' },
    );
  });
  for (let n = 1; n <= 3; n++) assert.equal((await call('GET', `${instanceUrl(n)}/health`)).status, 200, `service-${n} /health`);

  // The saga still works end to end.
  const { seatIds } = await freshConcert(1);
  const userId = `u-${randomUUID().slice(0, 8)}`;
  const h = await hold(seatIds[0]!, userId);
  const paymentTxId = randomUUID();
  const pay = await call('POST', `${instanceUrl(1)}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId, amount: 50_000 });
  assert.equal(pay.status, 202, JSON.stringify(pay.body));
  assert.equal((await waitForFinal(paymentTxId, 180_000)).status, 'SUCCESS');
});
