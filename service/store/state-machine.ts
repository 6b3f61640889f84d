// The states of a payment, a hold and a seat, and every change the store makes to them, as
// data. Each store statement takes its `from` and `to` from here (`WHERE status IN (from)`),
// so this file is the whole state machine: a change not listed here is not made anywhere.
// The statuses are the ENUMs of service/db/migrations/ (a unit test compares them).

export const PAYMENT_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'CANCELLED', 'REFUNDED'] as const;
export const HOLD_STATUSES = ['ACTIVE', 'PAID', 'EXPIRED', 'RELEASED', 'CANCELLED'] as const;
export const SEAT_STATUSES = ['AVAILABLE', 'HELD', 'SOLD'] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type HoldStatus = (typeof HOLD_STATUSES)[number];
export type SeatStatus = (typeof SEAT_STATUSES)[number];

/**
 * One allowed change: the states a row may be in for it to apply and the state it ends in.
 * `null` in `from` means the row does not exist yet (an INSERT).
 */
export interface Transition<S extends string> {
  readonly from: readonly (S | null)[];
  readonly to: S;
  /** Who makes this change, and when. */
  readonly by: string;
}

export const PAYMENT = {
  request: { from: [null], to: 'PENDING', by: 'payment intake (POST /payments): with its payment.try outbox row' },
  attemptFailed: { from: ['PENDING'], to: 'PENDING', by: 'saga: a charge attempt failed; attempts and failure_reason recorded, then a retry or payment.failure' },
  charge: { from: ['PENDING'], to: 'SUCCESS', by: 'saga: the gateway charged' },
  fail: { from: ['PENDING'], to: 'FAILED', by: 'saga compensation (payment.failure), or the deadline sweeper past deadline_at: refunded, hold released' },
  cancel: { from: ['SUCCESS'], to: 'CANCELLED', by: 'saga payment.cancel: refunded, hold cancelled' },
  refund: { from: ['SUCCESS'], to: 'REFUNDED', by: 'ticketctl payments refund-duplicates: a duplicate refunded; its seat stays with the kept payment' },
  revive: { from: ['FAILED'], to: 'PENDING', by: 'ticketctl events reprocess: attempts reset, payment.try published again' },
} as const satisfies Record<string, Transition<PaymentStatus>>;

export const HOLD = {
  create: { from: [null], to: 'ACTIVE', by: 'POST /holds' },
  pay: { from: ['ACTIVE'], to: 'PAID', by: 'saga: its payment succeeded' },
  expire: { from: ['ACTIVE'], to: 'EXPIRED', by: 'expiry sweeper: past expires_at and no PENDING or SUCCESS payment uses it' },
  release: { from: ['ACTIVE', 'PAID'], to: 'RELEASED', by: 'saga compensation and the payment deadline' },
  cancel: { from: ['ACTIVE', 'PAID'], to: 'CANCELLED', by: 'saga payment.cancel' },
  revive: { from: ['RELEASED', 'EXPIRED'], to: 'ACTIVE', by: 'ticketctl events reprocess (an ACTIVE hold is kept as it is)' },
} as const satisfies Record<string, Transition<HoldStatus>>;

/** Seat changes are also fenced by seats.hold_id: only the hold that took a seat moves it on. */
export const SEAT = {
  create: { from: [null], to: 'AVAILABLE', by: 'seeding inventory (ticketctl seed and demo, tests, drills, benchmarks)' },
  hold: { from: ['AVAILABLE'], to: 'HELD', by: 'POST /holds (hold_id set)' },
  sell: { from: ['HELD'], to: 'SOLD', by: "saga: the payment of the seat's hold succeeded" },
  release: { from: ['HELD', 'SOLD'], to: 'AVAILABLE', by: 'saga compensation and payment.cancel (hold_id cleared)' },
  expire: { from: ['HELD'], to: 'AVAILABLE', by: 'expiry sweeper (hold_id cleared)' },
  retake: { from: ['AVAILABLE', 'HELD'], to: 'HELD', by: 'ticketctl events reprocess: AVAILABLE, or already HELD by the same hold' },
} as const satisfies Record<string, Transition<SeatStatus>>;

/**
 * The moves: which transitions of the three tables commit together in one transaction
 * (with their event-store and outbox rows). A table a move does not name is not touched.
 */
export const MOVES = {
  addSeats: { seat: 'create' },
  holdSeat: { seat: 'hold', hold: 'create' },
  requestPayment: { payment: 'request' },
  chargeFailed: { payment: 'attemptFailed' },
  charged: { payment: 'charge', hold: 'pay', seat: 'sell' },
  compensate: { payment: 'fail', hold: 'release', seat: 'release' },
  cancel: { payment: 'cancel', hold: 'cancel', seat: 'release' },
  refundDuplicate: { payment: 'refund' },
  expireHold: { hold: 'expire', seat: 'expire' },
  revive: { payment: 'revive', hold: 'revive', seat: 'retake' },
} as const satisfies Record<string, { payment?: keyof typeof PAYMENT; hold?: keyof typeof HOLD; seat?: keyof typeof SEAT }>;

export type Move = keyof typeof MOVES;

/** Whether transition t applies to a row in state `from` (null: no row yet). */
export function applies<S extends string>(t: Transition<S>, from: S | null): boolean {
  return t.from.includes(from);
}

/** Whether some transition of the machine takes a row from `from` (null: no row yet) to `to`. */
export function canTransition<S extends string>(machine: Record<string, Transition<S>>, from: S | null, to: S): boolean {
  return Object.values(machine).some((t) => t.to === to && applies(t, from));
}

/** The existing states a transition starts from, for `WHERE status IN (?)`. */
export function fromStates<S extends string>(t: Transition<S>): S[] {
  return t.from.filter((s): s is S => s !== null);
}

/** States no transition leaves: the row is final. */
export function finalStates<S extends string>(machine: Record<string, Transition<S>>, all: readonly S[]): S[] {
  return all.filter((s) => !Object.values(machine).some((t) => applies(t, s)));
}
