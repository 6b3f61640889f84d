import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { httpGet, httpRequest, HttpUnreachable } from './http.ts';

// A real server on 127.0.0.1:0: routes answer JSON, text, an error status, echo a body, or
// never answer (the deadline's case).
let server: Server;
let base: string;
const hung: Array<() => void> = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/json') return res.end(JSON.stringify({ ok: true }));
      if (req.url === '/text') return res.end('plain words');
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/unavailable') return res.writeHead(503, { 'retry-after': '2' }).end(JSON.stringify({ error: 'busy' }));
      if (req.url === '/echo') return res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, body }));
      hung.push(() => res.end()); // /hang: answers only when the test ends
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const release of hung) release();
  await new Promise((resolve) => server.close(resolve));
});

test('parses JSON, keeps text, leaves an empty body undefined', async () => {
  assert.deepEqual((await httpGet(`${base}/json`, 2000)).body, { ok: true });
  const text = await httpGet(`${base}/text`, 2000);
  assert.equal(text.body, 'plain words');
  assert.equal(text.text, 'plain words');
  assert.equal((await httpGet(`${base}/empty`, 2000)).body, undefined);
});

test('a status code is an answer, not an error', async () => {
  const a = await httpGet(`${base}/unavailable`, 2000);
  assert.equal(a.status, 503);
  assert.equal(a.headers.get('retry-after'), '2');
  assert.deepEqual(a.body, { error: 'busy' });
});

test('sends a JSON body with its content type, or a raw body as given', async () => {
  const json = await httpRequest(`${base}/echo`, { method: 'PUT', body: { a: 1 }, timeoutMs: 2000 });
  assert.deepEqual(json.body, { method: 'PUT', type: 'application/json', body: '{"a":1}' });
  const raw = await httpRequest(`${base}/echo`, { method: 'POST', rawBody: '{"broken', headers: { 'content-type': 'application/json' }, timeoutMs: 2000 });
  assert.deepEqual(raw.body, { method: 'POST', type: 'application/json', body: '{"broken' });
});

test('a peer that never answers fails at the deadline, as kind "timeout"', async () => {
  const t0 = performance.now();
  const err = await httpGet(`${base}/hang`, 300).catch((e: unknown) => e);
  assert.ok(err instanceof HttpUnreachable, String(err));
  assert.equal(err.kind, 'timeout');
  assert.equal(err.message, 'no answer within 300 ms');
  assert.ok(performance.now() - t0 < 10_000, 'the deadline bounds the wait');
});

test('nobody listening is kind "refused"; the caller cancelling is kind "aborted"', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await httpGet(`http://127.0.0.1:${port}/`, 2000).catch((e: unknown) => e);
  assert.ok(refused instanceof HttpUnreachable);
  assert.equal(refused.kind, 'refused');

  const controller = new AbortController();
  const pending = httpGet(`${base}/hang`, 30_000, controller.signal).catch((e: unknown) => e);
  controller.abort();
  const aborted = await pending;
  assert.ok(aborted instanceof HttpUnreachable);
  assert.equal(aborted.kind, 'aborted');
});
