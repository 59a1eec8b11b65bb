-- Sources: outlets' feeds that syndic polls, each routed into one or more columns,
-- with the HTTP validators of the last fetch and the status operators need to see.

CREATE TABLE sources (
    id                    INTEGER PRIMARY KEY,
    outlet_id             INTEGER NOT NULL REFERENCES outlets (id),
    url                   TEXT    NOT NULL,
    interval_secs         INTEGER NOT NULL,
    -- Validators from the last 200, sent back as If-None-Match / If-Modified-Since.
    etag                  TEXT,
    last_modified         TEXT,
    last_fetch_at         INTEGER,
    last_status           INTEGER,
    last_error            TEXT,
    items_seen            INTEGER NOT NULL DEFAULT 0,
    items_new             INTEGER NOT NULL DEFAULT 0,
    items_updated         INTEGER NOT NULL DEFAULT 0,
    items_refused         INTEGER NOT NULL DEFAULT 0,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    next_fetch_at         INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    UNIQUE (outlet_id, url)
);

CREATE INDEX sources_due ON sources (next_fetch_at);

CREATE TABLE source_columns (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    column_id  INTEGER NOT NULL REFERENCES columns (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (source_id, column_id)
);
