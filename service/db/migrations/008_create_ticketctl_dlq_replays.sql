-- Which dead letters `ticketctl events dlq replay` has replayed, so a replay is never
-- repeated. ticketctl writes it and the service never reads it; it is created here, with
-- the rest of the schema, so that ticketctl needs no DDL rights on the database.
CREATE TABLE IF NOT EXISTS ticketctl_dlq_replays (
  dlq_topic VARCHAR(100) NOT NULL,
  dlq_partition INT NOT NULL,
  dlq_offset BIGINT NOT NULL,
  original_topic VARCHAR(100) NOT NULL,
  message_key VARCHAR(200) NULL,
  event_id VARCHAR(64) NULL,
  replayed_by VARCHAR(200) NOT NULL,
  replayed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
) ENGINE=InnoDB;
