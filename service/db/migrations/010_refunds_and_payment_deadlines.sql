-- Issue #10. Two things money correctness needs that the first schema did not have.
--
-- 1. A deadline for every payment: past it, a PENDING payment is failed and compensated
--    whatever happened to its events (service/payments/deadline.ts). Rows from before this
--    migration get their creation time plus the default deadline (180 s).
ALTER TABLE payment_transactions
  ADD COLUMN IF NOT EXISTS deadline_at TIMESTAMP(3) NULL AFTER failure_reason,
  ADD KEY IF NOT EXISTS ix_payment_status_deadline (status, deadline_at);
UPDATE payment_transactions SET deadline_at = created_at + INTERVAL 180 SECOND WHERE deadline_at IS NULL;

-- 2. The service's own record of every refund, written before the gateway is called: one
--    row per gateway charge (the primary key), whoever asks first (compensation, cancel,
--    reconciliation, `ticketctl payments refund-duplicates`) and whatever a processor would
--    accept. Every caller refunds with the row's idempotency key, so a second caller, a
--    retry or a crash rerun replays the same refund instead of making a second one.
--    REQUESTED rows are refunds whose gateway call did not (yet) succeed: the reconciler
--    drives them to REFUNDED.
CREATE TABLE IF NOT EXISTS payment_refunds (
  charge_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  payment_tx_id CHAR(36) NOT NULL,
  amount BIGINT UNSIGNED NOT NULL,
  reason ENUM('compensation', 'cancellation', 'duplicate', 'reconciliation') NOT NULL,
  idempotency_key VARCHAR(100) NOT NULL,
  status ENUM('REQUESTED', 'REFUNDED') NOT NULL,
  gateway_refund_id BIGINT UNSIGNED NULL,
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  requested_by VARCHAR(100) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_payment_refunds_key (idempotency_key),
  KEY ix_payment_refunds_payment (payment_tx_id),
  KEY ix_payment_refunds_status (status, updated_at)
) ENGINE=InnoDB;

-- Where the reconciler has read the gateway's charge list up to (charges created at or after
-- `created_from` are still to be looked at). One row per list; the reconciler creates it.
CREATE TABLE IF NOT EXISTS reconciliation_cursors (
  name VARCHAR(40) NOT NULL PRIMARY KEY,
  created_from DATETIME(3) NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;
