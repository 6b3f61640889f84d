-- Transactional outbox: an event is written in the same database transaction as the state
-- change it announces, and a relay publishes it to Kafka later. A Kafka outage delays
-- events; it cannot lose them. `available_at` schedules retries (backoff) without anyone
-- sleeping in a Kafka partition loop.
CREATE TABLE IF NOT EXISTS outbox (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  topic VARCHAR(100) NOT NULL,
  message_key VARCHAR(100) NOT NULL,
  payload LONGTEXT NOT NULL,
  headers LONGTEXT NULL,
  available_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at DATETIME(3) NULL,
  publish_attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_outbox_event (event_id),
  KEY ix_outbox_pending (published_at, available_at)
) ENGINE=InnoDB;
