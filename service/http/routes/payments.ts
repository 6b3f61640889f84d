import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Payment, PaymentRequest, Payments } from '../../payments/transactions.ts';
import { cancelBody, paymentBody, paymentParams } from '../schemas.ts';

// Report 2.0.1 #3: a pending payment answers {status, retryAfter, message}; repeating a
// paymentTxId that already succeeded answers ALREADY_COMPLETED with where to go next.

export const POLL_AFTER_MS = 3000;

function pendingBody(p: Payment) {
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
  return reply.code(code).header('retry-after', String(POLL_AFTER_MS / 1000)).header('location', `/payments/${p.paymentTxId}`).send(pendingBody(p));
}

export function paymentRoutes(app: FastifyInstance, deps: { payments: Payments; onAccepted?: () => void }): void {
  app.post<{ Body: PaymentRequest }>('/payments', { schema: { body: paymentBody } }, async (req, reply) => {
    const { payment, replayed } = await deps.payments.requestPayment(req.body);
    if (!replayed) deps.onAccepted?.();
    if (payment.status === 'PENDING') return answerPending(reply, payment, 202);
    if (payment.status === 'SUCCESS') {
      return reply.code(200).send({ paymentTxId: payment.paymentTxId, status: 'ALREADY_COMPLETED', redirectUrl: `/success?paymentTxId=${payment.paymentTxId}`, payment: finalBody(payment) });
    }
    return reply.code(200).send({ ...finalBody(payment), message: `This payment already ended as ${payment.status}; start a new one with a new paymentTxId.` });
  });

  app.get<{ Params: { paymentTxId: string } }>('/payments/:paymentTxId', { schema: { params: paymentParams } }, async (req, reply) => {
    const p = await deps.payments.getPayment(req.params.paymentTxId);
    return p.status === 'PENDING' ? answerPending(reply, p, 200) : reply.send(finalBody(p));
  });

  app.post<{ Params: { paymentTxId: string }; Body: { userId: string } }>('/payments/:paymentTxId/cancel', { schema: { params: paymentParams, body: cancelBody } }, async (req, reply) => {
    const p = await deps.payments.requestCancel(req.params.paymentTxId, req.body.userId);
    deps.onAccepted?.();
    return reply.code(202).send({ paymentTxId: p.paymentTxId, status: 'CANCELLING', pollUrl: `/payments/${p.paymentTxId}`, retryAfter: POLL_AFTER_MS });
  });
}
