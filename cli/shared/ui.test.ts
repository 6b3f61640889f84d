import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import stringWidth from 'string-width';
import { colourEnabled, createUi, fitWidth, renderTable, resolveOutput } from './ui.ts';

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
  const lines = renderTable(
    ['NAME', 'STATE', 'DETAIL'],
    [
      ['kafka-1', red('down'), 'x'],
      ['toxiproxy', 'up', 'yy'],
    ],
  );
  assert.deepEqual(
    lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')), // eslint-disable-line no-control-regex -- strips colour codes (ESC [ ... m)
    ['NAME       STATE  DETAIL', 'kafka-1    down   x', 'toxiproxy  up     yy'],
  );
});

test('tables pad by terminal columns: CJK and emoji are two wide, combining marks none, colour nothing', () => {
  const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
  const lines = renderTable(
    ['USER', 'SEAT', 'NOTE'],
    [
      ['東京太郎', 'A1', 'x'],
      [red('🎫 ok'), 'B22', 'y'],
      ['Zoe\u0301', '♥', 'z'],
      ['plain', 'C3', ''],
    ],
  );
  assert.deepEqual(
    lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')), // eslint-disable-line no-control-regex -- strips colour codes (ESC [ ... m)
    ['USER      SEAT  NOTE', '東京太郎  A1    x', '🎫 ok     B22   y', 'Zoe\u0301       ♥     z', 'plain     C3'],
  );
  const secondColumnAt = (line: string) => {
    const plain = line.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex -- strips colour codes (ESC [ ... m)
    const [first, second] = plain.split(/(?<=\S) {2,}/);
    return stringWidth(plain.slice(0, plain.indexOf(second!, first!.length)));
  };
  assert.deepEqual(lines.map(secondColumnAt), [10, 10, 10, 10, 10], 'SEAT starts at terminal column 10 on every line');
});

test('fitWidth cuts by terminal columns, never inside a character', () => {
  assert.equal(fitWidth('short', 10), 'short');
  assert.equal(fitWidth('abcdefghij', 5), 'abcd…');
  assert.equal(fitWidth('東京東京東京', 5), '東京…', 'a third wide character would need columns 5-6');
  assert.equal(fitWidth('e\u0301e\u0301e\u0301e\u0301', 3), 'e\u0301e\u0301…', 'a combining mark stays with its letter');
  assert.equal(fitWidth('👩‍👩‍👧 family', 3), '👩‍👩‍👧…', 'a family emoji is one character, two columns');
});

/** A terminal-like stderr that records what is written to it. */
function fakeTerminal(columns: number) {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns }) as unknown as NodeJS.WriteStream;
  const writes: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = (chunk: string) => (writes.push(String(chunk)), write(chunk));
  return { stream, writes };
}

test('spinner: a frame never wraps (so erase-line clears it), a 0-column terminal counts as 80, the final line is whole', async () => {
  const title = 'start mariadb, redis-master, kafka-1, kafka-2, kafka-3, and a title longer than any terminal line';
  for (const [columns, limit] of [
    [40, 39],
    [0, 79],
  ] as const) {
    const { stream, writes } = fakeTerminal(columns);
    const ui = createUi({ stderr: stream, stdout: stream, env: {} });
    assert.equal(
      await ui.progress.step(
        title,
        async () => 42,
        () => 'done',
      ),
      42,
    );
    const frames = writes.filter((w) => w.startsWith('\r\x1b[2K') && !w.endsWith('\n'));
    assert.ok(frames.length >= 1, 'at least the first frame was drawn');
    for (const f of frames) assert.ok(stringWidth(f) <= limit, `frame fits ${limit} columns: ${JSON.stringify(f)}`);
    assert.match(writes.at(-1)!, new RegExp(`^\\r\\x1b\\[2K.*✔.* ${title}.*\\(done\\).*\\n$`));
  }
});

test('spinner: info written during a step erases the spinning line first instead of joining it', async () => {
  const { stream, writes } = fakeTerminal(80);
  const ui = createUi({ stderr: stream, stdout: stream, env: {} });
  await ui.progress.step('wait for the broker', async () => ui.progress.info('broker 2 is back'));
  const info = writes.find((w) => w.includes('broker 2 is back'));
  assert.ok(info?.startsWith('\r\x1b[2K'), JSON.stringify(info));
});

test('output format: explicit wins; else table on a terminal, json in a pipe', () => {
  assert.equal(resolveOutput('json', true), 'json');
  assert.equal(resolveOutput('table', false), 'table');
  assert.equal(resolveOutput(undefined, true), 'table');
  assert.equal(resolveOutput(undefined, false), 'json');
});
