import Fastify, { type FastifyInstance } from 'fastify';
import { fastifySwagger } from '@fastify/swagger';
import pkg from '../../package.json' with { type: 'json' };
import { toErrorResponse } from './errors.ts';
import { closeSocketsWhileDraining } from './drain.ts';

// The HTTP edge. Ajv runs without type coercion and without removing unknown fields, so a
// request is either exactly right or a 400 naming what is wrong. Bodies over 16 KiB are
// refused before parsing. `return503OnClosing` answers 503 during graceful shutdown, and
// answers sent while closing end their keep-alive socket (drain.ts).
//
// Every route's schema (request, responses, summary, tags) feeds an OpenAPI 3 document,
// served at GET /openapi.json and committed as docs/openapi.json (`npm run openapi`).

const OPENAPI_INFO = {
  title: 'Concert ticketing service',
  version: pkg.version,
  description:
    'Seat holds that never double-sell, payments accepted at once and processed by a Kafka saga, health, metrics and operator switches. ' +
    'Every error is `{"error": {"code", "message", "field"?}}`. Bodies are JSON only (415 otherwise), at most 16 KiB (413), validated with no type coercion and no unknown fields (400 INVALID_FIELD naming the field).',
} as const;

const OPENAPI_SERVERS = [3001, 3002, 3003].map((port, i) => ({ url: `http://127.0.0.1:${port}`, description: `instance ${i + 1} (ticketctl stack up)` }));

const OPENAPI_TAGS = [
  { name: 'holds', description: 'Seat holds: a seat is held by one user until paid or expired.' },
  { name: 'seats', description: 'Seat availability.' },
  { name: 'payments', description: 'Payments: 202 at once, then poll; the saga charges, retries, compensates.' },
  { name: 'health', description: 'Dependency checks (the load balancer probes /health).' },
  { name: 'metrics', description: 'Prometheus metrics.' },
  { name: 'admin', description: 'Operator switches used by ticketctl: on the admin listener only (ADMIN_PORT, default PORT + 100, loopback), with the bearer admin token; the public port answers 404.' },
];

const OPENAPI_COMPONENTS = {
  securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: "The instance's admin token (ADMIN_TOKEN_FILE; `ticketctl stack credentials` says where the stack's is)." } },
} as const;

export interface HttpOptions {
  log?: (entry: Record<string, unknown>) => void;
  onResponse?: (route: string, status: number) => void;
}

export function createHttpServer(o: HttpOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    requestTimeout: 15_000,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false } },
  });

  closeSocketsWhileDraining(app);

  // Fastify parses text/plain by default; the API speaks only JSON, so any other type is a
  // 415 that says so, not a misleading "body must be object".
  app.removeContentTypeParser('text/plain');

  // @fastify/swagger collects routes from an onRoute hook. Registered with app.register()
  // it would load only at ready(), after the route modules (called right after this
  // function returns) had added their routes, and it would see none of them. So its plugin
  // function runs here, synchronously, on the root instance: exactly what registering it
  // (a fastify-plugin, not encapsulated) does, minus the deferral. It only reads the route
  // options (request validation is untouched); the response schemas the routes declare are
  // what Fastify serializes with, and openapi.test.ts checks they change no byte.
  fastifySwagger(app, { openapi: { openapi: '3.0.3', info: OPENAPI_INFO, servers: OPENAPI_SERVERS, tags: OPENAPI_TAGS, components: OPENAPI_COMPONENTS } }, (err) => {
    if (err) throw err;
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler((err, req, reply) => {
    const r = toErrorResponse(err);
    if (r.isBug) o.log?.({ level: 'error', msg: 'unhandled error in route', route: req.routeOptions.url, error: (err as Error).stack ?? String(err) });
    void reply.code(r.status).headers(r.headers).send(r.body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url}.` } });
  });
  app.addHook('onResponse', async (req, reply) => {
    o.onResponse?.(req.routeOptions.url ?? 'unmatched', reply.statusCode);
  });
  return app;
}
