import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OpsError } from '../lib/errors.ts';
import { readServiceInstances, serviceInstancesFile, writeServiceInstances } from './service-instances.ts';
import { DEFAULT_SERVICE_INSTANCES, MAX_SERVICE_INSTANCES } from '../contracts/topology.ts';

const fresh = () => ({ conf: path.join(mkdtempSync(path.join(os.tmpdir(), 'svc-count-')), 'conf') });

test('no file: the default count; written: read back', () => {
  const paths = fresh();
  assert.equal(readServiceInstances(paths), DEFAULT_SERVICE_INSTANCES);
  writeServiceInstances(paths, 4);
  assert.equal(readServiceInstances(paths), 4);
});

test('a count outside 1..MAX is refused on write and on read', () => {
  const paths = fresh();
  assert.throws(() => writeServiceInstances(paths, 0), RangeError);
  assert.throws(() => writeServiceInstances(paths, MAX_SERVICE_INSTANCES + 1), RangeError);
  writeServiceInstances(paths, 2);
  writeFileSync(serviceInstancesFile(paths), '{"count": 99}');
  assert.throws(
    () => readServiceInstances(paths),
    (e: unknown) => e instanceof OpsError && /1 to 9/.test(e.message) && /consumers scale/.test(e.hint ?? ''),
  );
  writeFileSync(serviceInstancesFile(paths), 'not json');
  assert.throws(() => readServiceInstances(paths), OpsError);
});
