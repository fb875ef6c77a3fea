-- Two clocks: the rule checks stock in business-date order (operations of one date in
-- log order), so the read model keeps each product's balance by business date.
--
-- balances has one row per product and business date: what that date's operations moved
-- (net), the balance once every operation dated at or before it is applied (end), and the
-- lowest and highest balance after any of its operations (low, high). An operation
-- dated before the product's latest shifts every later row of its product, contiguous in
-- this clustered table; it never rewrites ledger rows. A replay keeps it in memory and
-- writes it once, at the end.
CREATE TABLE balances (
    product_id    TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    end_cents     INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    low_cents     INTEGER NOT NULL,
    high_cents    INTEGER NOT NULL,
    PRIMARY KEY (product_id, business_date)
) WITHOUT ROWID;

-- A ledger row's running total within its product and business date, itself included.
-- Later operations of the same date come after it and other dates never change it, so
-- it is written once: the balance after the row in business-date order is
-- end_cents - net_cents + date_cents of its balances row. ledger.stock_cents keeps the
-- balance after the row as it was when the row was accepted: what its writer was told.
ALTER TABLE ledger ADD COLUMN date_cents INTEGER NOT NULL DEFAULT 0;

-- What the operations dated stock.last_date moved: a later operation of that same date
-- starts from it. last_date becomes the latest business date (it was the date of the
-- operation last applied).
ALTER TABLE stock ADD COLUMN date_net_cents INTEGER NOT NULL DEFAULT 0;

UPDATE ledger SET date_cents = w.c
FROM (SELECT id, sum(CASE event_type WHEN 'StockSold' THEN -qty_cents ELSE qty_cents END)
             OVER (PARTITION BY product_id, business_date ORDER BY id) AS c
      FROM ledger) AS w
WHERE ledger.id = w.id;

INSERT INTO balances (product_id, business_date, end_cents, net_cents, low_cents, high_cents)
SELECT product_id, business_date, e, net, e - net + lo, e - net + hi
FROM (SELECT product_id, business_date, net, lo, hi,
             sum(net) OVER (PARTITION BY product_id ORDER BY business_date) AS e
      FROM (SELECT product_id, business_date,
                   sum(CASE event_type WHEN 'StockSold' THEN -qty_cents ELSE qty_cents END) AS net,
                   min(date_cents) AS lo, max(date_cents) AS hi
            FROM ledger GROUP BY product_id, business_date));

UPDATE stock SET last_date = b.business_date, date_net_cents = b.net_cents
FROM (SELECT product_id, max(business_date) AS business_date, net_cents FROM balances GROUP BY product_id) AS b
WHERE stock.product_id = b.product_id;

-- The original database's table, column for column, now consistent: rows in business-date
-- order (then log order), operation_qt positive with the direction in operation_type, as
-- the original pipeline stored it, and stock the balance after the row in that order.
DROP VIEW operations;
CREATE VIEW operations AS
SELECT l.business_date AS operation_date,
       l.product_id    AS product_ID,
       l.qty_cents / 100.0 AS operation_qt,
       (b.end_cents - b.net_cents + l.date_cents) / 100.0 AS stock,
       CASE l.event_type WHEN 'StockSold' THEN 'sales' ELSE 'replenishment' END AS operation_type
FROM ledger AS l
JOIN balances AS b ON b.product_id = l.product_id AND b.business_date = l.business_date
ORDER BY l.business_date, l.partition, l."offset";

-- The books closed through a day, per partition: every partition carries its own copy of
-- a PeriodClosed event, ordered with that partition's operations. The latest accepted
-- close of each partition is kept.
CREATE TABLE closed_periods (
    partition   INTEGER PRIMARY KEY,
    through     TEXT    NOT NULL, -- YYYY-MM-DD, the last closed day
    event_id    TEXT    NOT NULL,
    "offset"    INTEGER NOT NULL,
    recorded_at TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    note        TEXT    NOT NULL
);
