import { randomUUID } from 'node:crypto';

// Every Kafka message of the saga is one JSON envelope. Consumers validate it before
// acting; anything that does not parse goes to the DLQ with the reason.

export const EVENT_TYPES = {
  paymentRequested: 'PaymentRequested',
  paymentRetryScheduled: 'PaymentRetryScheduled',
  paymentSucceeded: 'PaymentSucceeded',
  paymentFailed: 'PaymentFailed',
  paymentCancelRequested: 'PaymentCancelRequested',
  paymentCancelled: 'PaymentCancelled',
  paymentRefunded: 'PaymentRefunded',
  paymentReprocessRequested: 'PaymentReprocessRequested',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export interface Envelope {
  eventId: string;
  type: EventType;
  paymentTxId: string;
  /** Gateway attempt this event asks for (payment.try / payment.retry), else the last one made. */
  attempt: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

export function newEnvelope(type: EventType, paymentTxId: string, attempt: number, data: Record<string, unknown> = {}): Envelope {
  return { eventId: randomUUID(), type, paymentTxId, attempt, occurredAt: new Date().toISOString(), data };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPES = new Set<string>(Object.values(EVENT_TYPES));

export class InvalidEnvelopeError extends Error {
  override name = 'InvalidEnvelopeError';
}

/** Parses and checks a message value; throws InvalidEnvelopeError naming what is wrong. */
export function parseEnvelope(value: Buffer | null): Envelope {
  if (!value || value.length === 0) throw new InvalidEnvelopeError('empty message value');
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new InvalidEnvelopeError(`value is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidEnvelopeError('value is not a JSON object');
  const e = raw as Record<string, unknown>;
  if (typeof e.eventId !== 'string' || !UUID.test(e.eventId)) throw new InvalidEnvelopeError('eventId must be a UUID');
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) throw new InvalidEnvelopeError(`type must be one of ${[...TYPES].join(', ')}`);
  if (typeof e.paymentTxId !== 'string' || !UUID.test(e.paymentTxId)) throw new InvalidEnvelopeError('paymentTxId must be a UUID');
  if (!Number.isInteger(e.attempt) || (e.attempt as number) < 0 || (e.attempt as number) > 100) throw new InvalidEnvelopeError('attempt must be an integer 0..100');
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) throw new InvalidEnvelopeError('occurredAt must be an ISO time');
  const data = e.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidEnvelopeError('data must be an object');
  return { eventId: e.eventId, type: e.type as EventType, paymentTxId: e.paymentTxId, attempt: e.attempt as number, occurredAt: e.occurredAt, data: data as Record<string, unknown> };
}
