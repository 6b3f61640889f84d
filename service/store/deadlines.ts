import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from '../db/connection.ts';
import { PAYMENT, MOVES, fromStates } from './state-machine.ts';

// Payments past their deadline (payment_transactions.deadline_at) still in the state the
// compensation move starts from. A plain read: the deadline sweeper settles each one through
// refund-and-release, which locks and re-checks the row.

export async function overduePayments(db: Db, limit: number): Promise<string[]> {
  return withConnection(db, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT payment_tx_id FROM payment_transactions WHERE status IN (?) AND deadline_at < NOW(3) ORDER BY deadline_at LIMIT ?', [
      fromStates(PAYMENT[MOVES.compensate.payment]),
      limit,
    ]);
    return rows.map((r) => String(r.payment_tx_id));
  });
}
