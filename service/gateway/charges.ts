import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InFlight } from './in-flight.ts';
import { ApiError } from './errors.ts';
import type { Faults } from './knobs.ts';
import type { Charge, ChargePage, ChargePosition, Ledger } from './ledger.ts';
import { chargeBodySchema, chargeIdParamsSchema, chargesQuerySchema, DEFAULT_CHARGES_PAGE, type ChargeRequest, type ChargesQuery } from './schemas.ts';

// Charges, idempotent by key the way real processors are: the first request with a key
// decides the outcome (CHARGED or DECLINED) and every later request with that key and the
// same body gets that outcome again, marked `replayed`. The same key with a different body
// is a client bug, answered 409 so it is never mistaken for a replay.

export interface ChargeRoutesDeps {
  ledger: Ledger;
  faults: Faults;
  inFlight: InFlight;
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

// The cursor is opaque to callers: base64url of "<created_at ISO>|<id>" of the last charge
// of a page. Only the canonical spelling is accepted, so a cursor that was edited or cut
// is a 400 rather than a silently different position.
const CURSOR_TEXT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([1-9][0-9]{0,14})$/;

export function encodeCursor(p: ChargePosition): string {
  return Buffer.from(`${p.createdAt}|${p.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ChargePosition | undefined {
  const match = CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const position = { createdAt: match[1] ?? '', id: Number(match[2]) };
  const valid = !Number.isNaN(Date.parse(position.createdAt)) && new Date(position.createdAt).toISOString() === position.createdAt;
  return valid && encodeCursor(position) === cursor ? position : undefined;
}

const badQuery = (field: string, message: string) => new ApiError(message, { status: 400, code: 'VALIDATION_FAILED', field });

/** Which of the two ways to list was asked for, or a 400 naming the parameter that does not fit. */
function listMode(q: ChargesQuery): { paymentTxId: string } | { createdFrom: Date; after: ChargePosition | undefined; limit: number } {
  if (q.paymentTxId !== undefined) {
    const extra = (['createdFrom', 'cursor', 'limit'] as const).find((f) => q[f] !== undefined);
    if (extra) throw badQuery(extra, `querystring ${extra} cannot be combined with paymentTxId: list one payment's charges, or a page by createdFrom`);
    return { paymentTxId: q.paymentTxId.toLowerCase() };
  }
  if (q.createdFrom === undefined) {
    const paging = q.cursor !== undefined || q.limit !== undefined;
    throw badQuery(paging ? 'createdFrom' : 'paymentTxId', 'querystring must have paymentTxId (the charges of one payment) or createdFrom (a page of charges by creation time)');
  }
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !after) throw badQuery('cursor', 'querystring cursor must be the nextCursor of an earlier page, unchanged');
  return { createdFrom: new Date(q.createdFrom), after, limit: q.limit === undefined ? DEFAULT_CHARGES_PAGE : Number(q.limit) };
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

export function registerChargeRoutes(app: FastifyInstance, { ledger, faults, inFlight }: ChargeRoutesDeps): void {
  app.post<{ Body: ChargeRequest }>('/charges', { schema: { body: chargeBodySchema } }, (req, reply) => inFlight.run(() => createCharge(req, reply)));

  async function createCharge(req: FastifyRequest<{ Body: ChargeRequest }>, reply: FastifyReply) {
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
  }

  app.get<{ Params: { id: string } }>('/charges/:id', { schema: { params: chargeIdParamsSchema } }, async (req) => {
    const charge = await ledger.chargeView(Number(req.params.id));
    if (!charge) throw new ApiError(`no charge with id ${req.params.id}`, { status: 404, code: 'CHARGE_NOT_FOUND', field: 'id' });
    return charge;
  });

  app.get<{ Querystring: ChargesQuery }>('/charges', { schema: { querystring: chargesQuerySchema } }, async (req) => {
    const mode = listMode(req.query);
    if ('paymentTxId' in mode) return { charges: await ledger.chargesByPayment(mode.paymentTxId) };
    const rows = await ledger.chargesCreatedFrom(mode.createdFrom, mode.after, mode.limit);
    const data = rows.slice(0, mode.limit);
    const last = data.at(-1);
    const hasMore = rows.length > mode.limit;
    const page: ChargePage = { data, hasMore, nextCursor: hasMore && last ? encodeCursor(last) : null };
    return page;
  });
}
