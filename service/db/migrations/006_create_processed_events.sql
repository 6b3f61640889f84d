-- Consumer idempotency: a handler records the event id in the same transaction as its
-- effect; a redelivered event finds its row and has no second effect.
CREATE TABLE IF NOT EXISTS processed_events (
  event_id CHAR(36) NOT NULL,
  handler VARCHAR(60) NOT NULL,
  processed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (event_id, handler)
) ENGINE=InnoDB;
