import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

// Every SQL statement of the gateway. The ledger is the source of truth a checker reads
// ("was this payment charged twice?"). Charges rely on a UNIQUE key, never on a
// read-then-write in the app: an insert that loses a race reports `undefined` and the
// caller reads the winner. A refund's cap (never more than the charge) cannot be a UNIQUE
// key, so it is checked and written in one transaction that holds the charge row locked.

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

/** A charge as GET /charges answers it: with its refunds, oldest first. */
export interface ChargeView extends Charge {
  refunds: Refund[];
  refundedAmount: number;
  /** The first refund, or null: kept for readers older than several refunds per charge. */
  refund: Refund | null;
}

/** The old name, for callers written before several refunds per charge. */
export type ChargeWithRefund = ChargeView;

/** A page of GET /charges?createdFrom=: the shape of a card processor's list API. */
export interface ChargePage {
  data: ChargeView[];
  hasMore: boolean;
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

/** Where a page of charges ordered by (created_at, id) stopped. */
export interface ChargePosition {
  createdAt: string;
  id: number;
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
  chargeId: number;
  /** What the caller asked for; undefined: what is left (capped) or the whole charge (uncapped). */
  amount: number | undefined;
  reason: string | null;
  /** Refuse a refund that would take the charge's refunds past its amount. */
  capped: boolean;
}

export type RefundOutcome =
  | { kind: 'refunded'; refund: Refund }
  /** The key is taken (maybe by a concurrent request): answer from refundByKey. */
  | { kind: 'key-taken' }
  /** Capped and more than what is left of the charge; nothing was written. */
  | { kind: 'exceeds'; left: number; asked: number };

/** A stored refund with the `amount` its request carried (null: none), to tell a replay from a conflict. */
export interface StoredRefund {
  refund: Refund;
  requestedAmount: number | null;
}

export interface Ledger {
  chargeByKey(key: string): Promise<Charge | undefined>;
  chargeById(id: number): Promise<Charge | undefined>;
  chargeView(id: number): Promise<ChargeView | undefined>;
  chargesByPayment(paymentTxId: string): Promise<ChargeView[]>;
  /** Charges created at or after `from`, strictly after `after`, ordered by (created_at, id); one more than `limit` tells whether there are more. */
  chargesCreatedFrom(from: Date, after: ChargePosition | undefined, limit: number): Promise<ChargeView[]>;
  /** undefined: the key already exists (a concurrent request won). */
  insertCharge(c: NewCharge): Promise<Charge | undefined>;
  refundByKey(key: string): Promise<StoredRefund | undefined>;
  insertRefund(r: NewRefund): Promise<RefundOutcome>;
  since(since: Date, limit: number): Promise<{ charges: Charge[]; refunds: Refund[] }>;
}

const CHARGE_COLUMNS = 'id, idempotency_key, payment_tx_id, amount, currency, status, created_at';
const REFUND_SELECT = `SELECT r.id, r.idempotency_key, r.charge_id, c.idempotency_key AS charge_idempotency_key,
  c.payment_tx_id, r.amount, r.requested_amount, r.currency, r.reason, r.created_at
  FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id`;
/** A list endpoint never returns an unbounded result, even for a pathological payment. */
const MAX_CHARGES_PER_PAYMENT = 1000;
/** Refunds of one charge in the order they were made (ids rise in commit order: one charge's refunds are serialized). */
const REFUND_ORDER = 'ORDER BY r.created_at, r.id';

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

function withRefunds(charge: Charge, refunds: Refund[]): ChargeView {
  return { ...charge, refunds, refundedAmount: refunds.reduce((sum, r) => sum + r.amount, 0), refund: refunds[0] ?? null };
}

export function createLedger(pool: Pool): Ledger {
  const one = async <T>(sql: string, params: unknown[], map: (r: RowDataPacket) => T): Promise<T | undefined> => {
    const [rows] = await pool.query<RowDataPacket[]>(sql, params);
    return rows[0] === undefined ? undefined : map(rows[0]);
  };

  async function views(charges: Charge[]): Promise<ChargeView[]> {
    if (charges.length === 0) return [];
    const [rows] = await pool.query<RowDataPacket[]>(`${REFUND_SELECT} WHERE r.charge_id IN (?) ${REFUND_ORDER}`, [charges.map((c) => c.id)]);
    const byCharge = Map.groupBy(rows.map(toRefund), (r) => r.chargeId);
    return charges.map((c) => withRefunds(c, byCharge.get(c.id) ?? []));
  }

  async function insertRefund({ idempotencyKey, chargeId, amount, reason, capped }: NewRefund): Promise<RefundOutcome> {
    const conn = await pool.getConnection();
    try {
      // READ COMMITTED: each read below sees what committed before it, i.e. every refund of
      // this charge made by whoever held the lock before us; no gap locks either, so two
      // charges' refunds never deadlock on the refunds index.
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      try {
        // The charge row lock serializes every refund of this charge: check and insert are one step.
        const [[charge]] = await conn.query<RowDataPacket[]>('SELECT amount, currency FROM gateway_charges WHERE id = ? FOR UPDATE', [chargeId]);
        if (!charge) throw new Error(`charge ${chargeId} vanished while being refunded`);
        // A request with this key that held the lock before us: a replay (or a conflict), not a new refund.
        const [[taken]] = await conn.query<RowDataPacket[]>('SELECT id FROM gateway_refunds WHERE idempotency_key = ?', [idempotencyKey]);
        if (taken) {
          await conn.rollback();
          return { kind: 'key-taken' };
        }
        const [[sum]] = await conn.query<RowDataPacket[]>('SELECT COALESCE(SUM(amount), 0) AS refunded FROM gateway_refunds WHERE charge_id = ?', [chargeId]);
        const left = Math.max(0, Number(charge.amount) - Number(sum?.refunded));
        const asked = amount ?? (capped ? left : Number(charge.amount));
        if (capped && (asked > left || asked === 0)) {
          await conn.rollback();
          return { kind: 'exceeds', left, asked };
        }
        const [result] = await conn.query<ResultSetHeader>('INSERT INTO gateway_refunds (idempotency_key, charge_id, amount, requested_amount, currency, reason) VALUES (?, ?, ?, ?, ?, ?)', [
          idempotencyKey,
          chargeId,
          asked,
          amount ?? null,
          charge.currency,
          reason,
        ]);
        await conn.commit();
        const refund = await one(`${REFUND_SELECT} WHERE r.id = ?`, [result.insertId], toRefund);
        if (!refund) throw new Error(`refund ${result.insertId} was committed but cannot be read back`);
        return { kind: 'refunded', refund };
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        // The key is UNIQUE across charges: a concurrent request with it (for another charge) won.
        if (isDuplicateKey(err)) return { kind: 'key-taken' };
        throw err;
      }
    } finally {
      conn.release();
    }
  }

  return {
    chargeByKey: (key) => one(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE idempotency_key = ?`, [key], toCharge),
    chargeById: (id) => one(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE id = ?`, [id], toCharge),

    async chargeView(id) {
      const charge = await one(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE id = ?`, [id], toCharge);
      return charge && (await views([charge]))[0];
    },

    async chargesByPayment(paymentTxId) {
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE payment_tx_id = ? ORDER BY id LIMIT ?`, [paymentTxId, MAX_CHARGES_PER_PAYMENT]);
      return views(rows.map(toCharge));
    },

    async chargesCreatedFrom(from, after, limit) {
      // (created_at, id) spelled out rather than a row comparison, so the created_at index
      // (which carries the primary key) serves both the filter and the order.
      const [rows] = after
        ? await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE created_at >= ? AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`, [
            from,
            new Date(after.createdAt),
            new Date(after.createdAt),
            after.id,
            limit + 1,
          ])
        : await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE created_at >= ? ORDER BY created_at, id LIMIT ?`, [from, limit + 1]);
      return views(rows.map(toCharge));
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

    refundByKey: (key) => one(`${REFUND_SELECT} WHERE r.idempotency_key = ?`, [key], (r) => ({ refund: toRefund(r), requestedAmount: r.requested_amount === null ? null : Number(r.requested_amount) })),
    insertRefund,

    async since(since, limit) {
      const [charges] = await pool.query<RowDataPacket[]>(`SELECT ${CHARGE_COLUMNS} FROM gateway_charges WHERE created_at >= ? ORDER BY created_at, id LIMIT ?`, [since, limit]);
      const [refunds] = await pool.query<RowDataPacket[]>(`${REFUND_SELECT} WHERE r.created_at >= ? ORDER BY r.created_at, r.id LIMIT ?`, [since, limit]);
      return { charges: charges.map(toCharge), refunds: refunds.map(toRefund) };
    },
  };
}
