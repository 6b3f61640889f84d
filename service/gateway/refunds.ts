import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InFlight } from './in-flight.ts';
import { ApiError } from './errors.ts';
import type { Faults, KnobStore } from './knobs.ts';
import type { Ledger, StoredRefund } from './ledger.ts';
import { refundBodySchema, type RefundRequest } from './schemas.ts';

// Refunds, as a real card processor makes them: any number per charge, each under its own
// idempotency key, full or partial (`amount`, default: what is left). A key is replayed,
// never applied twice. Under the default refundPolicy 'up-to-amount' the refunds of a
// charge never add up to more than the charge: one beyond that is 409
// CHARGE_ALREADY_REFUNDED and records nothing. The processor does NOT fence "one refund
// per charge": a caller that refunds under a second key gets a second refund (or the 409
// when nothing is left), so the caller must keep its own records straight. The knob
// 'unchecked' drops even the cap, so a drill can prove the service never relies on it.

export interface RefundRoutesDeps {
  ledger: Ledger;
  faults: Faults;
  knobs: KnobStore;
  inFlight: InFlight;
}

/** The field of the request that differs from the refund stored under its key, if any. */
function differingField(existing: StoredRefund, req: RefundRequest): string | undefined {
  const { refund } = existing;
  if (req.chargeId !== undefined && refund.chargeId !== req.chargeId) return 'chargeId';
  if (req.chargeIdempotencyKey !== undefined && refund.chargeIdempotencyKey !== req.chargeIdempotencyKey) return 'chargeIdempotencyKey';
  if (existing.requestedAmount !== (req.amount ?? null)) return 'amount';
  if (refund.reason !== (req.reason ?? null)) return 'reason';
  return undefined;
}

/** The answer for a request whose key is already in the ledger (a replay, or a conflict), or undefined. */
async function replay(ledger: Ledger, req: RefundRequest, reply: FastifyReply) {
  const existing = await ledger.refundByKey(req.idempotencyKey);
  if (!existing) return undefined;
  const differs = differingField(existing, req);
  if (differs) {
    throw new ApiError(`idempotencyKey "${req.idempotencyKey}" was already used for a refund with a different ${differs}`, {
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
      field: differs,
      hint: 'use a new idempotencyKey for a different refund',
    });
  }
  return reply.code(200).send({ ...existing.refund, replayed: true });
}

export function registerRefundRoutes(app: FastifyInstance, { ledger, faults, knobs, inFlight }: RefundRoutesDeps): void {
  app.post<{ Body: RefundRequest }>('/refunds', { schema: { body: refundBodySchema } }, (req, reply) => inFlight.run(() => createRefund(req, reply)));

  async function createRefund(req: FastifyRequest<{ Body: RefundRequest }>, reply: FastifyReply) {
    const body = req.body;
    const chargeField = body.chargeId !== undefined ? 'chargeId' : 'chargeIdempotencyKey';
    await faults.beforeWork();

    // A replay is answered before the charge is looked at, so it stays a replay even if
    // the caller names the charge differently (by id instead of by key) on the retry.
    const replayed = await replay(ledger, body, reply);
    if (replayed) return replayed;

    const charge = body.chargeId !== undefined ? await ledger.chargeById(body.chargeId) : await ledger.chargeByKey(body.chargeIdempotencyKey ?? '');
    if (!charge) throw new ApiError(`no charge with ${chargeField} ${String(body[chargeField])}`, { status: 404, code: 'CHARGE_NOT_FOUND', field: chargeField });
    if (charge.status !== 'CHARGED') {
      throw new ApiError(`charge ${charge.id} was ${charge.status}; only a CHARGED charge can be refunded`, { status: 409, code: 'NOT_REFUNDABLE', field: chargeField });
    }

    const capped = knobs.get().refundPolicy === 'up-to-amount';
    const outcome = await ledger.insertRefund({ idempotencyKey: body.idempotencyKey, chargeId: charge.id, amount: body.amount, reason: body.reason ?? null, capped });
    if (outcome.kind === 'key-taken') {
      // A concurrent request with this key got there first: its row is the answer.
      const winner = await replay(ledger, body, reply);
      if (winner) return winner;
      throw new Error(`refund key ${body.idempotencyKey} collided but no refund can be read back`);
    }
    if (outcome.kind === 'exceeds') {
      const nothingLeft = outcome.left === 0;
      throw new ApiError(
        nothingLeft
          ? `charge ${charge.id} is already refunded in full (${charge.amount} ${charge.currency}); nothing was refunded`
          : `charge ${charge.id} has ${outcome.left} of ${charge.amount} ${charge.currency} left to refund, not ${outcome.asked}; nothing was refunded`,
        {
          status: 409,
          code: 'CHARGE_ALREADY_REFUNDED',
          field: nothingLeft ? chargeField : 'amount',
          hint: 'read the charge (GET /charges/:id) for its refunds before refunding again',
          extra: { refundableAmount: outcome.left },
        },
      );
    }

    await faults.answerLate();
    return reply.code(201).send({ ...outcome.refund, replayed: false });
  }
}
