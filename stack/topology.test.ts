import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopology, MAX_SERVICE_INSTANCES, redisNatMap } from '../contracts/topology.ts';

test('every port is distinct and outside the ephemeral range', () => {
  for (const offset of [0, 1000]) {
    const t = createTopology({ portOffset: offset });
    const ports = [
      t.toxiproxyApi,
      ...t.kafka.brokers.flatMap((b) => [b.client, b.clientProxy, b.internal, b.controller]),
      t.redis.master,
      t.redis.masterProxy,
      t.redis.replica,
      t.redis.replicaProxy,
      ...t.redis.sentinels.map((s) => s.port),
      t.mariadb.port,
      t.mariadb.proxy,
      t.gateway.port,
      t.gateway.proxy,
      // Every instance `ticketctl` may scale to, which includes the default 1..3.
      ...Array.from({ length: MAX_SERVICE_INSTANCES }, (_, i) => t.servicePort(i + 1)),
    ];
    assert.equal(new Set(ports).size, ports.length, 'no port used twice');
    for (const p of ports) assert.ok(p > 1024 && p < 32768, `port ${p} is below the ephemeral range`);
  }
});

test('clients bootstrap through the proxies; each proxy forwards to a real listener', () => {
  const t = createTopology();
  assert.deepEqual(
    t.kafka.bootstrap,
    t.kafka.brokers.map((b) => `127.0.0.1:${b.clientProxy}`),
  );
  for (const b of t.kafka.brokers) {
    assert.deepEqual(
      t.proxies.find((p) => p.name === `kafka-${b.id}`),
      { name: `kafka-${b.id}`, listen: b.clientProxy, upstream: b.client },
    );
  }
  assert.equal(t.kafka.controllerQuorumVoters, `1@127.0.0.1:${t.kafka.brokers[0]!.controller},2@127.0.0.1:${t.kafka.brokers[1]!.controller},3@127.0.0.1:${t.kafka.brokers[2]!.controller}`);
});

test('port offset shifts everything; a bad offset names the rule', () => {
  const a = createTopology();
  const b = createTopology({ portOffset: 500 });
  assert.equal(b.mariadb.proxy - a.mariadb.proxy, 500);
  assert.equal(b.proxies[0]!.listen - a.proxies[0]!.listen, 500);
  assert.throws(() => createTopology({ portOffset: -1 }), /integer >= 0/);
  assert.throws(() => createTopology({ portOffset: 20_000 }), /below 32768/);
});

test('Sentinel answers (real ports) map onto the proxies', () => {
  const t = createTopology();
  assert.deepEqual(redisNatMap(t)[`127.0.0.1:${t.redis.master}`], { host: '127.0.0.1', port: t.redis.masterProxy });
});
