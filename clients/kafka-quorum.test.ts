import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuorumStatus } from './kafka-quorum.ts';

const KAFKA_3_9 = `ClusterId:              LRIXoMeofNPDdy8F591PbQ
LeaderId:               1
LeaderEpoch:            4
HighWatermark:          101
MaxFollowerLag:         0
MaxFollowerLagTimeMs:   0
CurrentVoters:          [{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.1:25391"]}, {"id": 2, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.1:25392"]}, {"id": 3, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.1:25393"]}]
CurrentObservers:       []
`;

test('quorum status: Kafka 3.9 output (voters as objects)', () => {
  assert.deepEqual(parseQuorumStatus(KAFKA_3_9), {
    clusterId: 'LRIXoMeofNPDdy8F591PbQ',
    leaderId: 1,
    leaderEpoch: 4,
    highWatermark: 101,
    maxFollowerLag: 0,
    maxFollowerLagTimeMs: 0,
    voters: [1, 2, 3],
    observers: [],
  });
});

test('quorum status: older output (voters as ids), and garbage fails naming the field', () => {
  const old = KAFKA_3_9.replace(/CurrentVoters:.*$/m, 'CurrentVoters:          [1,2,3]').replace('CurrentObservers:       []', 'CurrentObservers:       [4]');
  const s = parseQuorumStatus(old);
  assert.deepEqual([s.voters, s.observers], [[1, 2, 3], [4]]);
  assert.throws(() => parseQuorumStatus('Exception in thread "main"'), /no LeaderId/);
});

test('a failed Java tool is reported by its exception, without the package', async () => {
  const { toolFailure } = await import('./kafka-tools.ts');
  const failed = (stderr: string) => Object.assign(new Error('Kafka tool X failed: ...'), { cause: { stderr } });
  assert.equal(toolFailure(failed('Exception in thread "main" java.lang.RuntimeException: Request METADATA failed\n\tat x.y')), 'RuntimeException: Request METADATA failed');
  assert.equal(toolFailure(failed('[2026] WARN noise\norg.apache.kafka.common.errors.TimeoutException: Timed out waiting\n')), 'TimeoutException: Timed out waiting');
  assert.equal(toolFailure(new Error('first line\nsecond')), 'first line');
});
