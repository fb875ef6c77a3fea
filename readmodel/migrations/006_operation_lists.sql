-- The operations page and its downloads (web /operations, GET /api/operations): newest
-- first, and by quantity. SQLite ends every index with the row ID, the pages' tie-break,
-- so each one serves its order and keyset paging without a sort. One product's rows come
-- from ledger_product and are sorted (a thousand rows take a millisecond): an index on
-- (product_id, business_date) too would add a third to the time these two add to a
-- replay. A replay creates them after its bulk load, as 002.
CREATE INDEX ledger_date ON ledger (business_date);
CREATE INDEX ledger_qty ON ledger (qty_cents);
-- One type by quantity: restocks are large, so walking ledger_qty for the smallest
-- restocks passed every sale first (1,000,000 operations: about 2 s a page).
CREATE INDEX ledger_type_qty ON ledger (event_type, qty_cents);
