import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Payment, PaymentRequest, Payments } from '../../payments/transactions.ts';
import { DependencyUnavailableError } from '../../errors.ts';
import { answerFromEventLog, type PollFallbackDeps } from './poll-fallback.ts';
import {
  alreadyCompletedPayment,
  bodyErrors,
  cancelBody,
  cancellingPayment,
  endedPayment,
  errorResponse,
  fallbackPayment,
  fallbackPendingPayment,
  finalPayment,
  paymentBody,
  paymentParams,
  pendingPayment,
  pollHeaders,
  unavailableResponse,
} from '../schemas.ts';

// Report 2.0.1 #3: a pending payment answers {status, retryAfter, message}; repeating a
// paymentTxId that already succeeded answers ALREADY_COMPLETED with where to go next.

export const POLL_AFTER_MS = 3000;

function pendingBody(p: { paymentTxId: string }) {
  return {
    paymentTxId: p.paymentTxId,
    status: 'PENDING' as const,
    retryAfter: POLL_AFTER_MS,
    message: 'Payment accepted and being processed. Poll pollUrl after retryAfter ms; do not pay again.',
    pollUrl: `/payments/${p.paymentTxId}`,
  };
}

function finalBody(p: Payment) {
  return { paymentTxId: p.paymentTxId, status: p.status, seatId: p.seatId, holdId: p.holdId, amount: p.amount, attempts: p.attempts, failureReason: p.failureReason, updatedAt: p.updatedAt };
}

function answerPending(reply: FastifyReply, p: Payment, code: number) {
  return reply
    .code(code)
    .header('retry-after', String(POLL_AFTER_MS / 1000))
    .header('location', `/payments/${p.paymentTxId}`)
    .send(pendingBody(p));
}

const requestPaymentSchema = {
  tags: ['payments'],
  operationId: 'requestPayment',
  summary: 'Pay for a held seat',
  description:
    'Accepted at once (202) and processed by the saga: poll pollUrl. paymentTxId is the idempotency key chosen by the client: repeating the same request answers the same 202 while pending, ALREADY_COMPLETED after success, the final state after failure; never a second charge. holdSecret (from POST /holds) is required, also on a repeat; it is not part of what makes two requests the same.',
  body: paymentBody,
  response: {
    202: { ...pendingPayment, description: 'Accepted (or the same request repeated while pending): poll pollUrl after retryAfter ms.', headers: pollHeaders },
    200: {
      description: 'A repeat of a request whose payment already ended: ALREADY_COMPLETED with where to go next after success, else the final state and a message.',
      anyOf: [alreadyCompletedPayment, endedPayment],
    },
    400: errorResponse('INVALID_FIELD or INVALID_JSON: a malformed body; AMOUNT_MISMATCH: amount is not the seat price.'),
    403: errorResponse(
      'HOLD_SECRET_INVALID (field holdSecret): holdSecret is missing or is not the one POST /holds answered for this hold (also on a repeat of a paymentTxId); a hold made before hold secrets existed cannot be paid: hold the seat again. Nothing changed.',
    ),
    404: errorResponse('HOLD_NOT_FOUND.'),
    409: errorResponse(
      'IDEMPOTENCY_CONFLICT: the paymentTxId was used with a different body; HOLD_NOT_YOURS; HOLD_NOT_ACTIVE: the hold expired or was released; HOLD_ALREADY_PAID: the hold has another payment in progress or completed.',
    ),
    ...bodyErrors,
    503: unavailableResponse,
  },
} as const;

const getPaymentSchema = {
  tags: ['payments'],
  operationId: 'getPayment',
  summary: 'Poll a payment',
  description:
    'While PENDING: how long to wait (with Location and Retry-After headers); after: the final state. While the database cannot be read: the last status the event log showed, marked fallback: true (see docs/service.md, "Poll fallback").',
  params: paymentParams,
  response: {
    // The fallbacks first: the serializer writes a body with the first schema it matches, and only they require `fallback`.
    200: {
      description: 'The pending answer, or the final state; or, while the database is unavailable, either from the event log.',
      headers: pollHeaders,
      anyOf: [fallbackPendingPayment, fallbackPayment, pendingPayment, finalPayment],
    },
    400: errorResponse('INVALID_FIELD: paymentTxId is not a UUID.'),
    404: errorResponse('PAYMENT_NOT_FOUND.'),
    503: { ...unavailableResponse, description: 'The database is unavailable and the event log does not know this payment (DB_UNAVAILABLE); try again after Retry-After seconds.' },
  },
} as const;

const cancelPaymentSchema = {
  tags: ['payments'],
  operationId: 'cancelPayment',
  summary: 'Cancel a successful payment',
  description: "Accepted at once: the saga refunds the charge, marks the payment CANCELLED and frees the seat. Poll pollUrl. Needs the holdSecret POST /holds answered for the payment's hold.",
  params: paymentParams,
  body: cancelBody,
  response: {
    202: { ...cancellingPayment, description: 'Cancellation accepted.' },
    400: errorResponse('INVALID_FIELD or INVALID_JSON.'),
    403: errorResponse("HOLD_SECRET_INVALID (field holdSecret): holdSecret is missing or is not the one POST /holds answered for the payment's hold. Nothing changed."),
    404: errorResponse('PAYMENT_NOT_FOUND.'),
    409: errorResponse('PAYMENT_NOT_YOURS; NOT_CANCELLABLE: only a SUCCESS payment can be cancelled.'),
    ...bodyErrors,
    503: unavailableResponse,
  },
} as const;

export function paymentRoutes(app: FastifyInstance, deps: { payments: Payments; onAccepted?: () => void } & PollFallbackDeps): void {
  app.post<{ Body: PaymentRequest }>('/payments', { schema: requestPaymentSchema }, async (req, reply) => {
    const { payment, replayed } = await deps.payments.requestPayment(req.body);
    if (!replayed) deps.onAccepted?.();
    if (payment.status === 'PENDING') return answerPending(reply, payment, 202);
    if (payment.status === 'SUCCESS') {
      return reply.code(200).send({ paymentTxId: payment.paymentTxId, status: 'ALREADY_COMPLETED', redirectUrl: `/success?paymentTxId=${payment.paymentTxId}`, payment: finalBody(payment) });
    }
    return reply.code(200).send({ ...finalBody(payment), message: `This payment already ended as ${payment.status}; start a new one with a new paymentTxId.` });
  });

  app.get<{ Params: { paymentTxId: string } }>('/payments/:paymentTxId', { schema: getPaymentSchema }, async (req, reply) => {
    let p: Payment;
    try {
      p = await deps.payments.getPayment(req.params.paymentTxId);
    } catch (err) {
      if (err instanceof DependencyUnavailableError && err.code === 'DB_UNAVAILABLE') return answerFromEventLog(reply, req.params.paymentTxId, err, deps, pendingBody, POLL_AFTER_MS / 1000);
      throw err;
    }
    return p.status === 'PENDING' ? answerPending(reply, p, 200) : reply.send(finalBody(p));
  });

  app.post<{ Params: { paymentTxId: string }; Body: { userId: string; holdSecret?: string } }>('/payments/:paymentTxId/cancel', { schema: cancelPaymentSchema }, async (req, reply) => {
    const p = await deps.payments.requestCancel(req.params.paymentTxId, req.body.userId, req.body.holdSecret);
    deps.onAccepted?.();
    return reply.code(202).send({ paymentTxId: p.paymentTxId, status: 'CANCELLING', pollUrl: `/payments/${p.paymentTxId}`, retryAfter: POLL_AFTER_MS });
  });
}
