import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalePlan, type ScaleInput } from './scale-plan.ts';

const base: ScaleInput = {
  from: 3,
  to: 3,
  running: [
    { n: 1, unit: 'pid 101', pid: 101 },
    { n: 2, unit: 'pid 102', pid: 102 },
    { n: 3, unit: 'pid 103', pid: 103 },
  ],
  portOf: (n) => 3000 + n,
  topic: 'payment.try',
  partitions: 3,
  emergency: [],
  countFile: '/s/conf/service-instances.json',
  platform: 'local processes under /s',
  group: 'g',
  timeoutS: 180,
};

test('scale out: record, start the new ones, wait for the group; undo scales back; warns of idle consumers', () => {
  const p = scalePlan({ ...base, to: 5, emergency: ['service-2'] });
  assert.deepEqual(p.data.start, ['service-4', 'service-5']);
  assert.deepEqual(p.data.stop, []);
  assert.equal(p.steps.length, 4);
  assert.match(p.steps[0]!, /record 5 service instance\(s\) in \/s\/conf\/service-instances.json/);
  assert.match(p.steps[1]!, /start service-4 on port 3004/);
  assert.match(p.steps[3]!, /g is Stable with exactly 5 member\(s\), service-1..service-5/);
  assert.equal(p.data.idleConsumers, 2);
  assert.ok(p.notes!.some((n) => /warning: 5 consumers for payment.try's 3 partitions: 2 instance\(s\) will get no payment.try partition/.test(n)));
  assert.ok(p.notes!.some((n) => /service-2 run\(s\) emergency settings.*consumers profile emergency/.test(n)));
  assert.equal(p.rollback, 'ticketctl consumers scale 3');
  assert.equal(p.destructive, false);
});

test('scale in: stop the highest-numbered first, gracefully; destructive', () => {
  const p = scalePlan({ ...base, from: 3, to: 1 });
  assert.deepEqual(p.data.stop, [
    { instance: 'service-3', pid: 103, unit: 'pid 103' },
    { instance: 'service-2', pid: 102, unit: 'pid 102' },
  ]);
  assert.match(p.steps[1]!, /stop service-3 \(pid 103\) with SIGTERM/);
  assert.equal(p.data.idleConsumers, 0);
  assert.equal(p.rollback, 'ticketctl consumers scale 3');
  assert.equal(p.destructive, true);
});

test('same count: nothing to do when all run; a missing instance is started; a stray one stopped', () => {
  assert.equal(scalePlan(base).steps.length, 0);
  const missing = scalePlan({ ...base, running: base.running.slice(0, 2) });
  assert.deepEqual(missing.data.start, ['service-3']);
  assert.ok(missing.notes!.some((n) => /service-3 should be running but is not/.test(n)));
  assert.equal(missing.rollback, undefined);
  const stray = scalePlan({ ...base, running: [...base.running, { n: 7, unit: 'pid 107', pid: 107 }] });
  assert.deepEqual(stray.data.stop, [{ instance: 'service-7', pid: 107, unit: 'pid 107' }]);
});
