import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.0.1 scenario A ("the seat is locked forever"): a seat may be blocked only by a
// hold its user knows about. A live hold (ACTIVE or PAID) in MariaDB whose user was not
// answered 201 for that seat is a phantom: nobody will pay for it, and the seat stays
// unsellable until the hold expires. It happens when a request commits its hold and then
// fails on the way out (e.g. the Redis lock cannot be released because Redis just died)
// and answers an error instead. Read from MariaDB, compared with the load's answers.

export const noPhantomHolds: Invariant = {
  name: 'no-phantom-holds',
  phase: 'after-recovery',
  promise: 'every live hold of the run belongs to a user whose hold request was answered 201 (MariaDB holds vs the answers)',
  async check({ db }, { seatIds, load }) {
    const [rows] = await db.query<RowDataPacket[]>("SELECT id AS hold_id, seat_id, user_id, status, lock_mode, created_at FROM holds WHERE seat_id IN (?) AND status IN ('ACTIVE', 'PAID') ORDER BY seat_id", [
      seatIds,
    ]);
    const answered = new Map(load.map((op) => [`${op.seatId}/${op.userId}`, op.hold]));
    const phantoms = rows
      .map((r) => ({ r, a: answered.get(`${Number(r.seat_id)}/${String(r.user_id)}`) }))
      .filter(({ a }) => a?.status !== 201)
      .map(({ r, a }) => ({ ...r, answered: a ? `${a.status || 'no answer'}${a.code ? ` ${a.code}` : ''}` : 'not a request of this run' }));
    if (phantoms.length) return fail(`${phantoms.length} live hold(s) whose user was not told (answered anything but 201): the seat is blocked until the hold expires`, phantoms);
    return pass(`${rows.length} live hold(s), each answered 201 to its user`);
  },
};
