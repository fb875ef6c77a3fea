-- The operations page and its downloads (web /operations, GET /api/operations): newest
-- first over all products or one, and by quantity. SQLite ends every index with the row
-- ID, the pages' tie-break, so each one serves its order and keyset paging without a
-- sort. A replay creates them after its bulk load, as 002.
CREATE INDEX ledger_date ON ledger (business_date);
CREATE INDEX ledger_product_date ON ledger (product_id, business_date);
CREATE INDEX ledger_qty ON ledger (qty_cents);
