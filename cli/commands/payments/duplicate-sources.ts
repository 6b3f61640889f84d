import type { Pool, RowDataPacket } from 'mysql2/promise';
import { OpsError } from '../../../lib/index.ts';
import type { GatewayClient } from '../../../service/index.ts';
import { buildReport, findOrphans, groupDuplicates, type ChargeOwner, type DuplicateReport, type SuccessPayment } from './duplicate-report.ts';
import type { TimeWindow } from '../../shared/time-window.ts';

// Report 4.3.1, the reading part: duplicate SUCCESS payments from the service database,
// charges and refunds from the gateway's ledger API (a real processor's ledger is not a
// database we could join against).

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
});

/**
 * Every SUCCESS payment of each (user, seat) pair that has more than one SUCCESS and at
 * least one of them created in the window: a duplicate whose first payment lies before the
 * window is still found, and the first is still the one kept.
 */
export async function duplicatePayments(pool: Pool, w: TimeWindow): Promise<SuccessPayment[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT p.payment_tx_id, p.user_id, p.seat_id, p.amount, p.created_at, p.updated_at, p.gateway_charge_id
       FROM payment_transactions p
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
  const refunded = new Set(page.refunds.map((r) => r.chargeId));
  const owners = await chargeOwners(pool, [...new Set(charges.map((c) => c.paymentTxId))]);
  const { orphans, inFlight } = findOrphans(charges, refunded, owners);
  return buildReport(groups, orphans, inFlight);
}
