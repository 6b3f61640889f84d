import type { Pool, RowDataPacket } from 'mysql2/promise';

// The gateway's ledger as the money invariants read it: each CHARGED charge of the given
// payments with the sum and the number of its refunds. The refunds are aggregated per
// charge in subqueries, not joined: a charge may have 0, 1 or several refund rows (partial
// refunds), and a plain LEFT JOIN would repeat the charge once per refund and count it
// twice. A charge is "live" (the money is still taken) while its refunds sum to less than
// its amount.

export interface LedgerCharge {
  charge_id: number;
  payment_tx_id: string;
  amount: number;
  created_at: unknown;
  refunded_amount: number;
  refunds: number;
}

export async function chargesWithRefunds(gatewayDb: Pool, paymentTxIds: string[]): Promise<LedgerCharge[]> {
  if (paymentTxIds.length === 0) return [];
  const [rows] = await gatewayDb.query<RowDataPacket[]>(
    `SELECT c.id AS charge_id, c.payment_tx_id, c.amount, c.created_at,
       (SELECT COALESCE(SUM(r.amount), 0) FROM gateway_refunds r WHERE r.charge_id = c.id) AS refunded_amount,
       (SELECT COUNT(*) FROM gateway_refunds r WHERE r.charge_id = c.id) AS refunds
     FROM gateway_charges c WHERE c.payment_tx_id IN (?) AND c.status = 'CHARGED' ORDER BY c.id`,
    [paymentTxIds],
  );
  // SUM is a DECIMAL and BIGINTs may come back as strings, depending on the pool's settings.
  return rows.map((r) => ({
    charge_id: Number(r.charge_id),
    payment_tx_id: String(r.payment_tx_id),
    amount: Number(r.amount),
    created_at: r.created_at,
    refunded_amount: Number(r.refunded_amount),
    refunds: Number(r.refunds),
  }));
}

/** Money still taken: not refunded in full. */
export const isLive = (c: LedgerCharge): boolean => c.refunded_amount < c.amount;
