-- Report 5.2 #2: every state change of a payment appended with a per-aggregate version.
-- The UNIQUE key makes a concurrent second writer of the same version fail loudly.
CREATE TABLE IF NOT EXISTS event_store (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  aggregate_id CHAR(36) NOT NULL,
  version INT NOT NULL,
  event_type VARCHAR(60) NOT NULL,
  event_data LONGTEXT NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_event_store_version (aggregate_id, version),
  KEY ix_event_store_type (event_type, created_at)
) ENGINE=InnoDB;
