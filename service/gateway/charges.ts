import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.ts';
import type { Faults } from './knobs.ts';
import type { Charge, Ledger } from './ledger.ts';
import { chargeBodySchema, chargeIdParamsSchema, chargesQuerySchema, type ChargeRequest } from './schemas.ts';

// Charges, idempotent by key the way real processors are: the first request with a key
// decides the outcome (CHARGED or DECLINED) and every later request with that key and the
// same body gets that outcome again, marked `replayed`. The same key with a different body
// is a client bug, answered 409 so it is never mistaken for a replay.

export interface ChargeRoutesDeps {
  ledger: Ledger;
  faults: Faults;
}

const COMPARED_FIELDS = ['paymentTxId', 'amount', 'currency'] as const;

function declined(charge: Charge, replayed: boolean): ApiError {
  return new ApiError(`the card was declined for payment ${charge.paymentTxId} (charge ${charge.id})`, {
    status: 402,
    code: 'CARD_DECLINED',
    hint: 'a decline is final for this key; fail the payment instead of retrying',
    extra: { charge: { ...charge, replayed } },
  });
}

/** Answers a request whose key is already in the ledger. */
function replay(reply: FastifyReply, existing: Charge, request: ChargeRequest) {
  const differs = COMPARED_FIELDS.find((f) => existing[f] !== request[f]);
  if (differs) {
    throw new ApiError(`idempotencyKey "${request.idempotencyKey}" was already used for a charge with ${differs} ${String(existing[differs])}, not ${String(request[differs])}`, {
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
      field: differs,
      hint: 'use a new idempotencyKey for a different charge',
    });
  }
  if (existing.status === 'DECLINED') throw declined(existing, true);
  return reply.code(200).send({ ...existing, replayed: true });
}

export function registerChargeRoutes(app: FastifyInstance, { ledger, faults }: ChargeRoutesDeps): void {
  app.post<{ Body: ChargeRequest }>('/charges', { schema: { body: chargeBodySchema } }, async (req, reply) => {
    // Case is not meaningful in a UUID; one spelling keeps replays and the checker exact.
    const request = { ...req.body, paymentTxId: req.body.paymentTxId.toLowerCase() };
    await faults.beforeWork();

    const existing = await ledger.chargeByKey(request.idempotencyKey);
    if (existing) return replay(reply, existing, request);

    const status = faults.declines() ? 'DECLINED' : 'CHARGED';
    const charge = await ledger.insertCharge({ ...request, status });
    if (!charge) {
      // A concurrent request with this key inserted first; its row is the answer.
      const winner = await ledger.chargeByKey(request.idempotencyKey);
      if (!winner) throw new Error(`charge key ${request.idempotencyKey} collided but cannot be read back`);
      return replay(reply, winner, request);
    }
    if (charge.status === 'DECLINED') throw declined(charge, false);

    await faults.answerLate();
    return reply.code(201).send({ ...charge, replayed: false });
  });

  app.get<{ Params: { id: string } }>('/charges/:id', { schema: { params: chargeIdParamsSchema } }, async (req) => {
    const charge = await ledger.chargeById(Number(req.params.id));
    if (!charge) throw new ApiError(`no charge with id ${req.params.id}`, { status: 404, code: 'CHARGE_NOT_FOUND', field: 'id' });
    return { ...charge, refund: (await ledger.refundByCharge(charge.id)) ?? null };
  });

  app.get<{ Querystring: { paymentTxId: string } }>('/charges', { schema: { querystring: chargesQuerySchema } }, async (req) => {
    return { charges: await ledger.chargesByPayment(req.query.paymentTxId.toLowerCase()) };
  });
}
