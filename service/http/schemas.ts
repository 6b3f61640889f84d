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

export const paymentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['paymentTxId', 'holdId', 'userId', 'amount'],
  properties: { paymentTxId: uuid, holdId: uuid, userId, amount: { type: 'integer', minimum: 1, maximum: 100_000_000 } },
} as const;

export const cancelBody = { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId } } as const;

export const holdParams = { type: 'object', required: ['holdId'], properties: { holdId: uuid } } as const;
export const paymentParams = { type: 'object', required: ['paymentTxId'], properties: { paymentTxId: uuid } } as const;
export const seatsQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['concertId'],
  properties: { concertId: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' }, status: { type: 'string', enum: ['AVAILABLE', 'HELD', 'SOLD'] } },
} as const;
