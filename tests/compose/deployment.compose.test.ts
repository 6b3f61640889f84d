import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ticketctl } from '../helpers/cli.ts';
import { httpRequest } from '../../lib/http.ts';
import { createTopology, DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';

// The compose deployment as the global setup brought it up (`stack up --platform compose`):
// every component is a container that answers from the host on the local stack's ports, so
// `stack status` and `health` on the built-in `compose` context read it unchanged; and the
// bad inputs of issue #11 fail with the exit code and hint they promise.

const dir = mkdtempSync(path.join(tmpdir(), 'compose-ctx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface StatusJson {
  healthy: boolean;
  components: Array<{ name: string; state: string; unit: string }>;
  kafka: { brokersLive: number; missingTopics: string[] };
}

test('stack status --context compose: every component up, run by a container, healthy', async () => {
  const r = await ticketctl(['stack', 'status', '--context', 'compose', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const s = JSON.parse(r.stdout) as StatusJson;
  assert.equal(s.healthy, true);
  assert.equal(s.kafka.brokersLive, 3);
  assert.deepEqual(s.kafka.missingTopics, []);
  for (const c of s.components) {
    assert.equal(c.state, 'up', `${c.name}: ${c.state}`);
    assert.match(c.unit, /^container [0-9a-f]{12}$/, `${c.name} is not run by a container`);
  }
  assert.deepEqual(
    s.components.filter((c) => c.name.startsWith('service-')).map((c) => c.name),
    ['service-1', 'service-2', 'service-3'],
  );
});

test('health --context compose: the read commands work unchanged on the same ports', async () => {
  const r = await ticketctl(['health', '--context', 'compose', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const h = JSON.parse(r.stdout) as { components: Array<{ component: string; status: string; detail: string }> };
  const status = Object.fromEntries(h.components.map((c) => [c.component, c.status]));
  for (const name of ['kafka-1', 'kafka-2', 'kafka-3', 'redis-master', 'sentinel-1', 'mariadb', 'toxiproxy', 'gateway', 'service-1', 'service-3']) assert.equal(status[name], 'UP', `${name}: ${status[name]}`);
  // Sentinel's answer is usable from the host: the pod's addresses are the host's.
  assert.match(h.components.find((c) => c.component === 'sentinel-1')!.detail, /at 127\.0\.0\.1:16379/);
});

test('the admin listeners on compose: published on 127.0.0.1, 401 without the token, the switches through ticketctl with the stack token; 404 on the public port', async () => {
  const t = createTopology();
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    const none = await httpRequest(`http://127.0.0.1:${t.serviceAdminPort(n)}/admin/state`, { timeoutMs: 5000 });
    assert.equal(none.status, 401, `instance ${n}: ${none.text}`);
    const pub = await httpRequest(`http://127.0.0.1:${t.servicePort(n)}/admin/state`, { timeoutMs: 5000 });
    assert.equal(pub.status, 404, `instance ${n}'s public port`);
  }
  // The token the containers read from the credentials volume is the stack folder's.
  const r = await ticketctl(['breaker', 'status', '--context', 'compose', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { instances: Array<{ reachable: boolean; breaker: { state: string } | null }> };
  assert.equal(report.instances.length, DEFAULT_SERVICE_INSTANCES);
  for (const i of report.instances) assert.deepEqual([i.reachable, i.breaker?.state], [true, 'CLOSED']);
});

test('stack logs --context compose: the container log of a broker', async () => {
  const r = await ticketctl(['stack', 'logs', 'kafka-1', '--lines', '200', '--context', 'compose']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /Kafka|kafka/);
  assert.ok(r.stdout.trimEnd().split('\n').length <= 200);
});

const withConfig = (contexts: Record<string, unknown>) => {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ contexts }));
  return { TICKETCTL_CONFIG: file };
};

test('bad input: an unknown platform, a bad or missing compose project are exit 2 with a hint; nothing touched', async () => {
  const unknown = await ticketctl(['stack', 'status', '--context', 'k8s'], withConfig({ k8s: { platform: 'kubernetes' } }));
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /contexts\.k8s\.platform must be one of local, compose/);

  const flag = await ticketctl(['stack', 'status', '--platform', 'nomad']);
  assert.equal(flag.exitCode, 2);
  assert.match(flag.stderr, /Unknown platform "nomad"/);

  const missing = await ticketctl(['kafka', 'restart-broker', '2', '--context', 'gone', '--yes'], withConfig({ gone: { platform: 'compose', compose: { project: 'no-such-project' } } }));
  assert.equal(missing.exitCode, 2, missing.stderr);
  assert.match(missing.stderr, /Compose project "no-such-project" has no containers/);
  assert.match(missing.stderr, /stack up --platform compose/);
});

test('bad input: DOCKER_HOST naming an engine that does not answer is exit 1 naming DOCKER_HOST and how to start one', async () => {
  const r = await ticketctl(['kafka', 'restart-broker', '2', '--context', 'compose', '--dry-run'], { DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}` });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /No Docker engine answers at DOCKER_HOST=unix:\/\//);
  assert.match(r.stderr, /Start that engine|unset DOCKER_HOST/);
});
