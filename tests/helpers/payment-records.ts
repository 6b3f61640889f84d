import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { anyInstance, call, freshConcert, gatewayDb, hold, sql, waitForFinal } from './service.ts';

// What the payment tests read from the systems of record (the service database: payment
// row, seat, hold, event store; the gateway's ledger: charges, refunds) and how they make a
// paid seat. Shared by tests/service/payments.live.test.ts and cancel.live.test.ts.

export const PRICE = 50_000; // freshConcert's default seat price
// Longer than the relay + consumer path takes, shorter than the service's 3 s gateway
// timeout: while the gateway is this slow, a payment is reliably still PENDING.
export const SLOW_GATEWAY_MS = 1500;

export const user = () => `u-${randomUUID().slice(0, 8)}`;
/** A POST /payments body for hold `h`, with the holdSecret POST /holds answered for it. */
export const payBody = (paymentTxId: string, h: { holdId: string; holdSecret: string }, userId: string, amount = PRICE) => ({ paymentTxId, holdId: h.holdId, userId, amount, holdSecret: h.holdSecret });
export const pay = (body: ReturnType<typeof payBody>, instance = anyInstance()) => call('POST', `${instance}/payments`, body);

export async function paymentRow(paymentTxId: string): Promise<RowDataPacket | undefined> {
  return (await sql('SELECT * FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0];
}

export async function seatRow(seatId: number): Promise<{ status: string; holdId: string | null }> {
  const [r] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [seatId]);
  return { status: r!.status, holdId: r!.hold_id };
}

export async function holdStatus(holdId: string): Promise<string> {
  return (await sql('SELECT status FROM holds WHERE id = ?', [holdId]))[0]!.status;
}

export async function events(paymentTxId: string): Promise<Array<{ version: number; type: string; data: any }>> {
  const rows = await sql('SELECT version, event_type, event_data FROM event_store WHERE aggregate_id = ? ORDER BY version', [paymentTxId]);
  return rows.map((r) => ({ version: Number(r.version), type: r.event_type, data: JSON.parse(r.event_data) }));
}

export function assertVersionsInOrder(list: Array<{ version: number }>, paymentTxId: string): void {
  assert.deepEqual(
    list.map((e) => e.version),
    list.map((_, i) => i + 1),
    `event_store versions of ${paymentTxId} must be 1..n without gaps`,
  );
}

/** Charges and refunds for one payment, straight from the gateway's ledger database. */
export async function ledgerRows(paymentTxId: string): Promise<{ charges: RowDataPacket[]; refunds: RowDataPacket[] }> {
  const db = gatewayDb();
  try {
    const [charges] = await db.query<RowDataPacket[]>('SELECT id, status, amount FROM gateway_charges WHERE payment_tx_id = ? ORDER BY id', [paymentTxId]);
    const [refunds] = await db.query<RowDataPacket[]>('SELECT r.id, r.charge_id, r.amount FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id WHERE c.payment_tx_id = ? ORDER BY r.id', [
      paymentTxId,
    ]);
    return { charges, refunds };
  } finally {
    await db.end();
  }
}

/** Holds a fresh seat and pays for it; returns once the payment is SUCCESS. */
export async function paidSeat(): Promise<{ seatId: number; holdId: string; holdSecret: string; userId: string; paymentTxId: string }> {
  const { seatIds } = await freshConcert(1);
  const userId = user();
  const h = await hold(seatIds[0]!, userId);
  const paymentTxId = randomUUID();
  const r = await pay(payBody(paymentTxId, h, userId));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
  return { seatId: h.seatId, holdId: h.holdId, holdSecret: h.holdSecret, userId, paymentTxId };
}
