import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from '../db/connection.ts';
import type { PaymentStatus } from './state-machine.ts';

// The reconciler's reads and its one piece of state: how far it has read the gateway's
// charge list (reconciliation_cursors). Its refunds go through store/refunds.ts.

export interface PaymentOfCharge {
  paymentTxId: string;
  status: PaymentStatus;
  gatewayChargeId: number | null;
}

/** The payments behind a page of charges, by lower-cased paymentTxId (the gateway lower-cases it). Plain reads: read after the charges were listed. */
export async function paymentsOf(db: Db, paymentTxIds: string[]): Promise<Map<string, PaymentOfCharge>> {
  if (paymentTxIds.length === 0) return new Map();
  return withConnection(db, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT payment_tx_id, status, gateway_charge_id FROM payment_transactions WHERE payment_tx_id IN (?)', [paymentTxIds]);
    return new Map(
      rows.map((r) => [String(r.payment_tx_id).toLowerCase(), { paymentTxId: String(r.payment_tx_id), status: r.status, gatewayChargeId: r.gateway_charge_id === null ? null : Number(r.gateway_charge_id) }]),
    );
  });
}

/** Where the list `name` stands; created at `initial` the first time. */
export async function readCursor(db: Db, name: string, initial: Date): Promise<Date> {
  return withConnection(db, async (conn) => {
    await conn.query('INSERT IGNORE INTO reconciliation_cursors (name, created_from) VALUES (?, ?)', [name, initial]);
    const [[row]] = await conn.query<RowDataPacket[]>('SELECT created_from FROM reconciliation_cursors WHERE name = ?', [name]);
    return new Date(row!.created_from);
  });
}

/** Moves the cursor forward only (two reconcilers racing never move it back). */
export async function advanceCursor(db: Db, name: string, to: Date): Promise<void> {
  await withConnection(db, (conn) => conn.query('UPDATE reconciliation_cursors SET created_from = GREATEST(created_from, ?) WHERE name = ?', [to, name]));
}

/**
 * Runs fn only if no other instance is reconciling (a named MariaDB lock, released with
 * the connection if this process dies); undefined when another one is.
 */
export async function exclusively<T>(db: Db, lockName: string, fn: () => Promise<T>): Promise<T | undefined> {
  return withConnection(db, async (conn) => {
    const [[got]] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [lockName]);
    if (Number(got!.ok) !== 1) return undefined;
    try {
      return await fn();
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => {});
    }
  });
}
