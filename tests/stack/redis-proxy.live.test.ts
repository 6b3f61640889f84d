import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { waitFor } from '../../lib/wait.ts';
import { testStack, uniqueName } from '../helpers/stack.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';

// Every client byte to Redis passes through Toxiproxy: disabling the proxy must cut the
// client off at once (fail fast, no hang), and re-enabling it must let the same client
// recover on its own.

const ctx = testStack();
const toxiproxy = createToxiproxyApi(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);

after(async () => {
  if (!(await toxiproxy.proxy('redis-master')).enabled) await toxiproxy.setEnabled('redis-master', true);
});

test('disable the Redis proxy: a client through it fails fast; re-enable: it recovers', { timeout: 120_000 }, async () => {
  const client = new Redis({
    host: ctx.topology.host,
    port: ctx.topology.redis.masterProxy,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => 200, // keep reconnecting every 200 ms, as the service will
  });
  client.on('error', () => {});
  const key = uniqueName('proxy-test');
  try {
    await waitFor(() => client.status === 'ready', { timeoutMs: 10_000, what: 'redis client ready' });
    assert.equal(await client.set(key, 'before', 'EX', 60), 'OK');

    await toxiproxy.setEnabled('redis-master', false);
    assert.equal((await toxiproxy.proxy('redis-master')).enabled, false);

    const t0 = Date.now();
    await assert.rejects(client.get(key), 'a command through the disabled proxy must fail');
    const failedAfterMs = Date.now() - t0;
    assert.ok(failedAfterMs < 3000, `failed after ${failedAfterMs} ms; it must fail fast, not hang`);

    await toxiproxy.setEnabled('redis-master', true);
    const value = await waitFor(async () => (client.status === 'ready' ? await client.get(key) : undefined), {
      timeoutMs: 20_000,
      what: 'the client to reconnect through the re-enabled proxy',
    });
    assert.equal(value, 'before', 'the key written before the outage is still there');
  } finally {
    client.disconnect();
  }
});
