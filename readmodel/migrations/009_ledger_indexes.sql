-- The ledger's indexes after 008 rebuilt it (a replay's bulk load runs this once, at the
-- end): those of 002 and 006, and ledger_event, for finding an operation by its event ID
-- (or a prefix of it) to void or correct.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_product ON ledger (product_id, product_seq);
CREATE INDEX IF NOT EXISTS ledger_date ON ledger (business_date);
CREATE INDEX IF NOT EXISTS ledger_qty ON ledger (qty_cents);
CREATE INDEX IF NOT EXISTS ledger_type_qty ON ledger (event_type, qty_cents);
CREATE INDEX IF NOT EXISTS ledger_event ON ledger (event_id);
-- A void or a correction reads and updates its target's date's rows of one product.
CREATE INDEX IF NOT EXISTS ledger_product_date ON ledger (product_id, business_date, product_seq) WHERE voided_by IS NULL;
