import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPartition } from '../../../clients/kafka.ts';
import { electionPlan } from './election-plan.ts';
import { restartPlan } from './restart-broker.ts';

const p = (topic: string, partitionId: number, leader: number, replicas: number[], isr: number[]) => classifyPartition(topic, { partitionId, leader, replicas, isr }, 2);

test('classify: preferred leader is the first replica; under-replicated and below min ISR', () => {
  assert.deepEqual(p('t', 0, 3, [2, 3, 1], [3, 1]), {
    topic: 't',
    partition: 0,
    leader: 3,
    replicas: [2, 3, 1],
    isr: [1, 3],
    offlineReplicas: [],
    preferredLeader: 2,
    onPreferredLeader: false,
    underReplicated: true,
    belowMinIsr: false,
    offline: false,
  });
  assert.equal(p('t', 1, -1, [1, 2, 3], [1]).offline, true);
  assert.equal(p('t', 1, 1, [1, 2, 3], [1]).belowMinIsr, true);
});

test('election plan: one step per displaced partition whose preferred replica is in sync, then verify', () => {
  const plan = electionPlan([p('a', 0, 1, [1, 2, 3], [1, 2, 3]), p('a', 1, 3, [2, 3, 1], [1, 2, 3]), p('b', 0, 1, [3, 1, 2], [1, 2])], 'h:1,h:2', { topic: null, partition: null }, 30);
  assert.equal(plan.title, 'preferred leader election for 1 of 3 partition(s) in every topic');
  assert.deepEqual(plan.steps, ['a/1: leader 3 -> preferred 2', 'verify: each of these 1 partition(s) is led by its preferred replica (up to 30 s)']);
  assert.deepEqual(plan.data.elect, [{ topic: 'a', partition: 1, leader: 3, preferredLeader: 2 }]);
  assert.deepEqual(plan.data.blocked, [{ topic: 'b', partition: 0, leader: 1, preferredLeader: 3, isr: [1, 2] }]);
  assert.match(plan.notes![0]!, /skipped 1 partition\(s\).*b\/0 \(3 not in ISR 1,2\).*broker\(s\) 3/);
  assert.deepEqual(plan.data.tool.args.slice(0, 4), ['--bootstrap-server', 'h:1,h:2', '--election-type', 'preferred']);
});

test('election plan: everything preferred means no steps (nothing to do)', () => {
  const plan = electionPlan([p('a', 0, 1, [1, 2, 3], [1, 2, 3])], 'h:1', { topic: 'a', partition: 0 }, 30);
  assert.deepEqual(plan.steps, []);
  assert.match(plan.title, /in a\/0: no partition can move/);
  assert.match(plan.notes![0]!, /already on their preferred leader/);
});

test('restart plan: stop (when running), start, wait for the ISR; a stopped broker is only started', () => {
  const d = { broker: 2, component: 'kafka-2', stackDir: '/s', pid: null, platform: 'compose project ticketing', unit: 'container 3f2a1b4c5d6e', replicaOf: 24, leaderOf: ['a/1'], timeoutS: 60 };
  const running = restartPlan(d, 45_000, 120_000);
  assert.equal(running.steps.length, 3);
  assert.match(running.steps[0]!, /^stop kafka-2 \(container 3f2a1b4c5d6e\) with SIGTERM.*1 leadership/);
  assert.match(running.steps[1]!, /^start kafka-2 \(compose project ticketing\)/);
  assert.match(running.steps[2]!, /ISR of all 24 partition\(s\).*up to 60 s/);
  const stopped = restartPlan({ ...d, unit: null }, 45_000, 120_000);
  assert.equal(stopped.steps.length, 2);
  assert.match(stopped.notes!.join('\n'), /not running: it is only started/);
});
