-- Report 2.0.1 #3: the PaymentTx table, keyed by the client-chosen payment_tx_id, so a
-- repeated request finds the transaction it already created. `live_hold` lets one hold
-- have at most one PENDING or SUCCESS payment.
CREATE TABLE IF NOT EXISTS payment_transactions (
  payment_tx_id CHAR(36) PRIMARY KEY,
  user_id VARCHAR(64) NOT NULL,
  seat_id BIGINT NOT NULL,
  hold_id VARCHAR(36) NOT NULL, -- VARCHAR: MariaDB refuses a CHAR column in a generated column (PAD_CHAR_TO_FULL_LENGTH)
  amount INT NOT NULL,
  status ENUM('PENDING', 'SUCCESS', 'FAILED', 'CANCELLED', 'REFUNDED') NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  request_hash CHAR(64) NOT NULL,
  gateway_charge_id BIGINT NULL,
  failure_reason VARCHAR(500) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  live_hold VARCHAR(36) AS (IF(status IN ('PENDING', 'SUCCESS'), hold_id, NULL)) PERSISTENT,
  UNIQUE KEY uq_payment_live_hold (live_hold),
  KEY ix_payment_status_updated (status, updated_at),
  KEY ix_payment_user_seat (user_id, seat_id, status)
) ENGINE=InnoDB;
