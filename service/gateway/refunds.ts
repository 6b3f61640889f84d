import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.ts';
import type { Faults } from './knobs.ts';
import type { Charge, Ledger, Refund } from './ledger.ts';
import { refundBodySchema, type RefundRequest } from './schemas.ts';

// Full refunds. Two fences, both in the database: a refund key is replayed, never applied
// twice; and a charge has at most one refund whatever keys callers use (compensation may
// run from two saga instances at once), so a second refund under another key is answered
// with the existing one, `alreadyRefunded: true`, and moves no money.

export interface RefundRoutesDeps {
  ledger: Ledger;
  faults: Faults;
}

function sameRequest(existing: Refund, req: RefundRequest): string | undefined {
  if (req.chargeId !== undefined && existing.chargeId !== req.chargeId) return 'chargeId';
  if (req.chargeIdempotencyKey !== undefined && existing.chargeIdempotencyKey !== req.chargeIdempotencyKey) return 'chargeIdempotencyKey';
  if (existing.reason !== (req.reason ?? null)) return 'reason';
  return undefined;
}

/** The answer for a request that finds a refund already in the ledger, or undefined. */
async function existingAnswer(ledger: Ledger, req: RefundRequest, charge: Charge | undefined, reply: FastifyReply) {
  const byKey = await ledger.refundByKey(req.idempotencyKey);
  if (byKey) {
    const differs = sameRequest(byKey, req);
    if (differs) {
      throw new ApiError(`idempotencyKey "${req.idempotencyKey}" was already used for a refund with a different ${differs}`, {
        status: 409,
        code: 'IDEMPOTENCY_CONFLICT',
        field: differs,
        hint: 'use a new idempotencyKey for a different refund',
      });
    }
    return reply.code(200).send({ ...byKey, replayed: true, alreadyRefunded: false });
  }
  const byCharge = charge && (await ledger.refundByCharge(charge.id));
  if (byCharge) return reply.code(200).send({ ...byCharge, replayed: false, alreadyRefunded: true });
  return undefined;
}

export function registerRefundRoutes(app: FastifyInstance, { ledger, faults }: RefundRoutesDeps): void {
  app.post<{ Body: RefundRequest }>('/refunds', { schema: { body: refundBodySchema } }, async (req, reply) => {
    const body = req.body;
    await faults.beforeWork();

    // A replay is answered before the charge is looked at, so it stays a replay even if
    // the caller names the charge differently (by id instead of by key) on the retry.
    const replayed = await existingAnswer(ledger, body, undefined, reply);
    if (replayed) return replayed;

    const charge = body.chargeId !== undefined ? await ledger.chargeById(body.chargeId) : await ledger.chargeByKey(body.chargeIdempotencyKey ?? '');
    if (!charge) {
      const field = body.chargeId !== undefined ? 'chargeId' : 'chargeIdempotencyKey';
      throw new ApiError(`no charge with ${field} ${String(body[field])}`, { status: 404, code: 'CHARGE_NOT_FOUND', field });
    }
    if (charge.status !== 'CHARGED') {
      throw new ApiError(`charge ${charge.id} was ${charge.status}; only a CHARGED charge can be refunded`, {
        status: 409,
        code: 'NOT_REFUNDABLE',
        field: body.chargeId !== undefined ? 'chargeId' : 'chargeIdempotencyKey',
      });
    }

    const earlier = await existingAnswer(ledger, body, charge, reply);
    if (earlier) return earlier;

    const refund = await ledger.insertRefund({ idempotencyKey: body.idempotencyKey, charge, reason: body.reason ?? null });
    if (!refund) {
      // Lost a race on the key or on the charge: the winner's row is the answer.
      const winner = await existingAnswer(ledger, body, charge, reply);
      if (winner) return winner;
      throw new Error(`refund of charge ${charge.id} collided but no refund can be read back`);
    }

    await faults.answerLate();
    return reply.code(201).send({ ...refund, replayed: false, alreadyRefunded: false });
  });
}
