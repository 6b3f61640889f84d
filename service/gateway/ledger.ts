import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

// Every SQL statement of the gateway. The ledger is the source of truth a checker reads
// ("was this payment charged twice?"), so writes rely on UNIQUE keys, never on a
// read-then-write in the app: an insert that loses a race reports `undefined` and the
// caller reads the winner.

export type ChargeStatus = 'CHARGED' | 'DECLINED';

export interface Charge {
  id: number;
  idempotencyKey: string;
  paymentTxId: string;
  amount: number;
  currency: string;
  status: ChargeStatus;
  createdAt: string;
}

export interface Refund {
  id: number;
  idempotencyKey: string;
  chargeId: number;
  /** The refunded charge's key and payment, so a checker needs no join. */
  chargeIdempotencyKey: string;
  paymentTxId: string;
  amount: number;
  currency: string;
  status: 'REFUNDED';
  reason: string | null;
  createdAt: string;
}

export interface ChargeWithRefund extends Charge {
  refund: Refund | null;
}

export interface NewCharge {
  idempotencyKey: string;
  paymentTxId: string;
  amount: number;
  currency: string;
  status: ChargeStatus;
}

export interface NewRefund {
  idempotencyKey: string;
  charge: Charge;
  reason: string | null;
}

export interface Ledger {
  chargeByKey(key: string): Promise<Charge | undefined>;
  chargeById(id: number): Promise<Charge | undefined>;
  chargesByPayment(paymentTxId: string): Promise<ChargeWithRefund[]>;
  /** undefined: the key already exists (a concurrent request won). */
  insertCharge(c: NewCharge): Promise<Charge | undefined>;
  refundByKey(key: string): Promise<Refund | undefined>;
  refundByCharge(chargeId: number): Promise<Refund | undefined>;
  /** undefined: the key or the charge already has a refund. */
  insertRefund(r: NewRefund): Promise<Refund | undefined>;
  since(since: Date, limit: number): Promise<{ charges: Charge[]; refunds: Refund[] }>;
}

const CHARGE_COLUMNS = 'id, idempotency_key, payment_tx_id, amount, currency, status, created_at';
const REFUND_SELECT = `SELECT r.id, r.idempotency_key, r.charge_id, c.idempotency_key AS charge_idempotency_key,
  c.payment_tx_id, r.amount, r.currency, r.reason, r.created_at
  FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id`;
/** A list endpoint never returns an unbounded result, even for a pathological payment. */
const MAX_CHARGES_PER_PAYMENT = 1000;

function toCharge(r: RowDataPacket): Charge {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    paymentTxId: String(r.payment_tx_id),
    amount: Number(r.amount),
    currency: String(r.currency),
    status: r.status as ChargeStatus,
    createdAt: (r.created_at as Date).toISOString(),
  };
}

function toRefund(r: RowDataPacket): Refund {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    chargeId: Number(r.charge_id),
    chargeIdempotencyKey: String(r.charge_idempotency_key),
    paymentTxId: String(r.payment_tx_id),
    amount: Number(r.amount),
    currency: String(r.currency),
    status: 'REFUNDED',
    reason: r.reason === null ? null : String(r.reason),
    createdAt: (r.created_at as Date).toISOString(),
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';
}

export function createLedger(pool: Pool): Ledger {
  const one = async <T>(sql: string, params: unknown[], map: (r: RowDataPacket) => T): Promise<T | undefined> => {
    const [rows] = await pool.query<RowDataPacket[]>(sql, params);
    return rows[0] === undefined ? undefined : map(rows[0]);
  };

  async function refundsFor(chargeIds: number[]): Promise<Map<number, Refund>> {
    if (chargeIds.length === 0) return new Map();
    const [rows] = await pool.query<RowDataPacket[]>(`${REFUND_SELECT} WHERE r.charge_id IN (?)`, [chargeIds]);
    return new Map(rows.map((r) => [Number(r.charge_id), toRefund(r)]));
  }

  return {
    chargeByKey: (key) => one(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE idempotency_key = ?`, [key], toCharge),
    chargeById: (id) => one(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE id = ?`, [id], toCharge),

    async chargesByPayment(paymentTxId) {
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE payment_tx_id = ? ORDER BY id LIMIT ?`, [paymentTxId, MAX_CHARGES_PER_PAYMENT]);
      const charges = rows.map(toCharge);
      const refunds = await refundsFor(charges.map((c) => c.id));
      return charges.map((c) => ({ ...c, refund: refunds.get(c.id) ?? null }));
    },

    async insertCharge(c) {
      try {
        // RETURNING (MariaDB >= 10.5) gives the row with its id and created_at in one trip.
        const [rows] = await pool.query<RowDataPacket[]>(
          `INSERT INTO gateway_charges (idempotency_key, payment_tx_id, amount, currency, status) VALUES (?, ?, ?, ?, ?)
           RETURNING ${CHARGE_COLUMNS}`,
          [c.idempotencyKey, c.paymentTxId, c.amount, c.currency, c.status],
        );
        return toCharge(rows[0] as RowDataPacket);
      } catch (err) {
        if (isDuplicateKey(err)) return undefined;
        throw err;
      }
    },

    refundByKey: (key) => one(`${REFUND_SELECT} WHERE r.idempotency_key = ?`, [key], toRefund),
    refundByCharge: (chargeId) => one(`${REFUND_SELECT} WHERE r.charge_id = ?`, [chargeId], toRefund),

    async insertRefund({ idempotencyKey, charge, reason }) {
      try {
        const [result] = await pool.query<ResultSetHeader>('INSERT INTO gateway_refunds (idempotency_key, charge_id, amount, currency, reason) VALUES (?, ?, ?, ?, ?)', [
          idempotencyKey,
          charge.id,
          charge.amount,
          charge.currency,
          reason,
        ]);
        return await one(`${REFUND_SELECT} WHERE r.id = ?`, [result.insertId], toRefund);
      } catch (err) {
        if (isDuplicateKey(err)) return undefined;
        throw err;
      }
    },

    async since(since, limit) {
      const [charges] = await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE created_at >= ? ORDER BY created_at, id LIMIT ?`, [since, limit]);
      const [refunds] = await pool.query<RowDataPacket[]>(`${REFUND_SELECT} WHERE r.created_at >= ? ORDER BY r.created_at, r.id LIMIT ?`, [since, limit]);
      return { charges: charges.map(toCharge), refunds: refunds.map(toRefund) };
    },
  };
}
