import type { FastifyInstance } from 'fastify';
import type { DependencyName, Health } from '../../health.ts';
import type { Metrics } from '../../metrics.ts';
import type { CircuitBreaker } from '../../payments/breaker.ts';
import type { RetryPolicy } from '../../payments/retry-policy.ts';
import type { ConsumerProfile } from '../../payments/consumer.ts';

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

export function operationsRoutes(app: FastifyInstance, d: OperationsDeps): void {
  app.get('/health', async (_req, reply) => {
    const all = await d.health.checkAll();
    return reply.code(all.status === 'UP' ? 200 : 503).send({ instanceId: d.instanceId, ...all });
  });
  for (const name of ['db', 'redis', 'kafka'] as DependencyName[]) {
    app.get(`/health/${name}`, async (_req, reply) => {
      const r = await d.health.check(name);
      return reply.code(r.status === 'UP' ? 200 : 503).send(r);
    });
  }

  app.get('/metrics', async (_req, reply) => {
    await d.refreshMetrics();
    return reply.header('content-type', d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });

  const state = () => ({
    instanceId: d.instanceId,
    breaker: d.breaker.snapshot(),
    retry: { emergency: d.retry.isEmergency(), maxRetries: d.retry.maxRetries() },
    consumer: { profile: d.consumerProfile() },
  });
  app.get('/admin/state', async () => state());
  app.put<{ Body: { emergency: boolean } }>(
    '/admin/retry-mode',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['emergency'], properties: { emergency: { type: 'boolean' } } } } },
    async (req) => {
      d.retry.setEmergency(req.body.emergency);
      return state();
    },
  );
  app.put<{ Body: { profile: ConsumerProfile } }>(
    '/admin/consumer-profile',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['profile'], properties: { profile: { type: 'string', enum: ['normal', 'emergency'] } } } } },
    async (req) => {
      await d.switchConsumerProfile(req.body.profile);
      return state();
    },
  );
  app.post<{ Body: { action: 'reset' | 'open' } }>(
    '/admin/breaker',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['action'], properties: { action: { type: 'string', enum: ['reset', 'open'] } } } } },
    async (req) => {
      if (req.body.action === 'open') d.breaker.forceOpen();
      else d.breaker.reset();
      return state();
    },
  );
}
