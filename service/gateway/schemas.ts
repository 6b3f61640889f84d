// Request schemas, checked by Fastify's ajv before any handler runs. Type coercion is off
// (see app.ts), so `"amount": "100"` is a 400, not a silent 100; query strings and path
// parameters are therefore strings constrained by patterns. A `description` becomes the
// error message ("body/amount must be <description>"), so write it as what a caller should send.

export const MAX_LEDGER_LIMIT = 10_000;

const idempotencyKey = { type: 'string', minLength: 1, maxLength: 100, description: 'a string of 1 to 100 characters' } as const;
/** maxLength keeps out the `urn:uuid:` form ajv's uuid format also accepts. */
const uuid = { type: 'string', format: 'uuid', maxLength: 36, description: 'a UUID such as 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b' } as const;
/** A positive integer id that fits a JS number exactly. */
const idPattern = '^[1-9][0-9]{0,14}$';

export interface ChargeRequest {
  idempotencyKey: string;
  paymentTxId: string;
  amount: number;
  currency: string;
}

export const chargeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['idempotencyKey', 'paymentTxId', 'amount'],
  properties: {
    idempotencyKey,
    paymentTxId: uuid,
    amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a whole number of minor units (KRW 1000 is 1000), at least 1' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'KRW', description: 'an ISO 4217 code in capitals, such as KRW' },
  },
} as const;

export interface RefundRequest {
  idempotencyKey: string;
  chargeId?: number;
  chargeIdempotencyKey?: string;
  /** Minor units; absent: what is left of the charge (or, under refundPolicy 'unchecked', all of it). */
  amount?: number;
  reason?: string;
}

export const refundBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['idempotencyKey'],
  properties: {
    idempotencyKey,
    chargeId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the id of a charge (a whole number, at least 1)' },
    chargeIdempotencyKey: idempotencyKey,
    amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a whole number of minor units to refund, at least 1 (leave it out to refund what is left)' },
    reason: { type: 'string', maxLength: 500, description: 'text of at most 500 characters' },
  },
  oneOf: [{ required: ['chargeId'] }, { required: ['chargeIdempotencyKey'] }],
} as const;

export const chargeIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: idPattern, description: 'a charge id (a whole number, at least 1)' } },
} as const;

export const MAX_CHARGES_PAGE = 1000;
export const DEFAULT_CHARGES_PAGE = 100;

/**
 * GET /charges takes either paymentTxId (the charges of one payment) or createdFrom with
 * optional limit and cursor (a page of every charge by creation time). Which combination
 * is allowed is checked in charges.ts, so the error can name the parameter that does not belong.
 */
export interface ChargesQuery {
  paymentTxId?: string;
  createdFrom?: string;
  limit?: string;
  cursor?: string;
}

export const chargesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    paymentTxId: uuid,
    createdFrom: { type: 'string', format: 'date-time', description: 'an ISO 8601 time with a zone, such as 2025-01-31T12:00:00Z' },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: `a whole number from 1 to ${MAX_CHARGES_PAGE}` },
    // The cursor's content is checked when it is decoded (charges.ts); this only bounds it.
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'the nextCursor of an earlier page' },
  },
} as const;

export interface LedgerQuery {
  since?: string;
  limit?: string;
}

export const ledgerQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', format: 'date-time', description: 'an ISO 8601 time with a zone, such as 2025-01-31T12:00:00Z' },
    // 1..10000 as a pattern, since query values stay strings.
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,3}|10000)$', description: 'a whole number from 1 to 10000' },
  },
} as const;
