import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.0.1: no seat sold or held twice. Read from MariaDB: two live holds on one seat,
// two SUCCESS payments for one seat, or a SOLD seat whose hold is not PAID.

export const noDoubleSale: Invariant = {
  name: 'no-double-sale',
  phase: 'after-recovery',
  promise: 'no seat sold or held twice (MariaDB: holds, payment_transactions, seats)',
  async check({ db }, { seatIds }) {
    const q = async (sql: string) => (await db.query<RowDataPacket[]>(sql, [seatIds]))[0];
    const holds = await q("SELECT seat_id, COUNT(*) AS live_holds, GROUP_CONCAT(id) AS hold_ids FROM holds WHERE seat_id IN (?) AND status IN ('ACTIVE', 'PAID') GROUP BY seat_id HAVING COUNT(*) > 1");
    const paid = await q(
      "SELECT seat_id, COUNT(*) AS successes, GROUP_CONCAT(payment_tx_id) AS payment_tx_ids FROM payment_transactions WHERE seat_id IN (?) AND status = 'SUCCESS' GROUP BY seat_id HAVING COUNT(*) > 1",
    );
    const sold = await q(
      "SELECT s.id AS seat_id, s.status, s.hold_id, h.status AS hold_status FROM seats s LEFT JOIN holds h ON h.id = s.hold_id WHERE s.id IN (?) AND s.status = 'SOLD' AND (h.status IS NULL OR h.status <> 'PAID')",
    );
    const bad = [
      ...holds.map((r) => ({ problem: 'two live holds', ...r })),
      ...paid.map((r) => ({ problem: 'two SUCCESS payments', ...r })),
      ...sold.map((r) => ({ problem: 'SOLD without a PAID hold', ...r })),
    ];
    if (bad.length) return fail(`${bad.length} seat(s) sold or held twice`, bad);
    const [[n]] = await db.query<RowDataPacket[]>("SELECT COUNT(*) AS sold FROM seats WHERE id IN (?) AND status = 'SOLD'", [seatIds]);
    return pass(`${seatIds.length} seats checked, ${n!.sold} sold, each once`);
  },
};
