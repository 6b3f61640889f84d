import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourEnabled, renderTable, resolveOutput } from './ui.ts';

test('colour: off under NO_COLOR, --no-color, a pipe or TERM=dumb; FORCE_COLOR wins over a pipe', () => {
  const tty = { isTTY: true };
  assert.equal(colourEnabled(tty, {}, false), true);
  assert.equal(colourEnabled(tty, { NO_COLOR: '1' }, false), false);
  assert.equal(colourEnabled(tty, { NO_COLOR: '' }, false), true, 'an empty NO_COLOR does not count (no-color.org)');
  assert.equal(colourEnabled(tty, {}, true), false);
  assert.equal(colourEnabled({ isTTY: false }, {}, false), false);
  assert.equal(colourEnabled(tty, { TERM: 'dumb' }, false), false);
  assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' }, false), true);
  assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }, false), false);
});

test('tables pad by visible width, ignoring colour codes', () => {
  const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
  const lines = renderTable(['NAME', 'STATE', 'DETAIL'], [['kafka-1', red('down'), 'x'], ['toxiproxy', 'up', 'yy']]);
  assert.deepEqual(lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')), [
    'NAME       STATE  DETAIL',
    'kafka-1    down   x',
    'toxiproxy  up     yy',
  ]);
});

test('output format: explicit wins; else table on a terminal, json in a pipe', () => {
  assert.equal(resolveOutput('json', true), 'json');
  assert.equal(resolveOutput('table', false), 'table');
  assert.equal(resolveOutput(undefined, true), 'table');
  assert.equal(resolveOutput(undefined, false), 'json');
});
