-- Reorder points (issue 20; docs/architecture.md, "Reorder points and alerts").
--
-- The threshold each product has, as its ThresholdSet and ThresholdCleared events left it.
-- location is '' for a threshold on the product's total over all its locations (the one
-- set without --location; for a product kept in main only, its total is main's stock), or
-- the location it watches. A ThresholdCleared deletes the row.
CREATE TABLE thresholds (
    product_id    TEXT    NOT NULL,
    location      TEXT    NOT NULL,
    min_cents     INTEGER NOT NULL CHECK (min_cents >= 0),
    reorder_cents INTEGER NOT NULL DEFAULT 0 CHECK (reorder_cents >= 0),
    lead_days     INTEGER NOT NULL DEFAULT 0 CHECK (lead_days >= 0),
    -- The event that set it.
    event_id      TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    recorded_by   TEXT    NOT NULL,
    PRIMARY KEY (product_id, location)
) WITHOUT ROWID;

-- Each time an accepted event took a watched stock (a product's total, or its stock in a
-- location with a threshold of its own) from above its minimum to at or below it
-- ('below_min'), or from above zero to zero ('zero', which a product's total is always
-- watched for): decided by the projection in log order, so a replay writes the same rows.
-- One event may make several (a transfer: its source; a sale: the total and its location).
-- A ThresholdSet whose minimum is at or above the stock it watches, which was above the
-- minimum before, is a crossing too. Read by the notifier (serve --notify-url).
CREATE TABLE crossings (
    partition     INTEGER NOT NULL,
    "offset"      INTEGER NOT NULL,
    location      TEXT    NOT NULL,
    product_id    TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('below_min', 'zero')),
    stock_cents   INTEGER NOT NULL CHECK (stock_cents >= 0),
    -- The minimum crossed; NULL for a zero crossing of a stock with no threshold.
    min_cents     INTEGER,
    event_id      TEXT    NOT NULL,
    event_type    TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    PRIMARY KEY (partition, "offset", location)
) WITHOUT ROWID;

-- What the notifier has delivered (or given up on), per partition: every crossing of the
-- partition below next_offset is done. It records a side effect, not a fact of the log, so
-- a replay copies it into the model it builds before the swap.
CREATE TABLE notified (
    partition   INTEGER PRIMARY KEY,
    next_offset INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL
);
