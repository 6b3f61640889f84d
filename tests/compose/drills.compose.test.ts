import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dockerClient, findEngine } from '../../stack/docker/engine.ts';
import { ticketctl } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// Drills on the compose deployment (issue #11, items 5 and 8): one that kills a container
// (kafka-broker-killed: docker kill of kafka-2, healed by the runbook's restart-broker) and
// one that partitions through Toxiproxy (redis-partition), judged by the same invariants
// from the same systems of record as on local processes; and one whose fault restarts an
// instance with other settings (a compose service recreated with an override).

test('drill run kafka-broker-killed redis-partition --context compose: both PASS', { timeout: 1_800_000 }, async () => {
  const r = await ticketctl(['drill', 'run', 'kafka-broker-killed', 'redis-partition', '--context', 'compose', '--yes', '--output', 'json'], { TICKETCTL_PROGRESS: 'plain' }, 1_800_000);
  assert.equal(r.exitCode, 0, r.stderr.split('\n').slice(-40).join('\n'));
  const out = JSON.parse(r.stdout) as { outcome: { drills: Array<{ drill: string; verdict: string }>; reports: { dir: string } } };
  assert.deepEqual(
    out.outcome.drills.map((d) => [d.drill, d.verdict]),
    [
      ['kafka-broker-killed', 'pass'],
      ['redis-partition', 'pass'],
    ],
  );
  // The container, not a process, was the target, and compose brought it back.
  assert.match(r.stderr, /rollback: restarted kafka-2 \(compose up --wait kafka-2\)/);
  const junit = readFileSync(path.join(out.outcome.reports.dir, 'junit.xml'), 'utf8');
  assert.match(junit, /failures="0"/);
});

test('drill run holds-expire-in-flight --context compose: service-settings recreates service-2 with its settings, and back', { timeout: 1_800_000 }, async () => {
  const r = await ticketctl(['drill', 'run', 'holds-expire-in-flight', '--context', 'compose', '--yes', '--output', 'json'], { TICKETCTL_PROGRESS: 'plain' }, 1_800_000);
  assert.equal(r.exitCode, 0, r.stderr.split('\n').slice(-40).join('\n'));
  const out = JSON.parse(r.stdout) as { outcome: { drills: Array<{ drill: string; verdict: string }>; reports: { summary: string } } };
  assert.deepEqual(
    out.outcome.drills.map((d) => [d.drill, d.verdict]),
    [['holds-expire-in-flight', 'pass']],
  );
  // Applied and reverted on the container itself: recreated with HOLD_TTL_MS=1500, then again without it.
  assert.match(readFileSync(out.outcome.reports.summary, 'utf8'), /service-3 runs with \{"HOLD_TTL_MS":"1500"\} \(container environment\)/);
  const engine = (await findEngine(testStack().paths))!;
  const [c] = await dockerClient(engine.endpoint, 30_000).listContainers({ filters: { label: ['com.docker.compose.project=ticketing', 'com.docker.compose.service=service-3'] } });
  const env = (await dockerClient(engine.endpoint, 30_000).getContainer(c!.Id).inspect()).Config.Env;
  assert.ok(!env.some((e) => e.startsWith('HOLD_TTL_MS=')), `service-3 still runs with the drill's settings: ${env.join(' ')}`);
  const status = await ticketctl(['stack', 'status', '--context', 'compose', '--output', 'json']);
  assert.equal((JSON.parse(status.stdout) as { healthy: boolean }).healthy, true);
});
