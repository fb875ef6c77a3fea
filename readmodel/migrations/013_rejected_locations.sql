-- A rejected operation's location, so a location's history lists what was refused there
-- too: the event's own location (its source for a transfer, to_location its destination),
-- a void's or correction's its target's. NULL for a rejected event that concerns no
-- product's location (a location or period event) and for rows written before this
-- migration, whose location the log still holds: a replay fills it in.
ALTER TABLE rejected_events ADD COLUMN location TEXT;
ALTER TABLE rejected_events ADD COLUMN to_location TEXT;
