import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unfinishedRuns } from './verify.ts';

const rec = (result: string, pid: number, time: string, host = 'ops-1') => JSON.stringify({ time, host, pid, command: 'payments refund-duplicates', context: 'local', result });

test('a run that recorded its intent and no outcome is unfinished: interrupted when its process is gone, running while it lives', () => {
  const log = [
    rec('started', 10, 't1'),
    rec('ok', 10, 't1'), // finished
    rec('refused', 11, 't2'), // never started
    rec('started', 12, 't3'), // killed mid-apply
    rec('started', 13, 't4'), // still running
    rec('started', 14, 't5', 'other-host'),
  ].join('\n');
  const runs = unfinishedRuns(log, (pid) => pid === 13, 'ops-1');
  assert.deepEqual(
    runs.map((r) => [r.pid, r.state]),
    [
      [12, 'interrupted'],
      [13, 'running'],
      [14, 'unknown'],
    ],
  );
});
