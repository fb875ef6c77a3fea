-- Locations (issue 19; docs/architecture.md, "Locations"). A product's stock is kept per
-- location once it has had an operation outside main; until then main's stock is the
-- product's, and nothing per location is written for it.
--
-- The ledger gains each row's location and, for a transfer (one row: it moves the product
-- total by 0), its destination, and the row's running total within its date in its
-- location (place_cents; NULL for a row of a product kept in main only, whose running
-- total there is date_cents). The table is rebuilt because SQLite cannot widen its
-- event_type CHECK in place; 011 recreates its indexes.
DROP VIEW operations;
DROP TRIGGER ledger_totals;
DROP TRIGGER ledger_totals_void;

CREATE TABLE ledger_new (
    id            INTEGER PRIMARY KEY,
    partition     INTEGER NOT NULL,
    "offset"      INTEGER NOT NULL,
    event_id      TEXT    NOT NULL,
    command_id    TEXT    NOT NULL,
    command_key   INTEGER NOT NULL,
    event_type    TEXT    NOT NULL CHECK (event_type IN ('StockSold', 'StockRestocked', 'StockAdjusted', 'StockCounted', 'StockTransferred')),
    product_id    TEXT    NOT NULL,
    product_seq   INTEGER NOT NULL,
    qty_cents     INTEGER NOT NULL CHECK (qty_cents >= 0),
    stock_cents   INTEGER NOT NULL CHECK (stock_cents >= 0),
    business_date TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    date_cents    INTEGER NOT NULL DEFAULT 0,
    delta_cents   INTEGER NOT NULL,
    reason        TEXT    NOT NULL DEFAULT '',
    counted_cents INTEGER,
    corrects      TEXT,
    voided_by     TEXT,
    voided_at     TEXT,
    -- Where it happened; a transfer's source.
    location      TEXT    NOT NULL DEFAULT 'main',
    -- A transfer's destination, and its running total within its date there.
    to_location   TEXT,
    to_cents      INTEGER,
    -- Its running total within its date in its location; NULL: date_cents.
    place_cents   INTEGER
);
INSERT INTO ledger_new (id, partition, "offset", event_id, command_id, command_key, event_type, product_id,
    product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, date_cents, delta_cents,
    reason, counted_cents, corrects, voided_by, voided_at)
SELECT id, partition, "offset", event_id, command_id, command_key, event_type, product_id,
    product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, date_cents, delta_cents,
    reason, counted_cents, corrects, voided_by, voided_at
FROM ledger ORDER BY id;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_command ON ledger (command_key);

-- The totals count sales, restocks and repairs; a transfer moves no total.
CREATE TRIGGER ledger_totals AFTER INSERT ON ledger WHEN NEW.event_type != 'StockTransferred'
BEGIN
    INSERT INTO product_totals VALUES (NEW.product_id,
        NEW.event_type = 'StockSold', NEW.event_type = 'StockRestocked',
        iif(NEW.event_type = 'StockSold', NEW.qty_cents, 0), iif(NEW.event_type = 'StockRestocked', NEW.qty_cents, 0),
        NEW.event_type IN ('StockAdjusted', 'StockCounted'), iif(NEW.event_type IN ('StockAdjusted', 'StockCounted'), NEW.delta_cents, 0))
    ON CONFLICT (product_id) DO UPDATE SET sales = sales + excluded.sales, restocks = restocks + excluded.restocks,
        sold_cents = sold_cents + excluded.sold_cents, restocked_cents = restocked_cents + excluded.restocked_cents,
        adjustments = adjustments + excluded.adjustments, adjusted_cents = adjusted_cents + excluded.adjusted_cents;
    INSERT INTO day_totals VALUES (substr(NEW.business_date, 1, 10),
        NEW.event_type = 'StockSold', NEW.event_type = 'StockRestocked',
        iif(NEW.event_type = 'StockSold', NEW.qty_cents, 0), iif(NEW.event_type = 'StockRestocked', NEW.qty_cents, 0),
        NEW.event_type IN ('StockAdjusted', 'StockCounted'), iif(NEW.event_type IN ('StockAdjusted', 'StockCounted'), NEW.delta_cents, 0))
    ON CONFLICT (day) DO UPDATE SET sales = sales + excluded.sales, restocks = restocks + excluded.restocks,
        sold_cents = sold_cents + excluded.sold_cents, restocked_cents = restocked_cents + excluded.restocked_cents,
        adjustments = adjustments + excluded.adjustments, adjusted_cents = adjusted_cents + excluded.adjusted_cents;
