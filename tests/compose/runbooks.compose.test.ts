import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { dockerClient, findEngine, type Engine } from '../../stack/docker/engine.ts';
import { ticketctl } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// The runbook commands that act on processes, on the compose deployment's containers
// (issue #11, item 4): restart-broker (after checking the broker id in the container's log
// dir), consumers scale (the service-N compose services), recover-cluster --backup (the
// data volumes archived), each verified against the engine itself, not ticketctl's word.

const PROJECT = 'ticketing';
let engine: Engine | undefined;
const docker = async () => dockerClient((engine ??= (await findEngine(testStack().paths))!).endpoint, 60_000);

async function container(service: string) {
  const [c] = await (await docker()).listContainers({ all: true, filters: { label: [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`] } });
  return c;
}
const startedAt = async (service: string) => (await (await docker()).getContainer((await container(service))!.Id).inspect()).State.StartedAt;
const execIn = async (service: string, cmd: string[]) => {
  const e = (await findEngine(testStack().paths))!;
  return execa('docker', ['exec', (await container(service))!.Id, ...cmd], { env: { DOCKER_HOST: e.dockerHost } });
};

test('kafka restart-broker 2 --context compose: the kafka-2 container restarted, broker 2 back in every ISR', { timeout: 600_000 }, async () => {
  const before = await startedAt('kafka-2');
  const r = await ticketctl(['kafka', 'restart-broker', '2', '--context', 'compose', '--yes', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { outcome: { broker: number; pidBefore: number | null; unitBefore: string; backInIsrAfterMs: number } };
  assert.equal(out.outcome.broker, 2);
  assert.equal(out.outcome.pidBefore, null, 'a container has no pid of the local stack');
  assert.match(out.outcome.unitBefore, /^container [0-9a-f]{12}$/);
  assert.notEqual(await startedAt('kafka-2'), before, 'the container was not restarted');
  const isr = await ticketctl(['kafka', 'describe', 'payment.try', '--context', 'compose', '--output', 'json']);
  assert.equal(isr.exitCode, 0, isr.stderr);
  const parts = (JSON.parse(isr.stdout) as { partitions: Array<{ isr: number[] }> }).partitions;
  assert.ok(parts.length > 0 && parts.every((p) => p.isr.includes(2)), isr.stdout);
  await ticketctl(['kafka', 'elect-leaders', '--context', 'compose', '--yes']);
});

test('kafka restart-broker refuses a container whose log dir carries another broker id, and touches nothing', { timeout: 300_000 }, async () => {
  const file = '/var/lib/kafka/data/meta.properties';
  const before = await startedAt('kafka-3');
  // The running broker never rereads meta.properties: only the identity check sees this.
  await execIn('kafka-3', ['sed', '-i', 's/^node.id=3$/node.id=1/', file]);
  try {
    const r = await ticketctl(['kafka', 'restart-broker', '3', '--context', 'compose', '--yes']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /kafka-3 \(container [0-9a-f]{12}\) carries broker id 1 in its log dir, not 3\. Nothing was changed\./);
    assert.equal(await startedAt('kafka-3'), before, 'the container was restarted anyway');
  } finally {
    await execIn('kafka-3', ['sed', '-i', 's/^node.id=1$/node.id=3/', file]);
  }
  assert.match((await execIn('kafka-3', ['cat', file])).stdout, /^node\.id=3$/m);
});

test('consumers scale 4 then 3 --context compose: service-4 created, joined the group, then removed', { timeout: 600_000 }, async () => {
  const up = await ticketctl(['consumers', 'scale', '4', '--context', 'compose', '--yes', '--output', 'json']);
  assert.equal(up.exitCode, 0, up.stderr);
  const four = JSON.parse(up.stdout) as { outcome: { started: string[]; members: string[] } };
  assert.deepEqual(four.outcome.started, ['service-4']);
  assert.equal(four.outcome.members.length, 4);
  assert.equal((await container('service-4'))?.State, 'running');
  const health = await ticketctl(['health', '--context', 'compose', '--output', 'json']);
  assert.ok(
    (JSON.parse(health.stdout) as { components: Array<{ component: string; status: string }> }).components.some((c) => c.component === 'service-4' && c.status === 'UP'),
    'health does not see service-4',
  );

  const down = await ticketctl(['consumers', 'scale', '3', '--context', 'compose', '--yes', '--output', 'json']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual((JSON.parse(down.stdout) as { outcome: { stopped: string[] } }).outcome.stopped, ['service-4']);
  assert.equal(await container('service-4'), undefined, 'service-4 is still a container');
});

test('kafka recover-cluster --backup --context compose: all three brokers restarted, their volumes archived', { timeout: 900_000 }, async () => {
  const before = await Promise.all(['kafka-1', 'kafka-2', 'kafka-3'].map(startedAt));
  const r = await ticketctl(['kafka', 'recover-cluster', '--backup', '--context', 'compose', '--yes', '--output', 'json'], {}, 900_000);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { outcome: { backup: { file: string; bytes: number }; liveBrokers: number[] } };
  assert.deepEqual(out.outcome.liveBrokers, [1, 2, 3]);
  const after = await Promise.all(['kafka-1', 'kafka-2', 'kafka-3'].map(startedAt));
  after.forEach((t, i) => assert.notEqual(t, before[i], `kafka-${i + 1} was not restarted`));
  assert.ok(existsSync(out.outcome.backup.file) && statSync(out.outcome.backup.file).size === out.outcome.backup.bytes);
  const listing = (await execa('tar', ['-tzf', out.outcome.backup.file])).stdout.split('\n');
  for (const n of [1, 2, 3]) assert.ok(listing.includes(`kafka-${n}/meta.properties`), `no kafka-${n}/meta.properties in the archive`);
});
