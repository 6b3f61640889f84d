// JSON schemas of the request bodies and parameters. additionalProperties: false, and no
// type coercion (see server.ts): a wrong type is a 400 naming the field, never a guess.

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const uuid = { type: 'string', pattern: UUID_PATTERN, maxLength: 36 } as const;
const userId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:@-]+$' } as const;

export const holdBody = {
  type: 'object',
  additionalProperties: false,
  required: ['seatId', 'userId'],
  properties: { seatId: { type: 'integer', minimum: 1, maximum: 9007199254740991 }, userId },
} as const;

// The hold secret POST /holds answered (issue #10, item 6). Not `required`: a missing one is
// the same 403 HOLD_SECRET_INVALID as a wrong one, decided in payments/transactions.ts.
const holdSecret = { type: 'string', maxLength: 256, description: 'The holdSecret POST /holds answered for this hold: proof that the request comes from whoever held the seat.' } as const;

export const paymentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['paymentTxId', 'holdId', 'userId', 'amount'],
  properties: { paymentTxId: uuid, holdId: uuid, userId, amount: { type: 'integer', minimum: 1, maximum: 100_000_000 }, holdSecret },
} as const;

export const cancelBody = { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId, holdSecret } } as const;

export const holdParams = { type: 'object', required: ['holdId'], properties: { holdId: uuid } } as const;
export const paymentParams = { type: 'object', required: ['paymentTxId'], properties: { paymentTxId: uuid } } as const;
export const seatsQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['concertId'],
  properties: { concertId: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' }, status: { type: 'string', enum: ['AVAILABLE', 'HELD', 'SOLD'] } },
} as const;

// Response schemas. They feed the OpenAPI document (docs/openapi.json) and Fastify
// serializes with them (fast-json-stringify), which drops any property a schema does not
// list and writes the listed ones in schema order: so each one lists every property its
// route sends, in the order the route builds it, and a status whose body has no schema
// here is sent as JSON.stringify makes it. openapi.test.ts checks the routes' bodies come
// out byte for byte as without the schemas.

const uuidOut = { type: 'string', format: 'uuid' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

/** `{error: {code, message, field?}}` (errors.ts), with what the status means on this route. */
export function errorResponse(description: string) {
  return {
    description,
    type: 'object',
    additionalProperties: false,
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', description: 'Stable machine-readable code, e.g. INVALID_FIELD, SEAT_TAKEN, DATABASE_UNAVAILABLE.' },
          message: { type: 'string', description: 'What went wrong, for people.' },
          field: { type: 'string', description: 'The request field at fault, when there is one.' },
        },
      },
    },
  } as const;
}

export const retryAfterHeader = { type: 'string', description: 'Seconds to wait before trying again.' } as const;

/** 503 from a dependency outage: answered at once, with Retry-After. */
export const unavailableResponse = {
  ...errorResponse('A dependency (database, Redis) is unavailable or saturated; try again after Retry-After seconds. Code <DEPENDENCY>_UNAVAILABLE.'),
  headers: { 'retry-after': retryAfterHeader },
} as const;

/** The errors any route with a JSON body can answer before its handler runs. */
export const bodyErrors = {
  413: errorResponse('BODY_TOO_LARGE: the body is over 16 KiB.'),
  415: errorResponse('UNSUPPORTED_MEDIA_TYPE: the content type is not application/json.'),
} as const;

export const holdResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['holdId', 'seatId', 'userId', 'status', 'lockMode', 'expiresAt'],
  properties: {
    holdId: uuidOut,
    seatId: { type: 'integer' },
    userId: { type: 'string' },
    status: { type: 'string', enum: ['ACTIVE', 'PAID', 'EXPIRED', 'RELEASED', 'CANCELLED'] },
    lockMode: { type: 'string', enum: ['REDIS', 'DATABASE'], description: 'Which lock took the seat: the Redis lock, or the database row lock when Redis was unreachable.' },
    expiresAt: { ...dateTime, description: 'When an unpaid hold is released.' },
  },
} as const;

/** POST /holds: the hold and, this once, its secret (GET /holds/:id never shows it). */
export const createdHoldResponse = {
  ...holdResponse,
  required: [...holdResponse.required, 'holdSecret'],
  properties: {
    ...holdResponse.properties,
    holdSecret: {
      type: 'string',
      description:
        'Random, answered only here and stored only as a hash: send it with POST /payments and POST /payments/{paymentTxId}/cancel. Keep it like a password; without it the seat cannot be paid or cancelled.',
    },
  },
} as const;

export const seatsResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['concertId', 'seats'],
  properties: {
    concertId: { type: 'integer' },
    seats: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['seatId', 'label', 'price', 'status'],
        properties: { seatId: { type: 'integer' }, label: { type: 'string' }, price: { type: 'integer' }, status: { type: 'string', enum: ['AVAILABLE', 'HELD', 'SOLD'] } },
      },
    },
  },
} as const;

export const pollHeaders = {
  location: { type: 'string', description: 'The payment to poll: /payments/{paymentTxId}.' },
  'retry-after': { type: 'string', description: 'Seconds to wait before polling (3).' },
} as const;

/** A payment still being processed (routes/payments.ts pendingBody). */
export const pendingPayment = {
  type: 'object',
  required: ['paymentTxId', 'status', 'retryAfter', 'message', 'pollUrl'],
  properties: {
    paymentTxId: uuidOut,
    status: { type: 'string', enum: ['PENDING'] },
    retryAfter: { type: 'integer', description: 'Milliseconds to wait before polling.' },
    message: { type: 'string' },
    pollUrl: { type: 'string', description: '/payments/{paymentTxId}' },
  },
} as const;

