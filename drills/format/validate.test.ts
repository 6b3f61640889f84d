import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTopology } from '../../contracts/topology.ts';
import { drillTargets, SCENARIO_DIR } from './files.ts';
import { DrillFormatError, validateDrill } from './validate.ts';

const targets = drillTargets(createTopology());
const minimal = () => ({
  name: 'x',
  title: 't',
  report: '2.2.2',
  description: 'd',
  faults: [{ type: 'toxic', proxy: 'mariadb', toxic: 'latency', attributes: { latency: 100 } }],
  detect: { probes: ['health-db'] },
  load: { seats: 4 },
  invariants: ['no-double-sale'],
});

function rejects(mutate: (d: any) => void, field: RegExp) {
  const d = minimal();
  mutate(d);
  assert.throws(
    () => validateDrill(d, 'f.json', targets),
    (err: unknown) => {
      assert.ok(err instanceof DrillFormatError, String(err));
      assert.equal(err.exitCode, 3);
      assert.match(err.message, field);
      return true;
    },
  );
}

test('a minimal drill gets the documented defaults', () => {
  const d = validateDrill(minimal(), 'f.json', targets);
  assert.deepEqual(d.faults[0], { type: 'toxic', proxy: 'mariadb', toxic: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100 } });
  assert.equal(d.load.operations, 4);
  assert.equal(d.load.contenders, 1);
  assert.deepEqual(d.afterHeal, []);
  assert.equal(d.steadyState.maxLag, 50);
  assert.equal(d.responses.retryAfterOn503, true);
});

test('errors name the file and the field, and what is accepted', () => {
  rejects((d) => (d.faults[0].proxy = 'kafka-9'), /^f\.json: faults\[0\]\.proxy must be one of kafka-1, kafka-2, kafka-3, .* \(got "kafka-9"\)/);
  rejects((d) => (d.faults[0].toxic = 'down'), /faults\[0\]\.toxic must be one of latency/);
  rejects((d) => (d.faults = [{ type: 'kill', process: 'toxiproxy' }]), /faults\[0\]\.process must be one of/);
  rejects((d) => (d.faults = []), /faults must have at least 1 item/);
  rejects((d) => (d.detect.probes = ['nope']), /detect\.probes\[0\] must be one of service-health/);
  rejects((d) => (d.invariants = ['no-double-sale', 'no-double-sale']), /invariants must not name an invariant twice/);
  rejects((d) => (d.load.operations = 9), /load\.operations must be at most seats x contenders \(4\)/);
  rejects((d) => (d.load.payRatio = 2), /load\.payRatio must be a number from 0 to 1/);
  rejects((d) => (d.extra = 1), /^f\.json: extra is not a known key/);
  rejects((d) => (d.faults = [{ type: 'gateway-knobs', knobs: { errorRat: 1 } }]), /faults\[0\]\.knobs\.errorRat is not a known key/);
  rejects((d) => (d.faults = [{ type: 'gateway-knobs', knobs: { refundPolicy: 'sometimes' } }]), /faults\[0\]\.knobs\.refundPolicy must be one of up-to-amount, unchecked/);
  rejects((d) => (d.afterHeal = [['kafka', 3]]), /afterHeal\[0\]\[1\] must be a non-empty string/);
  rejects((d) => (d.name = 'Bad Name'), /name must be lower-case/);
});

test("a gateway-knobs fault may switch the gateway's refundPolicy, beside the rates and durations", () => {
  const d = minimal();
  d.faults = [{ type: 'gateway-knobs', knobs: { refundPolicy: 'unchecked', errorRate: 0.5 } }] as any;
  assert.deepEqual(validateDrill(d, 'f.json', targets).faults[0], { type: 'gateway-knobs', knobs: { refundPolicy: 'unchecked', errorRate: 0.5 } });
});

test('every drill in drills/scenarios/ is valid and named after its file', () => {
  const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 1);
  for (const f of files) {
    const d = validateDrill(JSON.parse(readFileSync(path.join(SCENARIO_DIR, f), 'utf8')), f, targets);
    assert.equal(`${d.name}.json`, f);
  }
});
