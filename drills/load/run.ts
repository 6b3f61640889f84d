import { randomUUID } from 'node:crypto';
import { delay } from '../../lib/index.ts';
import { errorCodeOf, http, type HttpOutcome } from '../http.ts';
import type { PlannedOp } from './plan.ts';
import { pollPayment, type PollAnswer } from './poll.ts';

// Runs a planned load against the service's HTTP API, as real clients would: hold a seat,
// then pay for it with a fresh paymentTxId. Every answer is recorded (status, time,
// Retry-After, error code) for the invariants; nothing here judges them.

export interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  code: string | null;
  error?: string;
}

export interface OpResult {
  i: number;
  seatId: number;
  userId: string;
  instance: number;
  startedAt: number;
  hold: Answer;
  payment?: Answer & { paymentTxId: string };
  /** The polls of an accepted payment (load.pollMs > 0; poll.ts). */
  polls?: PollAnswer[];
}

export interface LoadTarget {
  serviceUrls: string[];
  seatIds: number[];
  price: number;
  /** Keep polling each accepted payment for forMs (the polling phase, poll.ts). */
  poll?: { forMs: number; intervalMs: number };
}

const answer = (r: HttpOutcome): Answer => ({ status: r.status, ms: Math.round(r.ms), retryAfter: r.retryAfter, code: errorCodeOf(r.body), ...(r.error ? { error: r.error } : {}) });

export async function runLoad(plan: PlannedOp[], target: LoadTarget, concurrency: number, signal?: AbortSignal): Promise<OpResult[]> {
  const start = Date.now();
  const results: OpResult[] = [];
  let next = 0;
  async function worker() {
    for (;;) {
      const op = plan[next++];
      if (!op) return;
      const wait = start + op.atMs - Date.now();
      if (wait > 0) await delay(wait, signal); // pacing to the plan's schedule, not waiting for a condition
      signal?.throwIfAborted();
      const url = target.serviceUrls[op.instance % target.serviceUrls.length]!;
      const seatId = target.seatIds[op.seat]!;
      const startedAt = Date.now();
      const h = await http('POST', `${url}/holds`, { seatId, userId: op.userId });
      const r: OpResult = { i: op.i, seatId, userId: op.userId, instance: op.instance, startedAt, hold: answer(h) };
      if (h.status === 201 && op.pay) {
        const paymentTxId = randomUUID();
        const p = await http('POST', `${url}/payments`, { paymentTxId, holdId: h.body.holdId, holdSecret: h.body.holdSecret, userId: op.userId, amount: target.price });
        r.payment = { paymentTxId, ...answer(p) };
        if (p.status === 202 && target.poll?.forMs) r.polls = await pollPayment(url, paymentTxId, target.poll.forMs, target.poll.intervalMs, signal);
      }
      results.push(r);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results.sort((a, b) => a.i - b.i);
}

/** Payments the service accepted (202): the ones every invariant follows to the end. */
export function acceptedPayments(results: OpResult[]): string[] {
  return results.filter((r) => r.payment?.status === 202).map((r) => r.payment!.paymentTxId);
}
