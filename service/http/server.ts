import Fastify, { type FastifyInstance } from 'fastify';
import { toErrorResponse } from './errors.ts';

// The HTTP edge. Ajv runs without type coercion and without removing unknown fields, so a
// request is either exactly right or a 400 naming what is wrong. Bodies over 16 KiB are
// refused before parsing. `return503OnClosing` answers 503 during graceful shutdown.

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

  // Fastify parses text/plain by default; the API speaks only JSON, so any other type is a
  // 415 that says so, not a misleading "body must be object".
  app.removeContentTypeParser('text/plain');

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
