import type { RowDataPacket } from 'mysql2/promise';
import { chargesWithRefunds, isLive } from './gateway-ledger.ts';
import { fail, pass, type Invariant } from './types.ts';

// Report 4.3.1: no payment charged twice at the gateway. Read from the gateway's own
// ledger. Only money still taken counts: a charge refunded in full (its refunds sum to its
// amount) took nothing in the end. Broken when a paymentTxId keeps more than one live
// (not fully refunded) charge, or one seat does across the run's payments (a user charged
// twice for the same seat).

export const noDoubleCharge: Invariant = {
  name: 'no-double-charge',
  phase: 'after-recovery',
  promise: "no payment or seat keeps two charges that are not refunded (the gateway's ledger: gateway_charges, gateway_refunds)",
  async check({ db, gatewayDb }, { accepted }) {
    if (accepted.length === 0) return pass('no payment was accepted, so nothing could be charged');
    const charges = await chargesWithRefunds(gatewayDb, accepted);
    const [payments] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, seat_id FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const seatOf = new Map(payments.map((p) => [p.payment_tx_id as string, Number(p.seat_id)]));
    const live = charges.filter(isLive);
    const bad: unknown[] = [];
    for (const [tx, cs] of Map.groupBy(live, (c) => c.payment_tx_id)) {
      if (cs.length > 1) bad.push({ problem: 'paymentTxId keeps more than one unrefunded charge', payment_tx_id: tx, charges: cs });
    }
    for (const [seat, cs] of Map.groupBy(live, (c) => seatOf.get(c.payment_tx_id) ?? -1)) {
      if (cs.length > 1) bad.push({ problem: 'seat charged more than once (unrefunded)', seat_id: seat, charges: cs });
    }
    if (bad.length) return fail(`${bad.length} double charge(s) in the gateway ledger`, bad);
    return pass(`${charges.length} charges (${live.length} not refunded) for ${accepted.length} accepted payments, none doubled`);
  },
};
