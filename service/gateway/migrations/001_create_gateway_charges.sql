-- The processor's own ledger of charges. One row per idempotency key, enforced by the
-- database (not by a read-then-write in the app), so any number of concurrent requests
-- with one key leave exactly one row. Keys compare byte for byte without PAD SPACE
-- (utf8mb4_nopad_bin): 'k' and 'k ' are two different keys, as a client would expect.
-- Times are UTC (DATETIME filled with UTC_TIMESTAMP), independent of the session zone.
CREATE TABLE IF NOT EXISTS gateway_charges (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  idempotency_key VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  payment_tx_id CHAR(36) CHARACTER SET ascii NOT NULL,
  amount BIGINT UNSIGNED NOT NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  status ENUM('CHARGED', 'DECLINED') NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
  UNIQUE KEY uq_gateway_charges_idempotency_key (idempotency_key),
  KEY ix_gateway_charges_payment_tx_id (payment_tx_id),
  KEY ix_gateway_charges_created_at (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
