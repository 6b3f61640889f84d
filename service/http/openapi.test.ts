import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { generateOpenApi, OPENAPI_FILE, renderOpenApi } from './openapi.ts';
import { cancelBody, holdBody, holdParams, paymentBody, paymentParams, seatsQuery } from './schemas.ts';

// docs/openapi.json is generated from the route schemas; this keeps it from drifting and
// checks it is a valid OpenAPI 3 document. What the routes send with those schemas is
// responses.test.ts. No server, no stack.

const ROUTES = [
  'POST /holds',
  'GET /holds/{holdId}',
  'GET /seats',
  'POST /payments',
  'GET /payments/{paymentTxId}',
  'POST /payments/{paymentTxId}/cancel',
  'GET /health',
  'GET /health/db',
  'GET /health/redis',
  'GET /health/kafka',
  'GET /metrics',
  'GET /admin/state',
  'PUT /admin/retry-mode',
  'PUT /admin/consumer-profile',
  'POST /admin/breaker',
];

type Doc = { openapi: string; info: { title: string; version: string }; servers: Array<{ url: string }>; paths: Record<string, Record<string, Operation>> };
type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
};

const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

test('docs/openapi.json is the document the route schemas generate', async () => {
  const committed = readFileSync(OPENAPI_FILE, 'utf8');
  const generated = renderOpenApi(await generateOpenApi());
  assert.ok(generated === committed, 'docs/openapi.json no longer matches the route schemas: run `npm run openapi` and commit docs/openapi.json.');
});

test('the document is a valid OpenAPI 3 document listing every route with its request schema', async () => {
  const doc = (await generateOpenApi()) as unknown as Doc;
  // validate() dereferences what it is given: hand it a copy.
  await SwaggerParser.validate(structuredClone(doc) as unknown as Exclude<Parameters<typeof SwaggerParser.validate>[0], string>);

  assert.match(doc.openapi, /^3\.\d+\.\d+$/);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(doc.info.title, 'Concert ticketing service');
  assert.equal(doc.info.version, pkg.version);
  assert.deepEqual(
    doc.servers.map((s) => s.url),
    ['http://127.0.0.1:3001', 'http://127.0.0.1:3002', 'http://127.0.0.1:3003'],
  );

  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(operations.toSorted(), ROUTES.toSorted(), 'every route, and only those (GET /openapi.json is hidden)');
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      assert.ok(op.summary && op.tags?.length, `${method} ${path} has a summary and a tag`);
    }
  }

  const body = (path: string, method: string) => doc.paths[path]![method]!.requestBody?.content['application/json']?.schema;
  assert.deepEqual(body('/holds', 'post'), plain(holdBody));
  assert.deepEqual(body('/payments', 'post'), plain(paymentBody));
  assert.deepEqual(body('/payments/{paymentTxId}/cancel', 'post'), plain(cancelBody));
  for (const [path, method] of [
    ['/admin/retry-mode', 'put'],
    ['/admin/consumer-profile', 'put'],
    ['/admin/breaker', 'post'],
  ] as const) {
    assert.equal((body(path, method) as { additionalProperties?: boolean }).additionalProperties, false, `${method} ${path} refuses unknown fields`);
  }
  const params = (path: string, method: string) => doc.paths[path]![method]!.parameters ?? [];
  assert.deepEqual(params('/holds/{holdId}', 'get'), [{ in: 'path', name: 'holdId', required: true, schema: plain(holdParams.properties.holdId) }]);
  assert.deepEqual(params('/payments/{paymentTxId}', 'get'), [{ in: 'path', name: 'paymentTxId', required: true, schema: plain(paymentParams.properties.paymentTxId) }]);
  assert.deepEqual(params('/seats', 'get'), [
    { in: 'query', name: 'concertId', required: true, schema: plain(seatsQuery.properties.concertId) },
    { in: 'query', name: 'status', required: false, schema: plain(seatsQuery.properties.status) },
  ]);

  const responses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses).toSorted();
  assert.deepEqual(responses('/holds', 'post'), ['201', '400', '404', '409', '413', '415', '503']);
  assert.deepEqual(responses('/payments', 'post'), ['200', '202', '400', '403', '404', '409', '413', '415', '503']);
  assert.deepEqual(responses('/payments/{paymentTxId}/cancel', 'post'), ['202', '400', '403', '404', '409', '413', '415', '503']);
  assert.deepEqual(responses('/payments/{paymentTxId}', 'get'), ['200', '400', '404', '503']);
});

test('generating the document leaves the request schemas as they were', async () => {
  const before = JSON.stringify([holdBody, paymentBody, cancelBody, holdParams, paymentParams, seatsQuery]);
  await generateOpenApi();
  assert.equal(JSON.stringify([holdBody, paymentBody, cancelBody, holdParams, paymentParams, seatsQuery]), before);
});
