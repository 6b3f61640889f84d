import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 4.3.1: no payment charged twice at the gateway. Read from the gateway's own
// ledger: more than one CHARGED row for a paymentTxId, or more than one unrefunded charge
// for one seat across the run's payments (a user charged twice for the same seat).

export const noDoubleCharge: Invariant = {
  name: 'no-double-charge',
  phase: 'after-recovery',
  promise: "no payment charged twice (the gateway's ledger: gateway_charges, gateway_refunds)",
  async check({ db, gatewayDb }, { accepted }) {
    if (accepted.length === 0) return pass('no payment was accepted, so nothing could be charged');
    const [charges] = await gatewayDb.query<RowDataPacket[]>(
      "SELECT c.id, c.payment_tx_id, c.amount, c.created_at, r.id AS refund_id FROM gateway_charges c LEFT JOIN gateway_refunds r ON r.charge_id = c.id WHERE c.payment_tx_id IN (?) AND c.status = 'CHARGED' ORDER BY c.id",
      [accepted],
    );
    const [payments] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, seat_id FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const seatOf = new Map(payments.map((p) => [p.payment_tx_id as string, Number(p.seat_id)]));
    const bad: unknown[] = [];
    const byTx = Map.groupBy(charges, (c) => c.payment_tx_id as string);
    for (const [tx, cs] of byTx) if (cs.length > 1) bad.push({ problem: 'paymentTxId charged more than once', payment_tx_id: tx, charges: cs });
    const live = charges.filter((c) => c.refund_id === null);
    for (const [seat, cs] of Map.groupBy(live, (c) => seatOf.get(c.payment_tx_id) ?? -1)) {
      if (cs.length > 1) bad.push({ problem: 'seat charged more than once (unrefunded)', seat_id: seat, charges: cs });
    }
    if (bad.length) return fail(`${bad.length} double charge(s) in the gateway ledger`, bad);
    return pass(`${charges.length} charges for ${accepted.length} accepted payments, none doubled`);
  },
};
