import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, withTransaction, type Db } from '../db/connection.ts';
import { EVENT_TYPES } from '../../contracts/index.ts';
import { appendEvent } from './event-store.ts';
import { lockPayment, write } from './rows.ts';

// The service's own record of refunds (payment_refunds): one row per gateway charge,
// written before the gateway is called. This, not the processor's rules, is what keeps a
// charge from being refunded twice: whoever asks second (another saga instance, the
// reconciler, ticketctl, a retry after a crash) finds the row and refunds with its
// idempotency key, so the processor replays the first refund instead of making another.

export const REFUND_REASONS = ['compensation', 'cancellation', 'duplicate', 'reconciliation'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export interface RefundRecord {
  chargeId: number;
  paymentTxId: string;
  amount: number;
  reason: RefundReason;
  idempotencyKey: string;
  status: 'REQUESTED' | 'REFUNDED';
  gatewayRefundId: number | null;
  attempts: number;
  lastError: string | null;
  requestedBy: string;
  createdAt: string;
}

export interface RefundClaim {
  chargeId: number;
  paymentTxId: string;
  amount: number;
  reason: RefundReason;
  /** Who asks: a saga handler, `reconciler`, `ticketctl …`; for the record. */
  by: string;
}

/** The one idempotency key a charge is ever refunded with (the saga's key before issue #10, so its refunds replay). */
export const refundKeyOf = (chargeId: number) => `refund-${chargeId}`;

function toRecord(r: RowDataPacket): RefundRecord {
  return {
    chargeId: Number(r.charge_id),
    paymentTxId: String(r.payment_tx_id),
    amount: Number(r.amount),
    reason: r.reason,
    idempotencyKey: String(r.idempotency_key),
    status: r.status,
    gatewayRefundId: r.gateway_refund_id === null ? null : Number(r.gateway_refund_id),
    attempts: Number(r.attempts),
    lastError: r.last_error ?? null,
    requestedBy: String(r.requested_by),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * The refund of a charge, recorded if it was not yet: the first claim writes the row
 * (REQUESTED), every later claim gets that row back unchanged, whatever its reason.
 */
export async function claimRefund(db: Db, c: RefundClaim): Promise<RefundRecord> {
  return withConnection(db, async (conn) => {
    await conn.query('INSERT IGNORE INTO payment_refunds (charge_id, payment_tx_id, amount, reason, idempotency_key, status, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      c.chargeId,
      c.paymentTxId,
      c.amount,
      c.reason,
      refundKeyOf(c.chargeId),
      'REQUESTED',
      c.by.slice(0, 100),
    ]);
    const [[row]] = await conn.query<RowDataPacket[]>('SELECT * FROM payment_refunds WHERE charge_id = ?', [c.chargeId]);
    return toRecord(row!);
  });
}

/**
 * REQUESTED -> REFUNDED once the gateway answered. With `event`, in the same transaction,
 * a PaymentRefunded record for the payment (refunds the reconciler makes after the payment
 * was settled; a settlement records its own). Returns whether this call made the change.
 */
export async function markRefunded(db: Db, chargeId: number, gatewayRefundId: number | null, event?: { paymentTxId: string; reason: RefundReason }): Promise<boolean> {
  return withTransaction(db, async (conn) => {
    const payment = event ? await lockPayment(conn, event.paymentTxId) : undefined;
    const changed = await write(conn, "UPDATE payment_refunds SET status = 'REFUNDED', gateway_refund_id = ?, last_error = NULL, attempts = attempts + 1 WHERE charge_id = ? AND status = 'REQUESTED'", [
      gatewayRefundId,
      chargeId,
    ]);
    if (changed === 1 && payment && event) await appendEvent(conn, payment.paymentTxId, EVENT_TYPES.paymentRefunded, { chargeIds: [chargeId], reason: event.reason });
    return changed === 1;
  });
}

/** A gateway call for a REQUESTED refund failed: counted and kept for the reconciler (the error text carries no secret). */
export async function noteRefundFailed(db: Db, chargeId: number, error: string): Promise<void> {
  await withConnection(db, (conn) => write(conn, "UPDATE payment_refunds SET attempts = attempts + 1, last_error = ? WHERE charge_id = ? AND status = 'REQUESTED'", [error.slice(0, 500), chargeId]));
}

/** REQUESTED refunds untouched for at least `quietMs` (their caller gave up or died), oldest first. */
export async function stalledRefunds(db: Db, quietMs: number, limit: number): Promise<RefundRecord[]> {
  return withConnection(db, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>("SELECT * FROM payment_refunds WHERE status = 'REQUESTED' AND updated_at < NOW(3) - INTERVAL ? MICROSECOND ORDER BY updated_at LIMIT ?", [
      quietMs * 1000,
      limit,
    ]);
    return rows.map(toRecord);
  });
}

export async function refundRecordsFor(db: Db, chargeIds: number[]): Promise<Map<number, RefundRecord>> {
  if (chargeIds.length === 0) return new Map();
  return withConnection(db, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM payment_refunds WHERE charge_id IN (?)', [chargeIds]);
    return new Map(rows.map((r) => [Number(r.charge_id), toRecord(r)]));
  });
}
