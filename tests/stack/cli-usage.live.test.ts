import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from '../../lib/errors.ts';
import { createStackContext, stackUp } from '../../stack/index.ts';
import { isPortFree } from '../../stack/supervisor/ports.ts';
import { ticketctl } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// Bad input: usage errors exit 2 with a hint; a taken port fails `up` with exit 1, names
// the port and its owner, and starts nothing. These use a second, empty stack folder
// shifted by a port offset, so the running stack is never touched.

// Beside whichever stack the tests target, never on top of it.
const OFFSET = testStack().topology.portOffset + 1000;

function scratchStack() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-stack-'));
  return { dir, env: { TICKETCTL_STACK_DIR: dir, TICKETCTL_PORT_OFFSET: String(OFFSET) }, ctx: createStackContext({ stackDir: dir, portOffset: OFFSET }) };
}

const usageCases: Array<[string, string[], RegExp]> = [
  ['unknown subcommand', ['stack', 'frobnicate'], /unknown command/i],
  ['unknown top-level command', ['deploy'], /unknown command/i],
  ['unknown flag', ['stack', 'status', '--bogus'], /unknown option/i],
  ['bad --output choice', ['stack', 'status', '--output', 'xml'], /Allowed choices are table, json/],
  ['unknown component', ['stack', 'logs', 'kafka-9'], /Unknown component.*Choose from/s],
  ['non-numeric --lines', ['stack', 'logs', 'kafka-1', '--lines', 'many'], /--lines/],
  ['missing argument', ['stack', 'logs'], /missing required argument/i],
];

for (const [what, args, message] of usageCases) {
  test(`usage error exits 2: ${what}`, async () => {
    const r = await ticketctl(args);
    assert.equal(r.exitCode, 2, `stdout=${r.stdout} stderr=${r.stderr}`);
    assert.match(r.stderr, message);
  });
}

test('a bad TICKETCTL_PORT_OFFSET is a usage error with a hint', async () => {
  const r = await ticketctl(['stack', 'status'], { TICKETCTL_PORT_OFFSET: 'lots' });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /TICKETCTL_PORT_OFFSET="lots".*\n.*next:/);
});

test('--help exits 0 and lists the stack commands', async () => {
  const r = await ticketctl(['stack', '--help']);
  assert.equal(r.exitCode, 0);
  for (const sub of ['up', 'down', 'status', 'logs']) assert.match(r.stdout, new RegExp(`\\b${sub}\\b`));
});

test('a taken port: exit 1 naming the port and its owner; nothing started or provisioned', { timeout: 60_000 }, async () => {
  const { dir, env, ctx } = scratchStack();
  const port = ctx.topology.kafka.brokers[1]!.client;
  const blocker = net.createServer().listen(port, '127.0.0.1');
  await new Promise((resolve) => blocker.once('listening', resolve));
  try {
    const r = await ticketctl(['stack', 'up'], env);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Port ${port} \\(kafka-2 client listener\\) is already in use by pid ${process.pid}\\b`));
    assert.match(r.stderr, /next: .*Nothing was started/);
    assert.equal(existsSync(path.join(dir, 'run')) && readdirSync(path.join(dir, 'run')).length > 0, false, 'no PID files');
    assert.equal(existsSync(path.join(dir, 'kafka-libs')), false, 'the port check runs before any provisioning');
    for (const c of ctx.topology.proxies) assert.ok(await isPortFree(c.listen), `proxy port ${c.listen} stays free`);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a component failing mid-start: up rolls back what it started and names the culprit', { timeout: 120_000 }, async () => {
  const { dir, ctx } = scratchStack();
  const main = testStack();
  try {
    // Reuse the main stack's binaries; break redis-master: a file where its AOF folder goes.
    mkdirSync(dir, { recursive: true });
    symlinkSync(main.paths.bin, ctx.paths.bin);
    symlinkSync(main.paths.kafkaLibs, ctx.paths.kafkaLibs);
    mkdirSync(ctx.paths.dataDir('redis-master'), { recursive: true });
    writeFileSync(path.join(ctx.paths.dataDir('redis-master'), 'appendonlydir'), 'not a directory');
    await assert.rejects(stackUp(ctx, { only: ['toxiproxy', 'redis-master'] }), (err) => {
      assert.ok(err instanceof StartupError, String(err));
      assert.match(err.message, /^redis-master: exited/);
      assert.match(err.hint ?? '', /ticketctl stack logs redis-master/);
      return true;
    });
    assert.deepEqual(
      readdirSync(ctx.paths.run).filter((f) => f.endsWith('.pid')),
      [],
      'toxiproxy, started by this call, was stopped again',
    );
    assert.ok(await isPortFree(ctx.topology.toxiproxyApi), 'toxiproxy API port is free again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
