-- Per-product history and the writers' lookup of their own event. A replay builds the
-- ledger without it and creates it once, sorted, at the end.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_product ON ledger (product_id, product_seq);
