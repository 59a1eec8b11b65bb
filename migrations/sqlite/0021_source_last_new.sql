-- When a poll of a source last found a new item: the dashboard calls a source silent
-- when this is long past (a feed that answers but has stopped carrying news). NULL
-- until a poll finds one; the source's creation stands in.
ALTER TABLE sources ADD COLUMN last_new_at INTEGER;
