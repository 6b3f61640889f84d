// The Kafka part of docker-compose.yml: same brokers, listeners, proxies and topic layout
// as the local-process stack (stack/components/kafka.ts). The brokers share the pod's
// network namespace, so every advertised address is 127.0.0.1, as on the local stack.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROKER_IDS } from '../../contracts/topology.ts';
import { ALL_TOPICS, TOPIC_LAYOUT } from '../../contracts/topics.ts';

import { toxiproxyJson, topology, envOf, need, listeners, hostPort, dependsOn, kafkaServices, services, POD } from './compose-file.ts';

describe('Kafka in docker-compose.yml', () => {
  const envs = kafkaServices.map((name) => ({ name, env: envOf(name) }));

  test('has one combined-mode broker per topology broker, with distinct node ids', () => {
    assert.equal(kafkaServices.length, BROKER_IDS.length);
    const ids = envs.map(({ env }) => Number(need(env, 'KAFKA_NODE_ID')));
    assert.deepEqual([...ids].sort(), [...BROKER_IDS]);
    for (const { name, env } of envs) {
      assert.equal(name, `kafka-${need(env, 'KAFKA_NODE_ID')}`, 'service name and node id disagree');
      assert.equal(need(env, 'KAFKA_PROCESS_ROLES'), 'broker,controller');
    }
  });

  test('all brokers share one quorum of voters and one cluster id', () => {
    const voters = new Set(envs.map(({ env }) => need(env, 'KAFKA_CONTROLLER_QUORUM_VOTERS')));
    assert.equal(voters.size, 1, 'brokers disagree on KAFKA_CONTROLLER_QUORUM_VOTERS');
    assert.equal(new Set(envs.map(({ env }) => need(env, 'CLUSTER_ID'))).size, 1, 'brokers disagree on CLUSTER_ID');
    assert.equal([...voters][0], topology.kafka.controllerQuorumVoters);
  });

  test('listens on the topology ports on every interface of the pod, replicates over INTERNAL, never advertises CONTROLLER', () => {
    for (const { name, env } of envs) {
      const b = topology.kafka.brokers.find((x) => x.id === Number(env.KAFKA_NODE_ID))!;
      const own = listeners(need(env, 'KAFKA_LISTENERS'));
      const all = (port: number) => ({ host: '0.0.0.0', port });
      assert.deepEqual(own, { CLIENT: all(b.client), INTERNAL: all(b.internal), CONTROLLER: all(b.controller) }, name);
      assert.equal(need(env, 'KAFKA_INTER_BROKER_LISTENER_NAME'), 'INTERNAL');
      assert.equal(need(env, 'KAFKA_CONTROLLER_LISTENER_NAMES'), 'CONTROLLER');
      assert.equal(need(env, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'), 'CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT');
      const advertised = listeners(need(env, 'KAFKA_ADVERTISED_LISTENERS'));
      assert.deepEqual(Object.keys(advertised).sort(), ['CLIENT', 'INTERNAL']);
      assert.deepEqual(advertised.INTERNAL, { host: '127.0.0.1', port: b.internal });
      assert.equal(need(env, 'BROKER_INTERNAL_PORT'), String(b.internal), `${name}'s healthcheck would ask another port`);
    }
  });

  test("advertises each broker's CLIENT listener as its own Toxiproxy proxy", () => {
    assert.ok(services.toxiproxy, 'no toxiproxy service');
    for (const { name, env } of envs) {
      const client = listeners(need(env, 'KAFKA_ADVERTISED_LISTENERS')).CLIENT!;
      // 127.0.0.1 is the pod's own loopback inside and the published port outside: one address for all.
      assert.equal(client.host, '127.0.0.1', `${name} advertises ${client.host}`);
      const ownClientPort = listeners(need(env, 'KAFKA_LISTENERS')).CLIENT!.port;
      const proxy = toxiproxyJson.find((p) => p.upstream === `127.0.0.1:${ownClientPort}`);
      assert.ok(proxy, `no toxiproxy.json proxy forwards to ${name}'s 127.0.0.1:${ownClientPort}`);
      assert.equal(proxy.name, name);
      assert.equal(client.port, hostPort(proxy.listen).port, `${name} advertises a port its proxy does not listen on`);
      assert.equal(client.port, topology.kafka.brokers.find((b) => `kafka-${b.id}` === name)!.clientProxy);
    }
    assert.deepEqual(
      envs.map(({ env }) => `127.0.0.1:${listeners(need(env, 'KAFKA_ADVERTISED_LISTENERS')).CLIENT!.port}`),
      topology.kafka.bootstrap,
      'the brokers advertise other addresses than the bootstrap list clients get',
    );
  });

  test('keeps the report layout: min ISR 2, RF 3 for internal topics, no auto-create, no auto-rebalance', () => {
    for (const { name, env } of envs) {
      assert.equal(need(env, 'KAFKA_MIN_INSYNC_REPLICAS'), '2', name);
      assert.equal(need(env, 'KAFKA_DEFAULT_REPLICATION_FACTOR'), '3', name);
      assert.equal(need(env, 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR'), '3', name);
      assert.equal(need(env, 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR'), '3', name);
      assert.equal(need(env, 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR'), '2', name);
      assert.equal(need(env, 'KAFKA_AUTO_CREATE_TOPICS_ENABLE'), 'false', name);
      assert.equal(need(env, 'KAFKA_AUTO_LEADER_REBALANCE_ENABLE'), 'false', name);
    }
  });

  test('kafka-init creates every saga topic with the saga layout once all brokers are healthy', () => {
    const env = envOf('kafka-init');
    const topics = need(env, 'TOPICS').split(/\s+/).filter(Boolean);
    for (const topic of ALL_TOPICS) assert.ok(topics.includes(topic), `kafka-init does not create ${topic}`);
    assert.equal(Number(need(env, 'PARTITIONS')), TOPIC_LAYOUT.partitions);
    assert.equal(Number(need(env, 'REPLICATION_FACTOR')), TOPIC_LAYOUT.replicationFactor);
    assert.equal(Number(need(env, 'MIN_INSYNC_REPLICAS')), TOPIC_LAYOUT.minInsyncReplicas);
    assert.deepEqual(dependsOn('kafka-init'), { ...Object.fromEntries(kafkaServices.map((name) => [name, 'service_healthy'])), [POD]: 'service_started' });
    // The unproxied INTERNAL listeners, so a toxic on the client path cannot stop it.
    const internal = envs.map(({ env: e }) => `127.0.0.1:${listeners(need(e, 'KAFKA_LISTENERS')).INTERNAL!.port}`);
    assert.deepEqual(need(env, 'BOOTSTRAP').split(','), internal);
    assert.notEqual(services['kafka-init']?.restart, 'always');
  });
});