const finalPaymentProperties = {
  paymentTxId: uuidOut,
  status: { type: 'string', enum: ['SUCCESS', 'FAILED', 'CANCELLED', 'REFUNDED'] },
  seatId: { type: 'integer' },
  holdId: uuidOut,
  amount: { type: 'integer' },
  attempts: { type: 'integer', description: 'Gateway charge attempts made.' },
  failureReason: { type: ['string', 'null'] },
  updatedAt: dateTime,
} as const;
const finalPaymentRequired = ['paymentTxId', 'status', 'seatId', 'holdId', 'amount', 'attempts', 'failureReason', 'updatedAt'] as const;

/** A payment that left PENDING (routes/payments.ts finalBody). */
export const finalPayment = { type: 'object', required: finalPaymentRequired, properties: finalPaymentProperties } as const;

/** POST /payments repeated after the payment succeeded. */
export const alreadyCompletedPayment = {
  type: 'object',
  required: ['paymentTxId', 'status', 'redirectUrl', 'payment'],
  properties: {
    paymentTxId: uuidOut,
    status: { type: 'string', enum: ['ALREADY_COMPLETED'] },
    redirectUrl: { type: 'string', description: '/success?paymentTxId=...' },
    payment: finalPayment,
  },
} as const;

/** POST /payments repeated after the payment failed or was cancelled: its final state. */
export const endedPayment = {
  type: 'object',
  required: [...finalPaymentRequired, 'message'],
  properties: { ...finalPaymentProperties, status: { type: 'string', enum: ['FAILED', 'CANCELLED', 'REFUNDED'] }, message: { type: 'string' } },
} as const;

/** What marks a poll answered from the event log (routes/poll-fallback.ts). */
const fallbackMarks = {
  fallback: { type: 'boolean', enum: [true], description: 'Present only when the database could not be read and the event log answered.' },
  source: { type: 'string', enum: ['event-log'] },
  asOf: { ...dateTime, description: 'When the event this status comes from happened; the database may already be further along.' },
} as const;

/** A pending poll answered from the event log: the pending answer plus the marks. */
export const fallbackPendingPayment = {
  type: 'object',
  required: [...pendingPayment.required, 'fallback', 'source', 'asOf'],
  properties: { ...pendingPayment.properties, ...fallbackMarks },
} as const;

/** A poll of a payment past PENDING answered from the event log. */
export const fallbackPayment = {
  type: 'object',
  required: ['paymentTxId', 'status', 'fallback', 'source', 'asOf', 'message'],
  properties: {
    paymentTxId: uuidOut,
    status: { type: 'string', enum: ['SUCCESS', 'FAILED', 'CANCELLING'], description: 'FAILED: the saga gave up (refunds may still run); CANCELLING: a cancel was requested.' },
    ...fallbackMarks,
    message: { type: 'string' },
    seatId: { type: 'integer' },
    holdId: uuidOut,
  },
} as const;

export const cancellingPayment = {
  type: 'object',
  additionalProperties: false,
  required: ['paymentTxId', 'status', 'pollUrl', 'retryAfter'],
  properties: { paymentTxId: uuidOut, status: { type: 'string', enum: ['CANCELLING'] }, pollUrl: { type: 'string' }, retryAfter: { type: 'integer', description: 'Milliseconds to wait before polling.' } },
} as const;

const checkResult = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'latencyMs'],
  properties: {
    status: { type: 'string', enum: ['UP', 'DOWN'] },
    latencyMs: { type: 'integer' },
    detail: { type: 'string' },
    error: { type: 'string', description: 'Why the check failed (DOWN only).' },
  },
} as const;

export const healthCheckResponse = checkResult;

export const healthResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'status', 'checks'],
  properties: {
    instanceId: { type: 'string' },
    status: { type: 'string', enum: ['UP', 'DOWN'], description: 'UP when every check is UP.' },
    checks: { type: 'object', additionalProperties: false, required: ['db', 'redis', 'kafka'], properties: { db: checkResult, redis: checkResult, kafka: checkResult } },
  },
} as const;

export const adminStateResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'breaker', 'retry', 'consumer'],
  properties: {
    instanceId: { type: 'string' },
    breaker: {
      type: 'object',
      additionalProperties: false,
      required: ['state', 'failureRate', 'calls', 'failures', 'openedAt', 'retryAfterMs', 'forced'],
      properties: {
        state: { type: 'string', enum: ['CLOSED', 'OPEN', 'HALF_OPEN'] },
        failureRate: { type: 'number', description: 'Failures / calls over the sliding window (0..1).' },
        calls: { type: 'integer' },
        failures: { type: 'integer' },
        openedAt: { type: ['number', 'null'], description: 'Clock ms when it last opened; null while CLOSED.' },
        retryAfterMs: { type: ['number', 'null'] },
        forced: { type: 'boolean', description: 'Opened by an operator: stays open until reset.' },
      },
    },
    retry: { type: 'object', additionalProperties: false, required: ['emergency', 'maxRetries'], properties: { emergency: { type: 'boolean' }, maxRetries: { type: 'integer' } } },
    consumer: { type: 'object', additionalProperties: false, required: ['profile'], properties: { profile: { type: 'string', enum: ['normal', 'emergency'] } } },
  },
} as const;
