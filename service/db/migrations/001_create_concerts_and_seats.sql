-- Concerts and their seats. A seat's status is the database fence against double sale:
-- it moves AVAILABLE -> HELD -> SOLD only through conditional updates (WHERE status = ...).
CREATE TABLE IF NOT EXISTS concerts (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  starts_at DATETIME(3) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS seats (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  concert_id BIGINT NOT NULL,
  label VARCHAR(20) NOT NULL,
  price INT NOT NULL,
  status ENUM('AVAILABLE', 'HELD', 'SOLD') NOT NULL DEFAULT 'AVAILABLE',
  hold_id CHAR(36) NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_seats_concert_label (concert_id, label),
  KEY ix_seats_concert_status (concert_id, status),
  CONSTRAINT fk_seats_concert FOREIGN KEY (concert_id) REFERENCES concerts (id)
) ENGINE=InnoDB;
