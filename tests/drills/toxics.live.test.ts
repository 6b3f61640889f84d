import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { TOXIC_TYPES, toxic } from '../../drills/faults/toxic.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';
import type { FaultEnv } from '../../drills/faults/types.ts';
import type { FaultSpec } from '../../drills/format/types.ts';
import { testStack } from '../helpers/stack.ts';

// Every toxic kind a drill file may name is applied by the drill's fault module to a real
// proxy (the gateway's), confirmed listed with its attributes, observed where the effect
// shows on one HTTP request, and reverted. The drills themselves mostly use latency and
// proxy-down; this proves the other kinds work when a drill asks for them.

const ctx = testStack();
const toxiproxy = createToxiproxyApi(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);
const env = { toxiproxy } as unknown as FaultEnv; // the toxic module needs only the API
type ToxicSpec = Extract<FaultSpec, { type: 'toxic' }>;

/**
 * GET /health through the gateway's proxy on a raw TCP connection, kept alive (with
 * `Connection: close` the server's own close would travel through and end the connection
 * before a timeout toxic does; Node's HTTP client hides this as an early "socket hang up"):
 * the status from the first line, the bytes received, and when the answer was complete or
 * the connection closed.
 */
function viaProxy(timeoutMs = 5000): Promise<{ status: number | null; bytes: number; ms: number; error: string | null }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let data = '';
    let error: string | null = null;
    const socket = net.connect(ctx.topology.gateway.proxy, ctx.topology.host, () => socket.write('GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n'));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('client timeout')));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const head = data.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(data);
      if (head >= 0 && length && Buffer.byteLength(data, 'latin1') >= head + 4 + Number(length[1])) socket.destroy(); // complete
    });
    socket.on('error', (e) => (error = e.message));
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(data);
      resolve({ status: m ? Number(m[1]) : null, bytes: Buffer.byteLength(data, 'latin1'), ms: performance.now() - t0, error });
    });
  });
}

const CASES: Record<(typeof TOXIC_TYPES)[number], { attributes: Record<string, number>; expect: (r: Awaited<ReturnType<typeof viaProxy>>) => void }> = {
  latency: { attributes: { latency: 400 }, expect: (r) => (assert.equal(r.status, 200), assert.ok(r.ms >= 400, `${r.ms} ms`)) },
  timeout: { attributes: { timeout: 300 }, expect: (r) => (assert.equal(r.bytes, 0, 'no data gets through'), assert.ok(r.ms >= 250, `closed after ${r.ms} ms`)) },
  reset_peer: { attributes: { timeout: 0 }, expect: (r) => (assert.equal(r.bytes, 0), assert.match(r.error ?? 'closed', /ECONNRESET|closed/)) },
  limit_data: { attributes: { bytes: 20 }, expect: (r) => assert.ok(r.bytes <= 20 && r.bytes > 0, `response cut after ${r.bytes} bytes`) },
  bandwidth: { attributes: { rate: 1 }, expect: (r) => assert.equal(r.status, 200) },
  slow_close: { attributes: { delay: 300 }, expect: (r) => assert.equal(r.status, 200) },
  slicer: { attributes: { average_size: 8, size_variation: 0, delay: 1000 }, expect: (r) => assert.equal(r.status, 200) },
};

after(async () => {
  // Never leave a toxic behind for the next test file, whatever failed.
  for (const t of (await toxiproxy.proxy('gateway')).toxics) await toxiproxy.removeToxic('gateway', t.name);
});

test('the gateway proxy answers normally before any toxic', async () => {
  const r = await viaProxy();
  assert.equal(r.status, 200, r.error ?? '');
});

for (const kind of TOXIC_TYPES) {
  test(`toxic ${kind}: applied, listed with its attributes, effect observed, reverted`, { timeout: 60_000 }, async () => {
    const c = CASES[kind];
    const spec: ToxicSpec = { type: 'toxic', proxy: 'gateway', toxic: kind, stream: 'downstream', toxicity: 1, attributes: c.attributes };
    const undo = await toxic.prepare(env, spec, `test-${kind}`);
    await toxic.apply(env, spec, undo);
    try {
      assert.match(await toxic.confirm(env, spec, undo), /listed on gateway/);
      const listed = (await toxiproxy.proxy('gateway')).toxics.find((t) => t.name === undo.toxicName);
      assert.equal(listed?.type, kind);
      for (const [k, v] of Object.entries(c.attributes)) assert.equal(listed?.attributes[k], v, k);
      c.expect(await viaProxy());
    } finally {
      assert.match(await toxic.revert(env, undo), /removed toxic/);
    }
    assert.match(await toxic.revert(env, undo), /already gone/, 'revert is idempotent');
    assert.equal((await toxiproxy.proxy('gateway')).toxics.length, 0);
    const healed = await viaProxy();
    assert.equal(healed.status, 200, healed.error ?? '');
  });
}
