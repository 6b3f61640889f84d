import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupDescription, PartitionKey } from './group-offsets.ts';
import { judgeGroup } from './group-verdict.ts';
import type { OffsetSample } from './verdict.ts';

const member = (clientId: string, assignment: Record<string, number[]>) => ({ memberId: `${clientId}-1`, clientId, host: '127.0.0.1', assignment, subscription: Object.keys(assignment) });
const at = (committed: number | null, logEnd: number, atMs: number): OffsetSample => ({ atMs, committed, logStart: 0, logEnd });
const history = (entries: Array<[PartitionKey, OffsetSample[]]>) => new Map(entries);

test('partitions sorted, owned by the member assigned them; the group is its worst partition', () => {
  const d: GroupDescription = { group: 'g', state: 'Stable', members: [member('a', { t: [1] }), member('b', { t: [0] })] };
  const r = judgeGroup(
    d,
    ['t'],
    history([
      ['t/1', [at(5, 9, 0), at(5, 9, 1000)]],
      ['t/0', [at(3, 3, 0), at(3, 3, 1000)]],
    ]),
  );
  assert.deepEqual(
    r.partitions.map((p) => [p.topic, p.partition, p.owner, p.verdict, p.lagSamples]),
    [
      ['t', 0, 'b', 'OK', [0, 0]],
      ['t', 1, 'a', 'STALL', [4, 4]],
    ],
  );
  assert.deepEqual([r.verdict, r.totalLag, r.reason], ['STALL', 4, null]);
  assert.deepEqual(
    r.members.map((m) => [m.clientId, m.partitions]),
    [
      ['a', ['t/1']],
      ['b', ['t/0']],
    ],
  );
});

test('a Stable group that assigns a lagging partition to nobody is STOP; during a rebalance ownership is unknown', () => {
  const samples = history([['t/2', [at(1, 9, 0), at(2, 10, 1000)]]]);
  const stable: GroupDescription = { group: 'g', state: 'Stable', members: [member('a', { t: [0] })] };
  assert.equal(judgeGroup(stable, ['t'], samples).partitions[0]!.verdict, 'STOP');
  const moving: GroupDescription = { ...stable, state: 'PreparingRebalance' };
  assert.equal(judgeGroup(moving, ['t'], samples).partitions[0]!.verdict, 'WARN');
});

test('no member and nothing committed: STOP with a reason, even with no partition to judge', () => {
  const r = judgeGroup({ group: 'typo', state: 'Dead', members: [] }, [], new Map());
  assert.equal(r.verdict, 'STOP');
  assert.match(r.reason!, /group id is wrong/);
});
