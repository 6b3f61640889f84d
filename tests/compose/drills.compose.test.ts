import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ticketctl } from '../helpers/cli.ts';

// Drills on the compose deployment (issue #11, items 5 and 8): one that kills a container
// (kafka-broker-killed: docker kill of kafka-2, healed by the runbook's restart-broker) and
// one that partitions through Toxiproxy (redis-partition), judged by the same invariants
// from the same systems of record as on local processes. A drill whose fault the platform
// cannot apply is refused before anything is injected.

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

test('a drill whose fault the compose platform cannot apply is refused, nothing injected', async () => {
  const r = await ticketctl(['drill', 'run', 'holds-expire-in-flight', '--context', 'compose', '--yes']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /holds-expire-in-flight \(service-settings\) need a fault the compose platform cannot apply\. Nothing was injected\./);
});
