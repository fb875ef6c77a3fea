-- What the log failed to give. A stockctl topic never compacts, so it holds a record at
-- every offset: a missing offset, or a record given again at an offset already passed,
-- is a damaged segment or records deleted behind stockctl's back, and every later event
-- of the products in that partition may be judged against a history that lacks it.
CREATE TABLE log_gaps (
    partition    INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,
    last_offset  INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('missing', 'out_of_order')),
    detail       TEXT    NOT NULL,
    PRIMARY KEY (partition, first_offset, kind)
) WITHOUT ROWID;
