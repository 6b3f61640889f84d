import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FieldReader } from '../../lib/field-reader.ts';
import { faultKind, faultTypes, readFaultSpec } from './index.ts';
import { registerFault } from './registry.ts';
import { toxic } from './toxic.ts';

// A fault kind is one file that registers itself; index.ts must import it, or drill
// files naming it are refused while the compiler (which sees the file's FaultSpecs
// declaration) still believes the kind exists.

const dir = import.meta.dirname;
const targets = { proxies: ['mariadb', 'gateway'], processes: ['kafka-2'] };
const reader = () => new FieldReader((field, problem) => new Error(`${field} ${problem}`));

test('every kind file in drills/faults/ is imported by index.ts, and each kind is registered once, in import order', () => {
  const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
  const kindFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !['index.ts', 'registry.ts', 'types.ts'].includes(f));
  assert.ok(kindFiles.length >= 6, kindFiles.join(', '));
  for (const f of kindFiles) assert.match(index, new RegExp(`^import '\\./${f.replace('.', '\\.')}';$`, 'm'), `index.ts does not import ${f}`);
  assert.deepEqual(faultTypes(), ['toxic', 'proxy-down', 'kill', 'pause', 'gateway-knobs', 'poison-messages', 'redis-master-crash', 'service-settings']);
  for (const t of faultTypes()) assert.equal(faultKind(t).type, t);
  assert.throws(() => registerFault(toxic), /fault kind toxic is registered twice/);
});

test('a fault spec goes to its kind: the keys it declares, its defaults, its field names', () => {
  assert.deepEqual(readFaultSpec(reader(), { type: 'kill', process: 'kafka-2' }, 'faults[2]', targets), { type: 'kill', process: 'kafka-2' });
  assert.deepEqual(readFaultSpec(reader(), { type: 'poison-messages' }, 'faults[0]', targets), { type: 'poison-messages', topic: 'payment.try', count: 5 });
  assert.throws(() => readFaultSpec(reader(), { type: 'kill', proxy: 'mariadb' }, 'faults[1]', targets), /^Error: faults\[1\]\.proxy is not a known key \(allowed here: type, process\)/);
  assert.throws(() => readFaultSpec(reader(), { type: 'pause', process: 'kafka-9' }, 'faults[1]', targets), /^Error: faults\[1\]\.process must be one of kafka-2 \(got "kafka-9"\)/);
  assert.throws(
    () => readFaultSpec(reader(), { type: 'down' }, 'faults[0]', targets),
    /faults\[0\]\.type must be one of toxic, proxy-down, kill, pause, gateway-knobs, poison-messages, redis-master-crash, service-settings \(got "down"\)/,
  );
});
