import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { ALL_TOPICS } from '../../contracts/topics.ts';
import { roundTrip, testKafka } from '../helpers/kafka.ts';
import { testStack } from '../helpers/stack.ts';

const { ConfigResourceTypes } = kafkajs; // a CommonJS enum Node cannot name-import
const ctx = testStack();
const kafka = testKafka(ctx);

test('metadata: 3 brokers, each advertised at its Toxiproxy proxy', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    const proxyPorts = ctx.topology.kafka.brokers.map((b) => b.clientProxy);
    for (const b of cluster.brokers) {
      const expected = ctx.topology.kafka.brokers.find((x) => x.id === b.nodeId)!.clientProxy;
      assert.equal(b.port, expected, `broker ${b.nodeId} must advertise its proxy port, not its real listener`);
      assert.ok(proxyPorts.includes(b.port));
    }
  } finally {
    await admin.disconnect();
  }
});

test('every saga topic: 3 partitions, replication factor 3, min.insync.replicas 2, full ISR', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
    assert.equal(meta.topics.length, ALL_TOPICS.length);
    for (const topic of meta.topics) {
      assert.equal(topic.partitions.length, 3, `${topic.name} partitions`);
      for (const p of topic.partitions) {
        assert.equal(p.replicas.length, 3, `${topic.name}/${p.partitionId} replicas`);
        assert.equal(p.isr.length, 3, `${topic.name}/${p.partitionId} in-sync replicas`);
      }
    }
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: ALL_TOPICS.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
    });
    for (const r of configs.resources) {
      assert.equal(r.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue, '2', `${r.resourceName} min ISR`);
    }
  } finally {
    await admin.disconnect();
  }
});

for (const topic of ALL_TOPICS) {
  test(`produce with acks=-1 and consume through the proxies: ${topic}`, async () => {
    const values = await roundTrip(kafka, topic, 5);
    assert.equal(values.length, 5);
  });
}
