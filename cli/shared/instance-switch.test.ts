import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdminState, InstanceRead } from '../../clients/service-admin.ts';
import { applySwitch, outcomeLines, partialFailure, switchPlan, type SwitchSpec } from './instance-switch.ts';

const state = (emergency: boolean): AdminState => ({
  instanceId: 'x',
  breaker: { state: 'CLOSED', failureRate: 0, calls: 0, failures: 0, openedAt: null, retryAfterMs: null, forced: false },
  retry: { emergency, maxRetries: emergency ? 1 : 3 },
  consumer: { profile: 'normal' },
});
const spec: SwitchSpec = { setting: 'retry mode', target: 'emergency', current: (s) => (s.retry.emergency ? 'emergency' : 'normal'), rollback: 'ticketctl breaker retry-mode normal' };
const reads: InstanceRead[] = [
  { name: 'service-1', url: 'http://a', state: state(false), error: null },
  { name: 'service-2', url: 'http://b', state: state(true), error: null },
  { name: 'service-3', url: 'http://c', state: null, error: 'not running (connection refused)' },
];

test('the plan changes what differs, tries what did not answer, leaves the rest', () => {
  const p = switchPlan(spec, reads);
  assert.equal(p.steps.length, 2);
  assert.match(p.steps[0]!, /service-1 \(http:\/\/a\): retry mode normal -> emergency/);
  assert.match(p.steps[1]!, /service-3 .*did not answer just now: not running/);
  assert.deepEqual(
    p.data.instances.map((i) => i.change),
    [true, false, true],
  );
  assert.match(p.notes![0]!, /already emergency: service-2/);
  assert.equal(p.rollback, 'ticketctl breaker retry-mode normal');
  assert.equal(p.destructive, false);
  assert.equal(switchPlan(spec, [reads[1]!]).steps.length, 0, 'nothing to do when every instance already has it');
  assert.equal(switchPlan({ ...spec, always: true }, [reads[1]!]).steps.length, 1, '`always` calls anyway');
});

test('apply: per-instance outcome read from the answer; a failure names the instance and exits 1', async () => {
  const p = switchPlan(spec, reads);
  const outcomes = await applySwitch(spec, p.data, async (url) => {
    if (url === 'http://c') throw new Error('not running (connection refused)');
    return state(true);
  });
  assert.deepEqual(
    outcomes.map((o) => [o.instance, o.ok, o.after]),
    [
      ['service-1', true, 'emergency'],
      ['service-2', true, 'emergency'],
      ['service-3', false, null],
    ],
  );
  assert.deepEqual(outcomeLines(spec, outcomes), ['service-1: retry mode normal -> emergency', 'service-2: retry mode emergency -> emergency', 'service-3: FAILED (not running (connection refused))']);
  const err = partialFailure(spec, outcomes, 'ticketctl breaker retry-mode emergency');
  assert.equal(err.exitCode, 1);
  assert.match(err.message, /took effect on 2 of 3/);
  assert.match(err.hint!, /service-3.*ticketctl breaker retry-mode emergency --yes/);
  const wrong = await applySwitch(spec, p.data, async () => state(false));
  assert.match(wrong[0]!.error!, /answered normal, not emergency/);
});
