import type { Pool, RowDataPacket } from 'mysql2/promise';
import { OpsError } from '../../../lib/index.ts';
import { refundRecordsFor, type GatewayClient } from '../../../service/index.ts';
import { buildReport, findOrphans, groupDuplicates, type ChargeOwner, type DuplicateReport, type LedgerCharge, type OrphanCharge, type SuccessPayment } from './duplicate-report.ts';
import type { TimeWindow } from '../../shared/time-window.ts';

// Report 4.3.1, the reading part: duplicate SUCCESS payments from the service database,
// charges and refunds from the gateway's ledger API (a real processor's ledger is not a
// database we could join against).
//
// The two systems cannot be read in one snapshot, so a refund running meanwhile (the saga,
// the reconciler, another operator) could make a charge look orphaned: listed unrefunded by
// the gateway, its payment read as FAILED a moment later. A charge is therefore reported as
// an orphan only if it still is on a second look, after the first: the service's refund
// record for it (a refund recorded before any gateway call), then the charge at the gateway
// again, then its payment again.

/** The gateway answers at most this many ledger rows per request. */
const LEDGER_LIMIT = 10_000;

const toSuccess = (r: RowDataPacket): SuccessPayment => ({
  paymentTxId: String(r.payment_tx_id),
  userId: String(r.user_id),
  seatId: Number(r.seat_id),
  amount: Number(r.amount),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  gatewayChargeId: r.gateway_charge_id === null ? null : Number(r.gateway_charge_id),
  ownsSeat: Number(r.owns_seat) === 1,
});

/**
 * Every SUCCESS payment of each (user, seat) pair that has more than one SUCCESS and at
 * least one of them created in the window: a duplicate whose first payment lies before the
 * window is still found, and the first is still the one kept.
 */
export async function duplicatePayments(pool: Pool, w: TimeWindow): Promise<SuccessPayment[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT p.payment_tx_id, p.user_id, p.seat_id, p.amount, p.created_at, p.updated_at, p.gateway_charge_id,
            (h.status = 'PAID' AND s.status = 'SOLD' AND s.hold_id = p.hold_id) AS owns_seat
       FROM payment_transactions p
       LEFT JOIN holds h ON h.id = p.hold_id
       LEFT JOIN seats s ON s.id = p.seat_id
       JOIN (SELECT user_id, seat_id FROM payment_transactions WHERE status = 'SUCCESS'
              GROUP BY user_id, seat_id HAVING COUNT(*) > 1 AND SUM(created_at BETWEEN ? AND ?) > 0) d
         ON d.user_id = p.user_id AND d.seat_id = p.seat_id
      WHERE p.status = 'SUCCESS'
      ORDER BY p.user_id, p.seat_id, p.created_at, p.payment_tx_id`,
    [w.since, w.until],
  );
  return rows.map(toSuccess);
}

export async function chargeOwners(pool: Pool, paymentTxIds: string[]): Promise<Map<string, ChargeOwner>> {
  if (paymentTxIds.length === 0) return new Map();
  const [rows] = await pool.query<RowDataPacket[]>('SELECT payment_tx_id, status, gateway_charge_id FROM payment_transactions WHERE payment_tx_id IN (?)', [paymentTxIds]);
  return new Map(rows.map((r) => [String(r.payment_tx_id).toLowerCase(), { status: String(r.status), gatewayChargeId: r.gateway_charge_id === null ? null : Number(r.gateway_charge_id) }]));
}

export async function readDuplicateReport(pool: Pool, gateway: GatewayClient, w: TimeWindow): Promise<DuplicateReport> {
  const groups = groupDuplicates(await duplicatePayments(pool, w));
  let page;
  try {
    page = await gateway.ledger(w.since, LEDGER_LIMIT);
  } catch (err) {
    throw new OpsError(`The payment gateway's ledger did not answer: ${(err as Error).message}.`, {
      code: 'GATEWAY_UNREACHABLE',
      retriable: true,
      hint: 'Check the gateway with `ticketctl health`; duplicates in the service database alone are not enough to act on.',
      cause: err,
    });
  }
  if (page.truncated) {
    throw new OpsError(`The gateway ledger has more than ${LEDGER_LIMIT} charges or refunds since ${w.since.toISOString()}.`, {
      code: 'WINDOW_TOO_WIDE',
      hint: 'Narrow the window with --since/--until (e.g. --since 1h) and run it per slice.',
    });
  }
  const charges = page.charges.filter((c) => Date.parse(c.createdAt) <= w.until.getTime());
  const refundedAmount = new Map<number, number>();
  for (const r of page.refunds) refundedAmount.set(r.chargeId, (refundedAmount.get(r.chargeId) ?? 0) + r.amount);
  const refunded = new Set(charges.filter((c) => (refundedAmount.get(c.id) ?? 0) >= c.amount).map((c) => c.id));
  const owners = await chargeOwners(pool, [...new Set(charges.map((c) => c.paymentTxId))]);
  const first = findOrphans(charges, refunded, owners);
  const { orphans, refunding } = await secondLook(pool, gateway, first.orphans);
  return buildReport(groups, orphans, first.inFlight + refunding);
}

/** The candidates that are still orphans on a second look; `refunding`: those a refund is under way or done for. */
async function secondLook(pool: Pool, gateway: GatewayClient, candidates: OrphanCharge[]): Promise<{ orphans: OrphanCharge[]; refunding: number }> {
  if (candidates.length === 0) return { orphans: [], refunding: 0 };
  const records = await refundRecordsFor(
    { pool, acquireTimeoutMs: 5000 },
    candidates.map((c) => c.chargeId),
  );
  const fresh: LedgerCharge[] = [];
  const refundedNow = new Set<number>();
  for (const c of candidates) {
    if (records.has(c.chargeId)) continue;
    const now = await gateway.getCharge(c.chargeId);
    if (now.refundedAmount >= now.amount) refundedNow.add(now.id);
    fresh.push({ id: now.id, paymentTxId: now.paymentTxId, amount: now.amount, currency: now.currency, status: now.status, createdAt: now.createdAt });
  }
  const again = findOrphans(fresh, refundedNow, await chargeOwners(pool, [...new Set(fresh.map((c) => c.paymentTxId))]));
  const still = new Set(again.orphans.map((o) => o.chargeId));
  return { orphans: candidates.filter((c) => still.has(c.chargeId)).map((c) => again.orphans.find((o) => o.chargeId === c.chargeId)!), refunding: candidates.length - still.size };
}
