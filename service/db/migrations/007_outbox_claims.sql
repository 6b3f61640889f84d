-- The relay claims rows with a short lease instead of holding a transaction open while it
-- talks to Kafka: a held FOR UPDATE scan took InnoDB gap locks that blocked every new
-- outbox insert (payment intake) for as long as a send to an unreachable Kafka lasted.
ALTER TABLE outbox
  ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(64) NULL,
  ADD COLUMN IF NOT EXISTS claimed_until DATETIME(3) NULL;
