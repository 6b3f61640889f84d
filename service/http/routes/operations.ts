import type { FastifyInstance } from 'fastify';
import type { DependencyName, Health } from '../../health.ts';
import type { Metrics } from '../../metrics.ts';
import { healthCheckResponse, healthResponse } from '../schemas.ts';

// Health (report 2.0.2, 5) and metrics (report 3): on the public port, for the load
// balancer and Prometheus. The operator switches live on the admin listener (admin.ts).

export interface OperationsDeps {
  instanceId: string;
  health: Health;
  metrics: Metrics;
  refreshMetrics: () => Promise<void>;
}

export function operationsRoutes(app: FastifyInstance, d: OperationsDeps): void {
  const healthSchema = {
    tags: ['health'],
    operationId: 'health',
    summary: 'Check every dependency',
    description: 'What the load balancer probes: 200 when the database, Redis and Kafka (at least 2 live brokers) all answer within 1.5 s, else 503 naming what is DOWN.',
    response: { 200: { ...healthResponse, description: 'Everything is UP.' }, 503: { ...healthResponse, description: 'At least one check is DOWN.' } },
  } as const;
  app.get('/health', { schema: healthSchema }, async (_req, reply) => {
    const all = await d.health.checkAll();
    return reply.code(all.status === 'UP' ? 200 : 503).send({ instanceId: d.instanceId, ...all });
  });
  for (const name of ['db', 'redis', 'kafka'] as DependencyName[]) {
    const schema = {
      tags: ['health'],
      operationId: `health${name[0]!.toUpperCase()}${name.slice(1)}`,
      summary: `Check ${{ db: 'the database', redis: 'Redis', kafka: 'Kafka' }[name]}`,
      response: { 200: { ...healthCheckResponse, description: 'UP.' }, 503: { ...healthCheckResponse, description: 'DOWN, with the error.' } },
    } as const;
    app.get(`/health/${name}`, { schema }, async (_req, reply) => {
      const r = await d.health.check(name);
      return reply.code(r.status === 'UP' ? 200 : 503).send(r);
    });
  }

  const metricsSchema = {
    tags: ['metrics'],
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: "This instance's metrics in the Prometheus text format (docs/service.md lists them).",
    response: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
  } as const;
  app.get('/metrics', { schema: metricsSchema }, async (_req, reply) => {
    await d.refreshMetrics();
    return reply.header('content-type', d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });
}
