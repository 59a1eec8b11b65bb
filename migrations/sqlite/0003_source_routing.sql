-- Routing rules and filters of a source, and why its items were refused.

-- An item whose category (or whose text, for a keyword) matches `value` is reposted
-- under `column_id` as well as the source's own columns.
CREATE TABLE source_routes (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    match_kind  TEXT    NOT NULL CHECK (match_kind IN ('category', 'keyword')),
    value       TEXT    NOT NULL,
    column_id   INTEGER NOT NULL REFERENCES columns (id)
);

-- With any `include` keyword, only items containing one are taken; items containing
-- an `exclude` keyword never are.
CREATE TABLE source_filters (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('include', 'exclude')),
    keyword    TEXT    NOT NULL
);

-- JSON object: reason -> count of items refused for it in the last poll.
ALTER TABLE sources ADD COLUMN refusals TEXT NOT NULL DEFAULT '{}';
