import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrokerApiVersions, summarizeApis } from './api-versions.ts';

// Trimmed from a real run against the local stack (Kafka 3.9.1).
const OUTPUT = `127.0.0.1:25093 (id: 3 rack: null) -> (
	Produce(0): 0 to 11 [usable: 11],
	Fetch(1): 0 to 17 [usable: 17],
	Metadata(3): 0 to 12 [usable: 12],
	LeaderAndIsr(4): UNSUPPORTED,
	ElectLeaders(43): 0 to 2 [usable: 2]
)
127.0.0.1:25091 (id: 1 rack: eu-1) -> (
	Produce(0): 3 to 11 [usable: NONE],
	ShareFetch(78): UNSUPPORTED
)
`;

test('broker API versions: each broker, its ranges, unsupported APIs as null', () => {
  const brokers = parseBrokerApiVersions(OUTPUT);
  assert.deepEqual(
    brokers.map((b) => [b.address, b.id, b.rack]),
    [
      ['127.0.0.1:25093', 3, null],
      ['127.0.0.1:25091', 1, 'eu-1'],
    ],
  );
  assert.deepEqual(brokers[0]!.apis.Produce, { min: 0, max: 11, usable: 11 });
  assert.equal(brokers[0]!.apis.LeaderAndIsr, null);
  assert.deepEqual(brokers[1]!.apis.Produce, { min: 3, max: 11, usable: null });
  assert.equal(summarizeApis(brokers[0]!.apis), '4 APIs (1 unsupported); Produce v0-11, Fetch v0-17, Metadata v0-12');
});

test('broker API versions: noise before the first broker is ignored', () => {
  assert.deepEqual(parseBrokerApiVersions('WARN something\n\n'), []);
});
