-- The ledger's indexes after 010 rebuilt it (a replay's bulk load runs this once, at the
-- end), as 009 made them.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_product ON ledger (product_id, product_seq);
CREATE INDEX IF NOT EXISTS ledger_date ON ledger (business_date);
CREATE INDEX IF NOT EXISTS ledger_qty ON ledger (qty_cents);
CREATE INDEX IF NOT EXISTS ledger_type_qty ON ledger (event_type, qty_cents);
CREATE INDEX IF NOT EXISTS ledger_event ON ledger (event_id);
CREATE INDEX IF NOT EXISTS ledger_product_date ON ledger (product_id, business_date, product_seq) WHERE voided_by IS NULL;
