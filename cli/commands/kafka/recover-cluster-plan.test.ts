import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataRoot, recoverPlan, type RecoverPlanData } from './recover-cluster-plan.ts';

const data = (over: Partial<RecoverPlanData> = {}): RecoverPlanData => ({
  stackDir: '/s',
  platform: 'local processes under /s',
  platformKind: 'local',
  brokers: [1, 2, 3].map((id) => ({ id, component: `kafka-${id}`, pid: id === 2 ? null : 100 + id, unit: id === 2 ? null : `pid ${100 + id}`, dataDir: `/s/data/kafka-${id}`, dataBytes: 1024 * 1024 })),
  backupFile: null,
  topics: { expected: ['payment.try', 'payment.cancel'], layout: { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }, missingNow: ['payment.cancel'] },
  services: [
    { url: 'http://127.0.0.1:3001', answering: true },
    { url: 'http://127.0.0.1:3002', answering: false },
  ],
  timeoutS: 300,
  ...over,
});

test('recoverPlan: stops only running brokers, starts all, recreates what is missing, waits for the answering instances', () => {
  const plan = recoverPlan(data(), 45_000, 120_000);
  assert.equal(plan.title, 'recover the whole Kafka cluster (kafka-1, kafka-2, kafka-3)');
  assert.match(plan.steps[0]!, /^stop kafka-1 \(pid 101\), kafka-3 \(pid 103\) with SIGTERM/);
  assert.match(plan.steps[1]!, /^start kafka-1, kafka-2, kafka-3 \(local processes under \/s\)/);
  assert.ok(plan.steps.some((s) => /missing now: payment\.cancel\) with 3 partitions, RF 3, min\.insync\.replicas 2/.test(s)));
  assert.match(plan.steps.at(-1)!, /^wait until http:\/\/127\.0\.0\.1:3001 answer \/health 200$/);
  assert.ok(plan.notes!.includes('kafka-2 not running: nothing to stop, only started'));
  assert.ok(plan.notes!.some((n) => /3002 does not answer now: not waited for/.test(n)));
  assert.ok(plan.notes!.some((n) => /no backup is taken/.test(n)));
  assert.equal(plan.rollback, undefined, 'without a backup there is nothing to restore');
});

test('recoverPlan --backup: an archive step between stop and start, and restore instructions as the undo', () => {
  const plan = recoverPlan(data({ backupFile: '/s/backups/k.tar.gz' }), 45_000, 120_000);
  assert.match(plan.steps[1]!, /^archive the stopped brokers' data \(.*; 3\.0 MB\) to \/s\/backups\/k\.tar\.gz$/);
  assert.match(plan.steps[2]!, /^start /);
  assert.match(plan.rollback!, /stack down --only kafka-1 kafka-2 kafka-3.*tar -xzf \/s\/backups\/k\.tar\.gz -C \/s\/data.*stack up --only kafka-1 kafka-2 kafka-3/);
});

test('recoverPlan: a cluster that did not answer is planned without knowing which topics are missing', () => {
  const plan = recoverPlan(data({ topics: { ...data().topics, missingNow: null } }), 45_000, 120_000);
  assert.ok(plan.steps.some((s) => /checked once the cluster answers/.test(s)));
  assert.equal(dataRoot(data()), '/s/data');
});

test('recoverPlan on compose: containers by id, volumes of unknown size, restore through the volumes', () => {
  const brokers = [1, 2, 3].map((id) => ({ id, component: `kafka-${id}`, pid: null, unit: `container ${id}bc`, dataDir: `volume ticketing_kafka-${id}-data`, dataBytes: null }));
  const plan = recoverPlan(data({ platform: 'compose project ticketing', platformKind: 'compose', brokers, backupFile: '/s/backups/k.tar.gz' }), 45_000, 240_000);
  assert.match(plan.steps[0]!, /^stop kafka-1 \(container 1bc\), kafka-2 \(container 2bc\), kafka-3 \(container 3bc\)/);
  assert.match(plan.steps[1]!, /volume ticketing_kafka-1-data.*size unknown/);
  assert.match(plan.rollback!, /docker compose stop kafka-1 kafka-2 kafka-3.*stack up --context compose --only kafka-1 kafka-2 kafka-3/);
});
