-- The operations ledger: one row per accepted event, appended in the order applied.
CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY,
    partition     INTEGER NOT NULL,
    "offset"      INTEGER NOT NULL,
    event_id      TEXT    NOT NULL,
    command_id    TEXT    NOT NULL,
    -- A 63-bit hash of command_id: a small index to find a command's earlier acceptance.
    command_key   INTEGER NOT NULL,
    event_type    TEXT    NOT NULL CHECK (event_type IN ('StockSold', 'StockRestocked')),
    product_id    TEXT    NOT NULL,
    product_seq   INTEGER NOT NULL,
    qty_cents     INTEGER NOT NULL CHECK (qty_cents > 0),
    stock_cents   INTEGER NOT NULL CHECK (stock_cents >= 0),
    business_date TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    note          TEXT    NOT NULL
);
CREATE INDEX ledger_command ON ledger (command_key);
-- ledger_product (product_id, product_seq) is created by 002, after a replay's bulk load.

-- The original database's table, column for column: signed quantities (negative for
-- sales), stock after the operation, dates as YYYY-MM-DD HH:MM:SS; ordered by business
-- date, then log position, the same on every replay.
CREATE VIEW operations AS
SELECT business_date AS operation_date,
       product_id    AS product_ID,
       CASE event_type WHEN 'StockSold' THEN -qty_cents ELSE qty_cents END / 100.0 AS operation_qt,
       stock_cents / 100.0 AS stock,
       CASE event_type WHEN 'StockSold' THEN 'sales' ELSE 'replenishment' END AS operation_type
FROM ledger
ORDER BY business_date, partition, "offset";

-- Current stock per product.
CREATE TABLE stock (
    product_id  TEXT    PRIMARY KEY,
    seq         INTEGER NOT NULL,
    stock_cents INTEGER NOT NULL CHECK (stock_cents >= 0),
    last_date   TEXT    NOT NULL
);

-- Events the log's rule refused, with the reason.
CREATE TABLE rejected_events (
    position      INTEGER PRIMARY KEY,
    partition     INTEGER NOT NULL,
    "offset"      INTEGER NOT NULL,
    event_id      TEXT    NOT NULL,
    command_id    TEXT    NOT NULL,
    event_type    TEXT    NOT NULL,
    product_id    TEXT    NOT NULL,
    qty_cents     INTEGER NOT NULL,
    expected_seq  INTEGER NOT NULL,
    reason        TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    note          TEXT    NOT NULL
);
CREATE INDEX rejected_events_product ON rejected_events (product_id);

-- Records on the topic that are not stockctl events.
CREATE TABLE skipped_records (
    position  INTEGER PRIMARY KEY,
    partition INTEGER NOT NULL,
    "offset"  INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
);

-- The next offset to apply per partition, committed with the rows it produced.
CREATE TABLE offsets (
    partition   INTEGER PRIMARY KEY,
    next_offset INTEGER NOT NULL
);

-- What log this model was built from: topic and partition count.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
