-- When each partition's offset last moved: when the read model last took in events.
ALTER TABLE offsets ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
