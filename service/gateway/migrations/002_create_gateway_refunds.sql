-- Full refunds. UNIQUE (charge_id) is the fence against refunding one charge twice,
-- whatever keys concurrent callers use; UNIQUE (idempotency_key) makes a retry a replay.
CREATE TABLE IF NOT EXISTS gateway_refunds (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  idempotency_key VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
  charge_id BIGINT UNSIGNED NOT NULL,
  amount BIGINT UNSIGNED NOT NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  reason VARCHAR(500) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
  UNIQUE KEY uq_gateway_refunds_idempotency_key (idempotency_key),
  UNIQUE KEY uq_gateway_refunds_charge_id (charge_id),
  KEY ix_gateway_refunds_created_at (created_at),
  CONSTRAINT fk_gateway_refunds_charge FOREIGN KEY (charge_id) REFERENCES gateway_charges (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
