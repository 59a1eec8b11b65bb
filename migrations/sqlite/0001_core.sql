-- The core schema: outlets and their ingest tokens, the column tree, articles and the
-- columns each is reposted under.
--
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC) on both backends, so
-- that one set of queries serves SQLite and PostgreSQL alike and ordering is exact.

CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    homepage    TEXT    NOT NULL,
    language    TEXT,
    timezone    TEXT    NOT NULL,
    rights      TEXT,
    -- 'self' | 'original' | 'noindex': what the outlet's agreement says search engines get.
    indexing    TEXT    NOT NULL DEFAULT 'self' CHECK (indexing IN ('self', 'original', 'noindex')),
    -- The outlet's own feed, once a polled source gives us one.
    feed_url    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Tokens are shown once and kept only as SHA-256 digests.
CREATE TABLE outlet_tokens (
    id            INTEGER PRIMARY KEY,
    outlet_id     INTEGER NOT NULL REFERENCES outlets (id),
    token_digest  TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);

CREATE TABLE columns (
    id           INTEGER PRIMARY KEY,
    slug         TEXT    NOT NULL UNIQUE,
    title        TEXT    NOT NULL,
    description  TEXT,
    parent_id    INTEGER REFERENCES columns (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- AUTOINCREMENT: an id is never reused, because ids appear in public URLs, feed guids and
-- sitemap shard ranges.
CREATE TABLE articles (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    outlet_id              INTEGER NOT NULL REFERENCES outlets (id),
    -- The normalised original link: the article's identity.
    original_url           TEXT    NOT NULL UNIQUE,
    title                  TEXT    NOT NULL,
    subtitle               TEXT,
    author                 TEXT,
    summary                TEXT,
    content_html           TEXT,
    language               TEXT,
    tags                   TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    rights                 TEXT,
    image_url              TEXT,
    image_caption          TEXT,
    enclosures             TEXT    NOT NULL DEFAULT '[]',  -- JSON array of {url, type, length}
    original_published_at  INTEGER NOT NULL,
    original_updated_at    INTEGER,
    reposted_at            INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    -- Digest of everything the outlet controls; an unchanged resend costs no write.
    fingerprint            TEXT    NOT NULL
);

CREATE INDEX articles_newest ON articles (reposted_at DESC, id DESC);
CREATE INDEX articles_by_outlet_newest ON articles (outlet_id, reposted_at DESC, id DESC);

CREATE TABLE article_columns (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    column_id    INTEGER NOT NULL REFERENCES columns (id),
    -- 0 is the primary column (breadcrumb, canonical section).
    position     INTEGER NOT NULL,
    PRIMARY KEY (article_id, column_id)
);

CREATE INDEX article_columns_by_column ON article_columns (column_id, article_id);
