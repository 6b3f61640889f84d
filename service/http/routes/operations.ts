import type { FastifyInstance } from 'fastify';
import type { DependencyName, Health } from '../../health.ts';
import type { Metrics } from '../../metrics.ts';
import type { CircuitBreaker } from '../../payments/breaker.ts';
import type { RetryPolicy } from '../../payments/retry-policy.ts';
import type { ConsumerProfile } from '../../payments/consumer.ts';
import { adminStateResponse, bodyErrors, errorResponse, healthCheckResponse, healthResponse } from '../schemas.ts';

// Health (report 2.0.2, 5), metrics (report 3) and the operator switches ticketctl uses:
// emergency retry mode (2.2.2), consumer settings profile (4.2.2), the breaker.

export interface OperationsDeps {
  instanceId: string;
  health: Health;
  metrics: Metrics;
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  consumerProfile: () => ConsumerProfile;
  switchConsumerProfile: (p: ConsumerProfile) => Promise<void>;
  refreshMetrics: () => Promise<void>;
}

const badAdminBody = errorResponse('INVALID_FIELD or INVALID_JSON.');
const adminResponses = { 200: { ...adminStateResponse, description: "This instance's switches after the change." }, 400: badAdminBody, ...bodyErrors } as const;

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

  const state = () => ({
    instanceId: d.instanceId,
    breaker: d.breaker.snapshot(),
    retry: { emergency: d.retry.isEmergency(), maxRetries: d.retry.maxRetries() },
    consumer: { profile: d.consumerProfile() },
  });
  app.get(
    '/admin/state',
    {
      schema: {
        tags: ['admin'],
        operationId: 'adminState',
        summary: "This instance's operator switches",
        response: { 200: { ...adminStateResponse, description: 'Breaker, retry mode and consumer profile.' } },
      },
    },
    async () => state(),
  );
  app.put<{ Body: { emergency: boolean } }>(
    '/admin/retry-mode',
    {
      schema: {
        tags: ['admin'],
        operationId: 'setRetryMode',
        summary: 'Switch emergency retry mode',
        description: 'Report 2.2.2: emergency mode retries a failed charge at most once (EMERGENCY_MAX_RETRY=1) instead of 3 times.',
        body: { type: 'object', additionalProperties: false, required: ['emergency'], properties: { emergency: { type: 'boolean' } } },
        response: adminResponses,
      },
    },
    async (req) => {
      d.retry.setEmergency(req.body.emergency);
      return state();
    },
  );
  app.put<{ Body: { profile: ConsumerProfile } }>(
    '/admin/consumer-profile',
    {
      schema: {
        tags: ['admin'],
        operationId: 'setConsumerProfile',
        summary: 'Switch the saga consumer settings profile',
        description: "Report 4.2.2 consumer settings; restarts this instance's consumer.",
        body: { type: 'object', additionalProperties: false, required: ['profile'], properties: { profile: { type: 'string', enum: ['normal', 'emergency'] } } },
        response: adminResponses,
      },
    },
    async (req) => {
      await d.switchConsumerProfile(req.body.profile);
      return state();
    },
  );
  app.post<{ Body: { action: 'reset' | 'open' } }>(
    '/admin/breaker',
    {
      schema: {
        tags: ['admin'],
        operationId: 'breakerAction',
        summary: 'Force the gateway circuit breaker open, or reset it',
        body: { type: 'object', additionalProperties: false, required: ['action'], properties: { action: { type: 'string', enum: ['reset', 'open'] } } },
        response: adminResponses,
      },
    },
    async (req) => {
      if (req.body.action === 'open') d.breaker.forceOpen();
      else d.breaker.reset();
      return state();
    },
  );
}
