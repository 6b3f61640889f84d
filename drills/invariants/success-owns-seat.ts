import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// A user who was told "paid" has the seat: every SUCCESS payment on the run's seats owns
// its seat in MariaDB (the system of record): its hold is PAID, and its seat is SOLD to
// that very hold (seats.hold_id). Breaks when a hold expired or was released while its
// payment was in flight and the seat went to someone else, or was left HELD/AVAILABLE.

export const successOwnsSeat: Invariant = {
  name: 'success-owns-seat',
  phase: 'after-recovery',
  promise: 'every SUCCESS payment owns its seat: hold PAID, seat SOLD with seats.hold_id = its hold (MariaDB)',
  async check({ db }, { seatIds }) {
    if (seatIds.length === 0) return pass('the run seeded no seats');
    const [rows] = await db.query<RowDataPacket[]>(
      `SELECT p.payment_tx_id, p.seat_id, p.hold_id, h.status AS hold_status, s.status AS seat_status, s.hold_id AS seat_hold_id
       FROM payment_transactions p LEFT JOIN holds h ON h.id = p.hold_id LEFT JOIN seats s ON s.id = p.seat_id
       WHERE p.seat_id IN (?) AND p.status = 'SUCCESS'`,
      [seatIds],
    );
    const bad = rows
      .filter((r) => r.hold_status !== 'PAID' || r.seat_status !== 'SOLD' || r.seat_hold_id !== r.hold_id)
      .map((r) => ({
        problem: r.hold_status !== 'PAID' ? `hold is ${r.hold_status ?? 'missing'}, not PAID` : r.seat_status !== 'SOLD' ? `seat is ${r.seat_status}, not SOLD` : 'seat sold to another hold',
        ...r,
      }));
    if (bad.length) return fail(`${bad.length} SUCCESS payment(s) without their seat`, bad);
    return pass(`${rows.length} SUCCESS payment(s), each owns its seat`);
  },
};
