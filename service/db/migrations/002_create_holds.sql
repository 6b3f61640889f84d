-- A hold reserves one seat for one user until it expires or is paid. `live_seat` is the
-- seat id while the hold is ACTIVE or PAID and NULL otherwise; its UNIQUE key is a second
-- database fence: two live holds on one seat cannot exist, whatever Redis believed.
CREATE TABLE IF NOT EXISTS holds (
  id CHAR(36) PRIMARY KEY,
  seat_id BIGINT NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  status ENUM('ACTIVE', 'PAID', 'EXPIRED', 'RELEASED', 'CANCELLED') NOT NULL,
  lock_mode ENUM('REDIS', 'DATABASE') NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  live_seat BIGINT AS (IF(status IN ('ACTIVE', 'PAID'), seat_id, NULL)) PERSISTENT,
  UNIQUE KEY uq_holds_live_seat (live_seat),
  KEY ix_holds_status_expires (status, expires_at),
  CONSTRAINT fk_holds_seat FOREIGN KEY (seat_id) REFERENCES seats (id)
) ENGINE=InnoDB;
