import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendFaultLog, openFaults, readFaultLog, runnerAlive, selfRunner, type InjectRecord } from './fault-log.ts';

const inject = (faultId: string, runner: InjectRecord['runner'] = { pid: 999_999_999, startTicks: 1 }): InjectRecord => ({
  kind: 'inject',
  at: 'now',
  runId: 'r',
  drill: 'd',
  faultId,
  spec: { type: 'proxy-down', proxies: ['mariadb'] },
  undo: { type: 'proxy-down', proxies: ['mariadb'] },
  runner,
});

test('open faults: injected and not successfully reverted; a torn last line is skipped', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fault-log-')), 'sub', 'fault-log.jsonl');
  assert.deepEqual(readFaultLog(file), [], 'no file yet: nothing open');
  appendFaultLog(file, inject('a'));
  appendFaultLog(file, inject('b'));
  appendFaultLog(file, inject('c'));
  appendFaultLog(file, { kind: 'revert', at: 'now', runId: 'r', faultId: 'a', by: 'runner', ok: true, result: 'enabled' });
  appendFaultLog(file, { kind: 'revert', at: 'now', runId: 'r', faultId: 'b', by: 'runner', ok: false, result: 'revert failed' });
  appendFileSync(file, '{"kind":"revert","faultId":"c","ok":tr'); // writer killed mid-line
  assert.deepEqual(
    openFaults(readFaultLog(file)).map((f) => f.faultId),
    ['b', 'c'],
  );
});

test('a runner is alive only with the same PID and start time', () => {
  assert.equal(runnerAlive(inject('x')), false);
  assert.equal(runnerAlive(inject('x', selfRunner())), false, 'this process does not count as another live runner');
  assert.equal(runnerAlive(inject('x', { pid: process.ppid, startTicks: -5 })), false, 'PID reused by another process');
});
