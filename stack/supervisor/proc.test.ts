import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { processStartTicks, tcpPortOwner } from './proc.ts';
import { isAlive } from './process.ts';
import { isPortFree } from './ports.ts';

test('start ticks identify a process; a dead one has none', async () => {
  assert.ok((processStartTicks(process.pid) ?? -1) > 0);
  const child = spawn('sleep', ['30']);
  await new Promise((r) => child.once('spawn', r));
  const rec = { name: 'sleep', pid: child.pid!, startTicks: processStartTicks(child.pid!)!, startedAt: '', argv: [] };
  assert.equal(isAlive(rec), true);
  assert.equal(isAlive({ ...rec, startTicks: rec.startTicks - 1 }), false, 'same PID, other start time: a reused PID is not ours');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(isAlive(rec), false);
});

test('a listening port is taken and its owner is named', async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    assert.equal(await isPortFree(port), false);
    assert.equal(tcpPortOwner(port), `pid ${process.pid} (${(await import('node:fs')).readFileSync('/proc/self/comm', 'utf8').trim()})`);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal(await isPortFree(port), true);
});
