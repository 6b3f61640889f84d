// The Kafka part of docker-compose.yml: same brokers, listeners, proxies and topic layout
// as the local-process stack (stack/components/kafka.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROKER_IDS } from '../../contracts/topology.ts';
import { ALL_TOPICS, TOPIC_LAYOUT } from '../../contracts/topics.ts';

import { services, toxiproxyJson, topology, envOf, need, listeners, hostPort, dependsOn, kafkaServices } from './compose-file.ts';

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
    const expected = topology.kafka.brokers.map((b) => `${b.id}@kafka-${b.id}:${b.controller}`).join(',');
    assert.equal([...voters][0], expected);
  });

  test('listens on the topology ports, replicates over INTERNAL, never advertises CONTROLLER', () => {
    for (const { name, env } of envs) {
      const b = topology.kafka.brokers.find((x) => x.id === Number(env.KAFKA_NODE_ID))!;
      const own = listeners(need(env, 'KAFKA_LISTENERS'));
      assert.deepEqual(Object.fromEntries(Object.entries(own).map(([k, v]) => [k, v.port])), { CLIENT: b.client, INTERNAL: b.internal, CONTROLLER: b.controller }, name);
      assert.equal(need(env, 'KAFKA_INTER_BROKER_LISTENER_NAME'), 'INTERNAL');
      assert.equal(need(env, 'KAFKA_CONTROLLER_LISTENER_NAMES'), 'CONTROLLER');
      assert.equal(need(env, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'), 'CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT');
      const advertised = listeners(need(env, 'KAFKA_ADVERTISED_LISTENERS'));
      assert.deepEqual(Object.keys(advertised).sort(), ['CLIENT', 'INTERNAL']);
      assert.deepEqual(advertised.INTERNAL, { host: name, port: b.internal });
      assert.equal(need(env, 'BROKER_INTERNAL_PORT'), String(b.internal), `${name}'s healthcheck would ask another port`);
    }
  });

  test("advertises each broker's CLIENT listener as its own Toxiproxy proxy", () => {
    assert.ok(services.toxiproxy, 'no toxiproxy service');
    for (const { name, env } of envs) {
      const client = listeners(need(env, 'KAFKA_ADVERTISED_LISTENERS')).CLIENT!;
      assert.equal(client.host, 'toxiproxy', `${name} advertises ${client.host}`);
      const ownClientPort = listeners(need(env, 'KAFKA_LISTENERS')).CLIENT!.port;
      const proxy = toxiproxyJson.find((p) => p.upstream === `${name}:${ownClientPort}`);
      assert.ok(proxy, `no toxiproxy.json proxy forwards to ${name}:${ownClientPort}`);
      assert.equal(client.port, hostPort(proxy.listen).port, `${name} advertises a port its proxy does not listen on`);
      assert.equal(client.port, topology.kafka.brokers.find((b) => `kafka-${b.id}` === name)!.clientProxy);
    }
    // The documented override for host-only clients changes the host, never the port.
    const overridden = listeners(envOf('kafka-1', { TICKETING_KAFKA_ADVERTISED_HOST: '127.0.0.1' }).KAFKA_ADVERTISED_LISTENERS!).CLIENT!;
    assert.deepEqual(overridden, { host: '127.0.0.1', port: topology.kafka.brokers[0]!.clientProxy });
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
    assert.deepEqual(dependsOn('kafka-init'), Object.fromEntries(kafkaServices.map((name) => [name, 'service_healthy'])));
    const internal = envs.map(({ name, env: e }) => `${name}:${listeners(need(e, 'KAFKA_LISTENERS')).INTERNAL!.port}`);
    assert.deepEqual(need(env, 'BOOTSTRAP').split(','), internal);
    assert.notEqual(services['kafka-init']?.restart, 'always');
  });
});
