import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { waitFor } from '../../lib/wait.ts';
import { findComponent } from '../../stack/components/index.ts';
import { stackDown, stackUp } from '../../stack/index.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { restoreStack } from '../helpers/stack.ts';
import { ctx, parseJson, scratch, stackContextEntry, ticketctlOnTty } from './helpers.ts';

// Runbook 4.1.1 on the real cluster: list brokers, describe a topic, restart a broker and
// see it rejoin every ISR, and restore preferred leadership after a broker came back.

const s = scratch('kafka');
const kafka = testKafka(ctx);

const withAdmin = <T>(fn: (admin: Admin) => Promise<T>): Promise<T> => withKafkaAdmin(kafka, fn);

async function partitions(admin: Admin) {
  const topics = await admin.listTopics();
  const meta = await admin.fetchTopicMetadata({ topics });
  return meta.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
}

after(async () => {
  await restoreStack(ctx);
  await s.run(['kafka', 'elect-leaders', '--yes']); // leave leadership where the next test file expects it
});

test('kafka brokers: every broker reachable through its proxy, with its API versions', { timeout: 120_000 }, async () => {
  const r = await s.run(['kafka', 'brokers', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = parseJson(r);
  assert.deepEqual(Object.keys(report), ['context', 'liveBrokers', 'brokers', 'apiVersionsError']);
  assert.deepEqual(report.liveBrokers, [1, 2, 3]);
  assert.equal(report.apiVersionsError, null);
  assert.deepEqual(
    report.brokers.map((b: any) => [b.id, b.endpoint, b.reachable]),
    ctx.topology.kafka.brokers.map((b) => [b.id, `127.0.0.1:${b.clientProxy}`, true]),
  );
  for (const b of report.brokers) {
    assert.deepEqual(Object.keys(b), ['id', 'endpoint', 'reachable', 'latencyMs', 'error', 'alias', 'learnedFrom', 'lists', 'apiVersions']);
    assert.equal(b.alias, false);
    assert.equal(b.learnedFrom, 'context');
    assert.match(b.apiVersions.summary, /^\d+ APIs \(\d+ unsupported\); Produce v0-\d+, Fetch v0-\d+, Metadata v0-\d+$/);
    assert.deepEqual(Object.keys(b.apiVersions.apis.Produce), ['min', 'max', 'usable']);
  }
});

test('kafka describe: partitions with leader, replicas, ISR, preferred leader; documented keys', { timeout: 60_000 }, async () => {
  const r = await s.run(['kafka', 'describe', 'payment.success', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const t = parseJson(r);
  assert.deepEqual(Object.keys(t), ['context', 'topic', 'replicationFactor', 'minInsyncReplicas', 'summary', 'partitions']);
  assert.deepEqual([t.topic, t.replicationFactor, t.minInsyncReplicas, t.summary.partitions, t.summary.underReplicated], ['payment.success', 3, 2, 3, 0]);
  assert.deepEqual(Object.keys(t.partitions[0]), ['topic', 'partition', 'leader', 'replicas', 'isr', 'offlineReplicas', 'preferredLeader', 'onPreferredLeader', 'underReplicated', 'belowMinIsr', 'offline']);
  for (const p of t.partitions) assert.equal(p.preferredLeader, p.replicas[0]);
  const unknown = await s.run(['kafka', 'describe', 'payment.nope']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /Topic "payment\.nope" does not exist[\s\S]*next: Topics: .*payment\.success/);
});

test('kafka restart-broker: SIGTERM, start, and broker 2 is back in every ISR', { timeout: 600_000 }, async () => {
  const before = runningRecord(ctx.paths, findComponent(ctx.topology, 'kafka-2')!);
  assert.ok(before, 'kafka-2 must be running');
  const r = await s.run(['kafka', 'restart-broker', '2', '--yes', '--timeout', '240', '-o', 'json'], {}, 540_000);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  const out = parseJson(r);
  assert.equal(out.result, 'ok');
  assert.equal(out.outcome.pidBefore, before.pid);
  assert.notEqual(out.outcome.pidAfter, before.pid);
  const after = runningRecord(ctx.paths, findComponent(ctx.topology, 'kafka-2')!);
  assert.equal(after?.pid, out.outcome.pidAfter);
  // Brokers apply metadata asynchronously: the one the test asks may trail the one the
  // CLI asked by a moment, so the check polls briefly rather than reading once.
  await withAdmin((admin) =>
    waitFor(
      async () => {
        const missing = (await partitions(admin)).filter((p) => p.replicas.includes(2) && !p.isr.includes(2));
        if (missing.length) throw new Error(`not in the ISR of ${missing.map((p) => `${p.topic}/${p.partitionId}`).join(', ')}`);
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'broker 2 in every ISR it belongs to' },
    ),
  );
  assert.equal(s.audit().at(-1)!.result, 'ok');
});

test('kafka elect-leaders: after a broker stops and returns, the plan lists its partitions; applying (name typed back) restores preferred leaders', { timeout: 600_000 }, async () => {
  await stackDown(ctx, { only: ['kafka-3'] });
  await stackUp(ctx, { only: ['kafka-3'] });
  const displaced = await withAdmin(async (admin) => {
    await waitFor(async () => (await partitions(admin)).every((p) => p.isr.length === p.replicas.length), { timeoutMs: 180_000, intervalMs: 1000, what: 'kafka-3 back in every ISR' });
    return (await partitions(admin)).filter((p) => p.leader !== p.replicas[0]);
  });
  assert.ok(
    displaced.some((p) => p.replicas[0] === 3),
    'with automatic rebalancing off, broker 3 leads nothing until the election',
  );

  const dry = await s.run(['kafka', 'elect-leaders', '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  const label = (p: { topic: string; partition?: number; partitionId?: number }) => `${p.topic}/${p.partition ?? p.partitionId}`;
  assert.deepEqual(plan.data.elect.map(label).sort(), displaced.map(label).sort());
  assert.equal(plan.steps.length, displaced.length + 1, 'one step per partition, then verify');
  const afterDry = await withAdmin(partitions);
  assert.deepEqual(
    afterDry
      .filter((p) => p.leader !== p.replicas[0])
      .map(label)
      .sort(),
    displaced.map(label).sort(),
    '--dry-run changed nothing',
  );

  // Applied the way an operator would on a protected context: the name typed at the prompt.
  const env = { ...s.env, ...s.config({ contexts: { 'prod-like': stackContextEntry({ protected: true }) } }) };
  const r = await ticketctlOnTty(['--context', 'prod-like', 'kafka', 'elect-leaders', '-o', 'table'], 'prod-like\r', env, 180_000);
  assert.equal(r.exitCode, 0, r.stdout);
  assert.match(r.stdout, /Type its name to apply this plan/);
  assert.match(r.stdout, new RegExp(`Done: preferred leader election for ${displaced.length} of \\d+ partition\\(s\\)`));
  assert.deepEqual([s.audit().at(-1)!.context, s.audit().at(-1)!.result], ['prod-like', 'ok']);
  await withAdmin((admin) =>
    waitFor(
      async () => {
        const left = (await partitions(admin)).filter((p) => p.leader !== p.replicas[0]).map(label);
        if (left.length) throw new Error(`still elsewhere: ${left.join(', ')}`);
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'every partition on its preferred leader (as every broker sees it)' },
    ),
  );
  const again = await s.run(['kafka', 'elect-leaders', '--dry-run', '-o', 'json']);
  assert.equal(parseJson(again).plan.steps.length, 0, 'nothing left to do');
});
