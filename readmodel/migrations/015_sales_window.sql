-- The sales of a window of business dates, as alerts, reorder and the dashboard's Needs
-- attention panel read them (readmodel soldIn): accepted sales not voided, by date, with
-- the columns their sum per product and location needs, so that a window is read from
-- this index alone. A 28-day window of a year of a million operations holds about 80,000
-- sales; through ledger_date each was a lookup in the table. A replay builds it once, at
-- the end (deferredMigrations). event_type and voided_by are in it as well as in its WHERE:
-- SQLite reads the table for a column a query names unless the index holds it.
CREATE INDEX IF NOT EXISTS ledger_sales ON ledger (business_date, product_id, location, qty_cents, event_type, voided_by)
    WHERE event_type = 'StockSold' AND voided_by IS NULL;
