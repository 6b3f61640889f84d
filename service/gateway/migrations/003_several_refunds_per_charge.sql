-- Several (partial) refunds per charge, as a real card processor allows: the UNIQUE
-- (charge_id) fence goes, and the cap "refunds never exceed the charge" is kept by the
-- refund route instead, in one transaction with the charge row locked (ledger.ts). The
-- plain index comes first, so the foreign key always has an index to use (MariaDB
-- refuses to drop the only one). requested_amount is the `amount` the caller sent (NULL:
-- none, "what is left"), so a retry with a different amount is a conflict, not a replay.
-- Every statement is IF [NOT] EXISTS, so a run that stopped half-way can be re-run.
ALTER TABLE gateway_refunds ADD INDEX IF NOT EXISTS ix_gateway_refunds_charge_id (charge_id);
ALTER TABLE gateway_refunds DROP INDEX IF EXISTS uq_gateway_refunds_charge_id;
ALTER TABLE gateway_refunds ADD COLUMN IF NOT EXISTS requested_amount BIGINT UNSIGNED NULL AFTER amount;
