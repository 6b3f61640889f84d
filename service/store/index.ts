// The store: the one owner of every change to payment_transactions, holds and seats (and
// the concerts they belong to), with the event_store, outbox and processed_events rows that
// must commit in the same transaction as a change. Nothing outside service/store/ writes
// those tables (ownership.test.ts fails if SQL that does appears elsewhere); the outbox
// relay's delivery bookkeeping (claims, published_at) is the one outbox write left outside.
// The states and every allowed change: state-machine.ts.

export {
  PAYMENT_STATUSES,
  HOLD_STATUSES,
  SEAT_STATUSES,
  PAYMENT,
  HOLD,
  SEAT,
  MOVES,
  applies,
  canTransition,
  fromStates,
  finalStates,
  type PaymentStatus,
  type HoldStatus,
  type SeatStatus,
  type Transition,
  type Move,
} from './state-machine.ts';
export { readPayment, lockPayment, readHold, toPayment, toHold, type Payment, type Hold, type Changed } from './rows.ts';
export { wasProcessed, type ProcessedMarker } from './processed-events.ts';
export { createHold, expireHolds, type NewHold, type CreatedHold } from './holds.ts';
export { hashHoldSecret, holdSecretMatches } from './hold-secret.ts';
export {
  recordPaymentRequested,
  recordCancelRequested,
  requestOperatorCancel,
  recordAttempt,
  type OperatorNote,
  type OperatorCancel,
  type PaymentRow,
  type AttemptOutcome,
  type AttemptRecord,
  type AttemptRecorded,
} from './payments.ts';
export { refundAndRelease, settles, type Settlement, type SettlementMove, type Settled, type EventRecord } from './refund-and-release.ts';
export { claimRefund, markRefunded, noteRefundFailed, stalledRefunds, refundRecordsFor, refundKeyOf, REFUND_REASONS, type RefundReason, type RefundRecord, type RefundClaim } from './refunds.ts';
export { overduePayments } from './deadlines.ts';
export { paymentsOf, readCursor, advanceCursor, exclusively, type PaymentOfCharge } from './reconciliation.ts';
export { UnexpectedChange } from './payments.ts';
export { revivePayment, type Revival, type Revived } from './revive.ts';
export { seedConcerts, seatLabel, type SeedOptions, type SeededConcert } from './inventory.ts';
