import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { waitFor } from '../../lib/wait.ts';
import { createGatewayClient } from './client.ts';
import { newKey, newTxId, testDbConfig } from '../../tests/helpers/gateway.ts';

// main.ts as a real child process: start, serve, stop on a signal, refuse bad settings.

const MAIN = path.join(import.meta.dirname, 'main.ts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function spawnGateway(env: Record<string, string>) {
  return execa(process.execPath, [MAIN], {
    env: { GATEWAY_DB_PORT: String(testDbConfig().port), ...env },
    reject: false,
    timeout: 60_000,
  });
}

/** Starts main.ts on a free port; the test's cleanup kills it if the test did not stop it. */
async function startGateway(t: TestContext, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawnGateway({ GATEWAY_PORT: String(port), ...env });
  let exited: string | undefined;
  void child.then((r) => (exited = `exit ${r.exitCode ?? r.signal}: ${String(r.stderr)}`));
  t.after(() => {
    if (exited === undefined) child.kill('SIGKILL');
  });
  const client = createGatewayClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
  await waitFor(
    async () => {
      if (exited !== undefined) throw new Error(`main.ts ended early (${exited})`);
      return (await client.health()).status === 'UP';
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the gateway child process to report UP' },
  );
  return { child, client };
}

async function stopped(child: ResultPromise) {
  const result = await child;
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

test('main.ts serves, then exits 0 on SIGTERM after closing cleanly', async (t) => {
  const { child, client } = await startGateway(t);
  const charge = await client.charge({ idempotencyKey: newKey('main'), paymentTxId: newTxId(), amount: 100 });
  assert.equal(charge.status, 'CHARGED');
  child.kill('SIGTERM');
  const result = await stopped(child);
  assert.equal(result.exitCode, 0, result.stderr);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string });
  assert.ok(lines.some((l) => l.msg === 'gateway listening'));
  assert.equal(lines.at(-1)?.msg, 'gateway stopped');
});

test('SIGINT finishes an in-flight (held-back) charge, then exits 0', async (t) => {
  const { child, client } = await startGateway(t, { GATEWAY_TIMEOUT_AFTER_CHARGE_RATE: '1', GATEWAY_TIMEOUT_AFTER_CHARGE_MS: '60000' });
  const input = { idempotencyKey: newKey('main'), paymentTxId: newTxId(), amount: 100 };
  const pending = client.charge(input).catch((err: unknown) => err);
  await waitFor(async () => (await client.getCharges(input.paymentTxId)).length > 0, { timeoutMs: 5000, intervalMs: 50, what: 'the charge to be recorded' });
  child.kill('SIGINT');
  const answer = await pending;
  assert.equal((answer as { status?: string }).status, 'CHARGED');
  assert.equal((await stopped(child)).exitCode, 0);
});

const badEnv: Array<[Record<string, string>, string]> = [
  [{ GATEWAY_ERROR_RATE: '2' }, 'GATEWAY_ERROR_RATE'],
  [{ GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT'],
  [{ GATEWAY_LATENCY_MS: '-5' }, 'GATEWAY_LATENCY_MS'],
  [{ GATEWAY_HOST: '0.0.0.0' }, 'GATEWAY_HOST'],
  [{ GATEWAY_REFUND_POLICY: 'sometimes' }, 'GATEWAY_REFUND_POLICY'],
];

for (const [env, variable] of badEnv) {
  test(`a bad ${variable} exits 2 naming the variable and the fix`, async () => {
    const result = await stopped(spawnGateway(env));
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, new RegExp(`${variable}=`));
    assert.match(result.stderr, new RegExp(`Set ${variable} to`));
  });
}

test('an unreachable ledger database exits 1 naming it and what to check', async () => {
  const result = await stopped(spawnGateway({ GATEWAY_DB_PORT: String(await freePort()), GATEWAY_PORT: String(await freePort()) }));
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /cannot prepare the ledger database/);
  assert.match(result.stderr, /ticketctl stack status/);
});
