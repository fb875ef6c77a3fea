-- Totals kept up to date as operations are accepted, so that the dashboard and reports
-- read a few thousand rows instead of scanning the ledger: per product, and per day over
-- all products. A replay keeps them in memory and writes them once, at the end (see
-- Create and Finish).
CREATE TABLE product_totals (
    product_id      TEXT    PRIMARY KEY,
    sales           INTEGER NOT NULL,
    restocks        INTEGER NOT NULL,
    sold_cents      INTEGER NOT NULL,
    restocked_cents INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE day_totals (
    day             TEXT    PRIMARY KEY, -- YYYY-MM-DD of the business date
    sales           INTEGER NOT NULL,
    restocks        INTEGER NOT NULL,
    sold_cents      INTEGER NOT NULL,
    restocked_cents INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO product_totals
SELECT product_id, count(*) FILTER (WHERE event_type = 'StockSold'), count(*) FILTER (WHERE event_type = 'StockRestocked'),
       coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockSold'), 0), coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockRestocked'), 0)
FROM ledger GROUP BY product_id;

INSERT INTO day_totals
SELECT substr(business_date, 1, 10) AS day, count(*) FILTER (WHERE event_type = 'StockSold'), count(*) FILTER (WHERE event_type = 'StockRestocked'),
       coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockSold'), 0), coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockRestocked'), 0)
FROM ledger GROUP BY day;

-- The ledger is append-only: every accepted operation adds to the totals in the same
-- transaction as its row.
CREATE TRIGGER ledger_totals AFTER INSERT ON ledger
BEGIN
    INSERT INTO product_totals VALUES (NEW.product_id,
        NEW.event_type = 'StockSold', NEW.event_type = 'StockRestocked',
        iif(NEW.event_type = 'StockSold', NEW.qty_cents, 0), iif(NEW.event_type = 'StockRestocked', NEW.qty_cents, 0))
    ON CONFLICT (product_id) DO UPDATE SET sales = sales + excluded.sales, restocks = restocks + excluded.restocks,
        sold_cents = sold_cents + excluded.sold_cents, restocked_cents = restocked_cents + excluded.restocked_cents;
    INSERT INTO day_totals VALUES (substr(NEW.business_date, 1, 10),
        NEW.event_type = 'StockSold', NEW.event_type = 'StockRestocked',
        iif(NEW.event_type = 'StockSold', NEW.qty_cents, 0), iif(NEW.event_type = 'StockRestocked', NEW.qty_cents, 0))
    ON CONFLICT (day) DO UPDATE SET sales = sales + excluded.sales, restocks = restocks + excluded.restocks,
        sold_cents = sold_cents + excluded.sold_cents, restocked_cents = restocked_cents + excluded.restocked_cents;
END;
