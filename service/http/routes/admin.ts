import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CircuitBreaker } from '../../payments/breaker.ts';
import type { RetryPolicy } from '../../payments/retry-policy.ts';
import type { ConsumerProfile } from '../../payments/consumer.ts';
import { adminStateResponse, bodyErrors, errorResponse } from '../schemas.ts';

// The operator switches ticketctl uses: emergency retry mode (report 2.2.2), the consumer
// settings profile (4.2.2), the breaker. They serve on the admin listener only (ADMIN_PORT,
// loopback by default) behind a bearer token: whoever reaches the public port cannot force
// the breaker open and fail every payment, or make the consumers rebalance over and over.

export interface AdminDeps {
  instanceId: string;
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  consumerProfile: () => ConsumerProfile;
  switchConsumerProfile: (p: ConsumerProfile) => Promise<void>;
}

export const ADMIN_SECURITY_SCHEME = 'adminToken';
const security = [{ [ADMIN_SECURITY_SCHEME]: [] }];
const unauthorized = errorResponse('UNAUTHORIZED: no bearer token, or not the admin token.');
const badAdminBody = errorResponse('INVALID_FIELD or INVALID_JSON.');
const adminResponses = { 200: { ...adminStateResponse, description: "This instance's switches after the change." }, 400: badAdminBody, 401: unauthorized, ...bodyErrors } as const;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Every request on `app` must carry `Authorization: Bearer <token>`, else 401 with
 * `WWW-Authenticate: Bearer`. Compared in constant time (of the digests, so the length
 * leaks nothing either). The answer never echoes what was sent.
 */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (req, reply) => {
    const m = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
    if (m && timingSafeEqual(digest(m[1]!), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="ticketing-admin"')
      .send({ error: { code: 'UNAUTHORIZED', message: m ? 'The bearer token is not the admin token.' : 'The admin API needs an Authorization: Bearer <admin token> header.' } });
  });
}

export function adminRoutes(app: FastifyInstance, d: AdminDeps): void {
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
        security,
        response: { 200: { ...adminStateResponse, description: 'Breaker, retry mode and consumer profile.' }, 401: unauthorized },
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
        security,
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
        security,
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
        security,
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
