import { delay, errorMessage } from '../../lib/index.ts';
import type { Db } from '../db/connection.ts';
import { advanceCursor, exclusively, markRefunded, paymentsOf, readCursor, stalledRefunds } from '../store/index.ts';
import type { CircuitBreaker } from '../payments/breaker.ts';
import { isGatewayFailure, unrefunded, type ChargeGateway, type GatewayCharge } from '../payments/charge-gateway.ts';
import type { Refunder } from '../payments/refunds.ts';
import { decideCharge, type RefundWhy } from './decide.ts';

// Reconciliation (issue #10): every gateway charge of a payment that is not SUCCESS gets
// refunded, including the charges a gateway recorded after the service stopped waiting for
// its answer and those of payments the service failed some other way. It reads the gateway
// the way one reads a real processor, through its API (charges by creation time, a page at a
// time with a cursor), never its database, and refunds through the one refund path.
//
// Each pass (every RECONCILE_INTERVAL_MS, in one instance at a time):
//   1. REQUESTED refunds nobody finished (a call that timed out, a crash) are driven again,
//      with their recorded key;
//   2. charges created since the cursor (minus an overlap, for charges committed out of
//      order) are listed; the payments behind them are read after; each charge is decided
//      (decide.ts) and refunded when it must be;
//   3. the cursor moves to the oldest charge still waiting (a PENDING payment, bounded by the
//      payment deadline), or past the last charge listed.
// The bound: a charge whose payment is not SUCCESS is refunded at the first pass after both
// exist, i.e. within the interval plus one pass while the gateway answers (10 s + a pass by
// default; documented as 60 s).

export interface ReconcilerOptions {
  db: Db;
  gateway: ChargeGateway;
  breaker: CircuitBreaker;
  refunder: Refunder;
  intervalMs: number;
  /** Where a fresh database starts reading the gateway: this long before the first pass. */
  lookbackMs?: number;
  onRefunded?: (why: RefundWhy | 'stalled-refund') => void;
  onPass?: (result: 'ok' | 'error' | 'busy', cursorLagSeconds?: number) => void;
  onError?: (err: unknown) => void;
}

export interface Reconciler {
  start(): void;
  stop(): Promise<void>;
  /** One pass now (tests and the admin API); undefined when another instance holds the pass. */
  runOnce(): Promise<PassReport | undefined>;
}

export interface PassReport {
  listed: number;
  refunded: number;
  waiting: number;
  failed: number;
  stalledRetried: number;
  cursor: string;
}

const CURSOR = 'gateway-charges';
const LOCK = 'ticketing-reconciler';
/** Charges are listed again from this long before the cursor: a charge's created_at is set before its row commits. */
const OVERLAP_MS = 5000;
const PAGE = 500;
const MAX_PAGES_PER_PASS = 40;
/** A REQUESTED refund untouched this long has lost its caller. */
const STALLED_AFTER_MS = 15_000;

export function createReconciler(o: ReconcilerOptions): Reconciler {
  const lookbackMs = o.lookbackMs ?? 15 * 60_000;
  let running = false;
  let loop: Promise<void> | undefined;
  const stopper = new AbortController();

  async function retryStalled(report: PassReport): Promise<void> {
    const stalled = await stalledRefunds(o.db, STALLED_AFTER_MS, 100);
    for (const [paymentTxId, records] of Map.groupBy(stalled, (r) => r.paymentTxId)) {
      // The gateway may hold the refund already (the call timed out after it was recorded):
      // its charge list (never delayed like a refund call) says so, and the record is closed.
      const charges = new Map((await o.breaker.execute(() => o.gateway.chargesFor(paymentTxId), isGatewayFailure)).map((c) => [c.id, c]));
      for (const r of records) {
        report.stalledRetried++;
        const c = charges.get(r.chargeId);
        if (c && unrefunded(c) === 0) {
          if (await markRefunded(o.db, r.chargeId, null, { paymentTxId, reason: r.reason })) o.onRefunded?.('stalled-refund');
          continue;
        }
        const result = await o.refunder.refund({ id: r.chargeId, paymentTxId, amount: r.amount, refundedAmount: 0, status: 'CHARGED' }, r.reason, 'reconciler', true);
        if (result.outcome === 'refunded' && !result.earlier) o.onRefunded?.('stalled-refund');
        if (result.outcome === 'failed') report.failed++;
      }
    }
  }

  async function reconcilePage(charges: GatewayCharge[], report: PassReport): Promise<GatewayCharge | undefined> {
    const payments = await paymentsOf(o.db, [...new Set(charges.map((c) => c.paymentTxId.toLowerCase()))]);
    let firstWaiting: GatewayCharge | undefined;
    for (const c of charges) {
      const verdict = decideCharge(c, payments.get(c.paymentTxId.toLowerCase()));
      if (verdict.action === 'wait') {
        report.waiting++;
        firstWaiting ??= c;
      } else if (verdict.action === 'refund') {
        const result = await o.refunder.refund(c, 'reconciliation', `reconciler (${verdict.detail})`.slice(0, 100), true);
        if (result.outcome === 'failed') {
          report.failed++;
          firstWaiting ??= c;
        } else if (!result.earlier) {
          report.refunded++;
          o.onRefunded?.(verdict.why);
        }
      }
    }
    return firstWaiting;
  }

  async function pass(): Promise<PassReport> {
    const cursor = await readCursor(o.db, CURSOR, new Date(Date.now() - lookbackMs));
    const report: PassReport = { listed: 0, refunded: 0, waiting: 0, failed: 0, stalledRetried: 0, cursor: cursor.toISOString() };
    await retryStalled(report);
    const createdFrom = new Date(cursor.getTime() - OVERLAP_MS);
    let next: string | undefined;
    let oldestWaiting: GatewayCharge | undefined;
    let last: GatewayCharge | undefined;
    for (let page = 0; page < MAX_PAGES_PER_PASS; page++) {
      const listed = await o.breaker.execute(() => o.gateway.listCharges({ createdFrom, ...(next ? { cursor: next } : {}), limit: PAGE }), isGatewayFailure);
      report.listed += listed.data.length;
      const waiting = await reconcilePage(listed.data, report);
      oldestWaiting ??= waiting;
      last = listed.data.at(-1) ?? last;
      if (!listed.hasMore || !listed.nextCursor) break;
      next = listed.nextCursor;
    }
    // Everything before the oldest charge still waiting is decided for good.
    const to = oldestWaiting ? new Date(oldestWaiting.createdAt) : last ? new Date(last.createdAt) : undefined;
    if (to && to > cursor) await advanceCursor(o.db, CURSOR, to);
    report.cursor = (to && to > cursor ? to : cursor).toISOString();
    return report;
  }

  async function runOnce(): Promise<PassReport | undefined> {
    try {
      const report = await exclusively(o.db, LOCK, pass);
      o.onPass?.(report ? 'ok' : 'busy', report ? (Date.now() - Date.parse(report.cursor)) / 1000 : undefined);
      return report;
    } catch (err) {
      o.onPass?.('error');
      throw err;
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          await delay(o.intervalMs, stopper.signal).catch(() => {});
          if (!running) break;
          try {
            await runOnce();
          } catch (err) {
            o.onError?.(new Error(`reconciliation pass failed: ${errorMessage(err)}`));
          }
        }
      })();
    },
    async stop() {
      running = false;
      stopper.abort();
      await loop;
    },
  };
}
