import type { FastifyInstance } from 'fastify';
import { createHttpServer } from './server.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { paymentRoutes } from './routes/payments.ts';
import { operationsRoutes } from './routes/operations.ts';
import { adminRoutes } from './routes/admin.ts';

// The OpenAPI document of the HTTP API, generated from the route schemas by
// @fastify/swagger: the HTTP server with the same route modules as app.ts, given
// dependencies that only exist for the type checker. No database, Redis or Kafka is
// reached: registering a route calls none of its dependencies, and no request is made.
// `npm run openapi` (service/http/write-openapi.ts) writes it to docs/openapi.json; openapi.test.ts
// fails when that file no longer matches the schemas.

export const OPENAPI_FILE = new URL('../../docs/openapi.json', import.meta.url);

/** A dependency whose every use throws: generation must never call one. */
function unused<T>(name: string): T {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        throw new Error(`${name}.${String(prop)} was used while generating the OpenAPI document; generation must not reach dependencies.`);
      },
    },
  ) as T;
}

/** The HTTP server with every route module registered on stub dependencies (not ready yet). */
export function createDocumentedServer(): FastifyInstance {
  const app = createHttpServer();
  reservationRoutes(app, { reservations: unused('reservations'), db: unused('db'), metrics: unused('metrics') });
  paymentRoutes(app, { payments: unused('payments') });
  operationsRoutes(app, { instanceId: 'openapi', health: unused('health'), metrics: unused('metrics'), refreshMetrics: unused('refreshMetrics') });
  // One document for both listeners: the admin routes say where they serve (their tag) and need the admin token.
  adminRoutes(app, { instanceId: 'openapi', breaker: unused('breaker'), retry: unused('retry'), consumerProfile: unused('consumerProfile'), switchConsumerProfile: unused('switchConsumerProfile') });
  return app;
}

/** The document as @fastify/swagger builds it. */
export async function generateOpenApi(): Promise<Record<string, unknown>> {
  const app = createDocumentedServer();
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** Objects' keys sorted at every level (arrays keep their order): a stable file to diff. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The text of docs/openapi.json: pretty, keys sorted, newline at the end. */
export function renderOpenApi(doc: unknown): string {
  return `${JSON.stringify(sortKeys(doc), null, 2)}\n`;
}