END;

CREATE TRIGGER ledger_totals_void AFTER UPDATE OF voided_by ON ledger
WHEN OLD.voided_by IS NULL AND NEW.voided_by IS NOT NULL AND OLD.event_type != 'StockTransferred'
BEGIN
    UPDATE product_totals SET sales = sales - (OLD.event_type = 'StockSold'), restocks = restocks - (OLD.event_type = 'StockRestocked'),
        sold_cents = sold_cents - iif(OLD.event_type = 'StockSold', OLD.qty_cents, 0),
        restocked_cents = restocked_cents - iif(OLD.event_type = 'StockRestocked', OLD.qty_cents, 0),
        adjustments = adjustments - (OLD.event_type IN ('StockAdjusted', 'StockCounted')),
        adjusted_cents = adjusted_cents - iif(OLD.event_type IN ('StockAdjusted', 'StockCounted'), OLD.delta_cents, 0)
    WHERE product_id = OLD.product_id;
    UPDATE day_totals SET sales = sales - (OLD.event_type = 'StockSold'), restocks = restocks - (OLD.event_type = 'StockRestocked'),
        sold_cents = sold_cents - iif(OLD.event_type = 'StockSold', OLD.qty_cents, 0),
        restocked_cents = restocked_cents - iif(OLD.event_type = 'StockRestocked', OLD.qty_cents, 0),
        adjustments = adjustments - (OLD.event_type IN ('StockAdjusted', 'StockCounted')),
        adjusted_cents = adjusted_cents - iif(OLD.event_type IN ('StockAdjusted', 'StockCounted'), OLD.delta_cents, 0)
    WHERE day = substr(OLD.business_date, 1, 10);
END;

-- The original database's table, product-level as it always was: transfers, which move
-- no product's stock, are not in it (see 008 for the rest).
CREATE VIEW operations AS
SELECT l.business_date AS operation_date,
       l.product_id    AS product_ID,
       abs(l.delta_cents) / 100.0 AS operation_qt,
       (b.end_cents - b.net_cents + l.date_cents) / 100.0 AS stock,
       CASE l.event_type
           WHEN 'StockSold' THEN 'sales'
           WHEN 'StockRestocked' THEN 'replenishment'
           WHEN 'StockAdjusted' THEN iif(l.delta_cents < 0, 'adjustment_out', 'adjustment_in')
           ELSE CASE WHEN l.delta_cents < 0 THEN 'count_out' WHEN l.delta_cents > 0 THEN 'count_in' ELSE 'count' END
       END AS operation_type
FROM ledger AS l
JOIN balances AS b ON b.product_id = l.product_id AND b.business_date = l.business_date
WHERE l.voided_by IS NULL AND l.event_type != 'StockTransferred'
ORDER BY l.business_date, l.partition, l."offset";

-- The locations each partition knows, as its copies of the location events left them.
CREATE TABLE locations (
    partition   INTEGER NOT NULL,
    location_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    closed      INTEGER NOT NULL DEFAULT 0,
    -- The event that last changed it in this partition.
    event_id    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    PRIMARY KEY (partition, location_id)
);

-- A product's stock in each location, once it has had an operation outside main (stock.spread
-- = 1); its main row then starts from what the product held.
ALTER TABLE stock ADD COLUMN spread INTEGER NOT NULL DEFAULT 0;
CREATE TABLE place_stock (
    product_id     TEXT    NOT NULL,
    location_id    TEXT    NOT NULL,
    stock_cents    INTEGER NOT NULL CHECK (stock_cents >= 0),
    last_date      TEXT    NOT NULL,
    date_net_cents INTEGER NOT NULL,
    PRIMARY KEY (product_id, location_id)
);
CREATE INDEX place_stock_location ON place_stock (location_id);

-- balances (007) per location, for the products in place_stock: main's dates are copied
-- from balances when a product first leaves main.
CREATE TABLE place_balances (
    product_id    TEXT    NOT NULL,
    location_id   TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    end_cents     INTEGER NOT NULL,
    net_cents     INTEGER NOT NULL,
    low_cents     INTEGER NOT NULL,
    high_cents    INTEGER NOT NULL,
    PRIMARY KEY (product_id, location_id, business_date)
) WITHOUT ROWID;

-- Every product's stock per location: main's is the product's for one kept in main only.
CREATE VIEW location_stock AS
SELECT product_id, 'main' AS location_id, stock_cents, last_date FROM stock WHERE spread = 0
UNION ALL
SELECT product_id, location_id, stock_cents, last_date FROM place_stock;
