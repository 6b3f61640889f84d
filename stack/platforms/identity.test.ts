import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertBrokerIdentity, brokerIdOf } from './identity.ts';
import { nodeIdIn } from './local.ts';
import type { Platform } from './types.ts';

test('brokerIdOf: only kafka-<n> names a broker', () => {
  assert.equal(brokerIdOf('kafka-2'), 2);
  assert.equal(brokerIdOf('kafka-init'), null);
  assert.equal(brokerIdOf('redis-master'), null);
});

test('nodeIdIn reads node.id from meta.properties', () => {
  assert.equal(nodeIdIn('#\nnode.id=3\ndirectory.id=x\nversion=1\ncluster.id=c\n'), 3);
  assert.equal(nodeIdIn('version=1\n'), null);
  assert.equal(nodeIdIn(undefined), null);
});

test('assertBrokerIdentity: the carried id must be the one the name says; other units pass untouched', async () => {
  // A stand-in for pure logic: only brokerIdentity is asked.
  const carrying = (id: number | null) => ({ brokerIdentity: async () => id }) as unknown as Platform;
  await assertBrokerIdentity(carrying(2), 'kafka-2', 'pid 1');
  await assertBrokerIdentity(carrying(null), 'service-1', 'pid 1');
  await assert.rejects(assertBrokerIdentity(carrying(3), 'kafka-2', 'container abc'), /kafka-2 \(container abc\) carries broker id 3 in its log dir, not 2\. Nothing was changed\./);
  await assert.rejects(assertBrokerIdentity(carrying(null), 'kafka-1', 'pid 9'), /carries broker id unknown/);
});
