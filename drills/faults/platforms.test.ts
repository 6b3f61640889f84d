import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultTypes, unsupportedOn, type FaultSpec } from './index.ts';
import { registerFault } from './registry.ts';

// A fault kind may name the platforms it can run on; `drill run` refuses a drill with a
// fault its platform cannot apply before anything is injected (cli/commands/drill/run.ts).
// Every kind of today runs on both platforms; a kind that could not is refused on the other.

test('every fault kind runs on both platforms', () => {
  const specs = faultTypes().map((type) => ({ type }) as FaultSpec);
  assert.deepEqual(unsupportedOn('compose', specs), []);
  assert.deepEqual(unsupportedOn('local', specs), []);
});

test('a kind limited to one platform is reported on the other, once, and not on its own', () => {
  const noop = async () => '';
  // Its own process: this registration is seen by no other test file.
  registerFault({
    type: 'local-only-probe',
    keys: [],
    platforms: ['local'],
    read: () => ({ type: 'local-only-probe' }),
    describe: () => 'probe',
    blastRadius: () => ({ proxies: [], processes: [], other: [] }),
    prepare: async () => ({ type: 'local-only-probe' }),
    apply: async () => {},
    confirm: noop,
    revert: noop,
  } as never);
  const spec = { type: 'local-only-probe' } as unknown as FaultSpec;
  assert.deepEqual(unsupportedOn('compose', [spec, { type: 'kill', process: 'kafka-1' }, spec]), ['local-only-probe']);
  assert.deepEqual(unsupportedOn('local', [spec]), []);
});
