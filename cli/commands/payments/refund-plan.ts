import { refundKeyOf } from '../../../service/index.ts';
import type { Plan } from '../../shared/mutation.ts';
import type { DuplicateReport } from './duplicate-report.ts';

// Report 4.3.1, the plan for `payments refund-duplicates`: every later duplicate is refunded
// through the gateway (each of its unrefunded charges) and then marked REFUNDED; orphan
// charges are refunded only when the operator asks (--include-orphans), since no payment
// row says whose money it is. Idempotency keys are derived from the payment (or, for an
// orphan, the charge), so a rerun after a crash replays the same refund and never moves
// money twice: the refund goes through the service's refund path (one record and one key per
// charge in the service database, whoever refunds it: saga, reconciler or this command).

/** The service's one key per charge (service/store/refunds.ts): whoever refunds a charge, it is refunded under this key once. */
const refundKey = refundKeyOf;

/** One charge of a duplicate payment, as the gateway lists it. */
export interface PaymentCharge {
  chargeId: number;
  amount: number;
  refunded: boolean;
}

export interface DuplicateRefund {
  paymentTxId: string;
  userId: string;
  seatId: number;
  amount: number;
  keptPaymentTxId: string;
  /** Charges to refund (CHARGED, not yet refunded), each with its idempotency key. */
  refunds: Array<{ chargeId: number; amount: number; idempotencyKey: string }>;
  /** Charges the gateway already shows refunded (a rerun after a crash between refund and mark). */
  alreadyRefunded: number[];
}

export interface OrphanRefund {
  chargeId: number;
  paymentTxId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  action: 'refund' | 'list-only';
}

export interface RefundPlanData {
  window: { since: string; until: string };
  duplicates: DuplicateRefund[];
  orphans: OrphanRefund[];
  totalRefund: number;
}

export function refundPlan(report: DuplicateReport, chargesOf: Map<string, PaymentCharge[]>, window: { since: string; until: string }, includeOrphans: boolean, argsForRerun: string): Plan<RefundPlanData> {
  const duplicates: DuplicateRefund[] = report.groups.flatMap((g) =>
    g.duplicates.map((d) => {
      const charges = chargesOf.get(d.paymentTxId) ?? [];
      return {
        paymentTxId: d.paymentTxId,
        userId: d.userId,
        seatId: d.seatId,
        amount: d.amount,
        keptPaymentTxId: g.kept.paymentTxId,
        refunds: charges.filter((c) => !c.refunded).map((c) => ({ chargeId: c.chargeId, amount: c.amount, idempotencyKey: refundKey(c.chargeId) })),
        alreadyRefunded: charges.filter((c) => c.refunded).map((c) => c.chargeId),
      };
    }),
  );
  const orphans: OrphanRefund[] = report.orphanCharges.map((o) => ({
    chargeId: o.chargeId,
    paymentTxId: o.paymentTxId,
    amount: o.amount,
    currency: o.currency,
    idempotencyKey: refundKey(o.chargeId),
    action: includeOrphans ? 'refund' : 'list-only',
  }));
  const steps: string[] = [];
  for (const d of duplicates) {
    const money = d.refunds.length ? `refund ${d.refunds.map((r) => `charge ${r.chargeId} (${r.amount})`).join(', ')} through the gateway` : 'no charge left to refund at the gateway';
    steps.push(
      `payment ${d.paymentTxId} (user ${d.userId}, seat ${d.seatId}, amount ${d.amount}; duplicate of ${d.keptPaymentTxId}): ${money}, then mark it REFUNDED and record PaymentRefunded in the event store`,
    );
  }
  for (const o of orphans.filter((x) => x.action === 'refund')) steps.push(`orphan charge ${o.chargeId} of payment ${o.paymentTxId}: refund ${o.amount} ${o.currency} through the gateway`);
  const notes: string[] = [];
  const listed = orphans.filter((o) => o.action === 'list-only');
  if (listed.length)
    notes.push(
      `${listed.length} orphan charge(s) listed, not refunded (${listed.map((o) => `charge ${o.chargeId}: ${o.amount} ${o.currency}`).join(', ')}); refund them explicitly with \`ticketctl payments refund-duplicates ${argsForRerun}--include-orphans --dry-run\``,
    );
  if (duplicates.length) notes.push('the kept (first) payment keeps the seat; seats and holds are not touched');
  if (report.inFlightCharges) notes.push(`${report.inFlightCharges} charge(s) of PENDING payments are not orphans yet; check again when the saga has settled them`);
  const totalRefund = duplicates.reduce((s, d) => s + d.refunds.reduce((t, r) => t + r.amount, 0), 0) + orphans.filter((o) => o.action === 'refund').reduce((s, o) => s + o.amount, 0);
  return {
    title: `refund ${duplicates.length} duplicate payment(s)${includeOrphans ? ` and ${orphans.length} orphan charge(s)` : ''}, ${totalRefund} in total`,
    steps,
    data: { window, duplicates, orphans, totalRefund },
    notes,
    // A refund moves money back to the customer: there is no undo, only a new charge.
    rollback: undefined,
  };
}
