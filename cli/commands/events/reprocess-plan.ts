import type { Plan } from '../../shared/mutation.ts';
import type { Revival } from '../../../service/index.ts';

// Report 4.3.2, the pure part of `events reprocess`: which failed payments can be revived
// and which must be skipped, with the reason. A failed payment released its hold and its
// seat; reviving it takes the seat back, so a seat another hold or sale has taken since
// rules the payment out (the database fences, the live_seat and live_hold unique keys,
// would refuse it anyway; the plan says so up front). Each revival is a new round with a
// new gateway key, `<paymentTxId>:reprocess-<round>`: the old key already holds a decline
// or a refunded charge that a replay would only repeat, and one key per round makes every
// retry and redelivery within the round charge at most once.

export const REPROCESSABLE_STATUSES = ['FAILED'] as const;

export interface ReprocessCandidate {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  status: string;
  attempts: number;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** null: the hold row is gone. */
  holdStatus: string | null;
  seatStatus: string | null;
  seatHoldId: string | null;
  /** The hold that is live (ACTIVE or PAID) on the seat now, if any. */
  liveHoldOnSeat: string | null;
  /** Earlier reprocess rounds of this payment (PaymentReprocessRequested events). */
  rounds: number;
}

/** One payment to revive: what the store's revivePayment takes, less who asked (added when applied). */
export type ReprocessItem = Omit<Revival, 'by'>;

export interface SkippedItem {
  paymentTxId: string;
  reason: string;
}

export interface ReprocessPlanData {
  window: { since: string; until: string };
  statuses: string[];
  reprocess: ReprocessItem[];
  skipped: SkippedItem[];
  timeoutSeconds: number;
}

export const reprocessChargeKey = (paymentTxId: string, round: number) => `${paymentTxId}:reprocess-${round}`;

/** undefined: revivable; else why not. */
export function skipReason(c: ReprocessCandidate, allowRepeat: boolean): string | undefined {
  if (c.rounds > 0 && !allowRepeat) return `already reprocessed ${c.rounds} time(s) and ${c.status} again; pass --again to try once more`;
  if (c.holdStatus === null) return `its hold ${c.holdId} no longer exists`;
  if (c.holdStatus === 'CANCELLED' || c.holdStatus === 'PAID') return `its hold ${c.holdId} is ${c.holdStatus}`;
  if (c.liveHoldOnSeat !== null && c.liveHoldOnSeat !== c.holdId) return `seat ${c.seatId} has since been taken by hold ${c.liveHoldOnSeat} (seat ${c.seatStatus ?? 'unknown'})`;
  const ownSeat = c.seatStatus === 'HELD' && c.seatHoldId === c.holdId;
  if (c.seatStatus !== 'AVAILABLE' && !ownSeat) return `seat ${c.seatId} is ${c.seatStatus ?? 'gone'}${c.seatHoldId ? ` under hold ${c.seatHoldId}` : ''}`;
  return undefined;
}

export function reprocessPlan(candidates: ReprocessCandidate[], o: { window: { since: string; until: string }; statuses: string[]; allowRepeat: boolean; timeoutSeconds: number }): Plan<ReprocessPlanData> {
  const reprocess: ReprocessItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const c of candidates) {
    const why = skipReason(c, o.allowRepeat);
    if (why) {
      skipped.push({ paymentTxId: c.paymentTxId, reason: why });
      continue;
    }
    const round = c.rounds + 1;
    reprocess.push({
      paymentTxId: c.paymentTxId,
      userId: c.userId,
      seatId: c.seatId,
      holdId: c.holdId,
      amount: c.amount,
      previousStatus: c.status,
      previousAttempts: c.attempts,
      failureReason: c.failureReason,
      round,
      chargeKey: reprocessChargeKey(c.paymentTxId, round),
    });
  }
  const steps = reprocess.map(
    (r) =>
      `payment ${r.paymentTxId} (user ${r.userId}, seat ${r.seatId}, amount ${r.amount}; ${r.previousStatus}: ${r.failureReason ?? 'no reason recorded'}): take seat ${r.seatId} back for hold ${r.holdId}, reset to PENDING, publish payment.try through the outbox with gateway key ${r.chargeKey}`,
  );
  if (reprocess.length) steps.push(`wait up to ${o.timeoutSeconds} s until every reprocessed payment is SUCCESS or FAILED, and report each`);
  const notes = skipped.map((s) => `skip ${s.paymentTxId}: ${s.reason}`);
  if (reprocess.length) notes.push('the saga charges at most once per key; a payment that fails again is compensated as before (refund, seat released)');
  return {
    title: `reprocess ${reprocess.length} failed payment(s)${skipped.length ? `, skip ${skipped.length}` : ''}`,
    steps,
    data: { window: o.window, statuses: o.statuses, reprocess, skipped, timeoutSeconds: o.timeoutSeconds },
    notes,
    rollback: reprocess.length ? 'none needed: a reprocessed payment ends SUCCESS (a sale) or FAILED again (refunded, seat released), as any payment does' : undefined,
  };
}
