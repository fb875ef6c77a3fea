-- Repairs are events (DESIGN.md): a void, a correction, a count or an adjustment is a new
-- event that names what it repairs; nothing is deleted.
--
-- The ledger keeps one row per operation that moved the stock: sales, restocks,
-- adjustments, counts, and the operation a correction records (its event_type the kind
-- it corrected, its event_id the correction's). A voided row stays, with voided_by set:
-- the effective ledger is WHERE voided_by IS NULL. The table is rebuilt because SQLite
-- cannot widen its CHECK constraints in place.
DROP VIEW operations;
DROP TRIGGER ledger_totals;

CREATE TABLE ledger_new (
    id            INTEGER PRIMARY KEY,
    partition     INTEGER NOT NULL,
    "offset"      INTEGER NOT NULL,
    event_id      TEXT    NOT NULL,
    command_id    TEXT    NOT NULL,
    command_key   INTEGER NOT NULL,
    event_type    TEXT    NOT NULL CHECK (event_type IN ('StockSold', 'StockRestocked', 'StockAdjusted', 'StockCounted')),
    product_id    TEXT    NOT NULL,
    product_seq   INTEGER NOT NULL,
    -- The quantity sold, restocked or adjusted; for a count, the size of the difference.
    qty_cents     INTEGER NOT NULL CHECK (qty_cents >= 0),
    stock_cents   INTEGER NOT NULL CHECK (stock_cents >= 0),
    business_date TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    date_cents    INTEGER NOT NULL DEFAULT 0,
    -- The row's signed movement: what every sum of stock reads.
    delta_cents   INTEGER NOT NULL,
    -- An adjustment's reason code, a count's or a correction's reason.
    reason        TEXT    NOT NULL DEFAULT '',
    -- A count's counted quantity; what the ledger expected is counted_cents - delta_cents.
    counted_cents INTEGER,
    -- For a correction's operation, the event ID of the operation it replaced.
    corrects      TEXT,
    -- The void or correction that cancelled the row, and when it was recorded.
    voided_by     TEXT,
    voided_at     TEXT
);
INSERT INTO ledger_new (id, partition, "offset", event_id, command_id, command_key, event_type, product_id,
    product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, date_cents, delta_cents)
SELECT id, partition, "offset", event_id, command_id, command_key, event_type, product_id,
    product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, date_cents,
    iif(event_type = 'StockSold', -qty_cents, qty_cents)
FROM ledger ORDER BY id;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_command ON ledger (command_key);
-- ledger_product, the list indexes and ledger_event are (re)created by 009, which a
-- replay's bulk load runs once at the end.

-- Every accepted repair: who, when, why, and what it moved. A void has no ledger row, so
-- this is where its command is found again.
CREATE TABLE repairs (
    -- Not unique: a log written by hand may give two events one ID, and a projection
    -- must never stall on what the log holds.
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    command_id      TEXT    NOT NULL,
    command_key     INTEGER NOT NULL,
    product_id      TEXT    NOT NULL,
    product_seq     INTEGER NOT NULL,
    partition       INTEGER NOT NULL,
    "offset"        INTEGER NOT NULL,
    target_event_id TEXT,
    -- What it moved the product's stock by, in all, and the stock after it.
    delta_cents     INTEGER NOT NULL,
    stock_cents     INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    business_date   TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    recorded_by     TEXT    NOT NULL,
    note            TEXT    NOT NULL
);
CREATE INDEX repairs_event ON repairs (event_id);
CREATE INDEX repairs_command ON repairs (command_key);
CREATE INDEX repairs_product ON repairs (product_id);

-- Adjustments and counts in the totals: how many, and what they moved (signed).
ALTER TABLE product_totals ADD COLUMN adjustments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_totals ADD COLUMN adjusted_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_totals ADD COLUMN adjustments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_totals ADD COLUMN adjusted_cents INTEGER NOT NULL DEFAULT 0;

-- Every operation accepted adds to the totals in the same transaction as its row; one
-- voided takes its part back.
CREATE TRIGGER ledger_totals AFTER INSERT ON ledger
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
WHEN OLD.voided_by IS NULL AND NEW.voided_by IS NOT NULL
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

-- The original database's table, column for column: only operations in effect (voided
-- ones drop out), in business-date order, operation_qt positive with the direction in
-- operation_type: 'sales', 'replenishment', 'adjustment_in', 'adjustment_out', and for a
-- count 'count_in', 'count_out' or 'count' (nothing to adjust). stock is the balance
-- after the row in that order, so the last row of a product is its stock.
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
WHERE l.voided_by IS NULL
ORDER BY l.business_date, l.partition, l."offset";
