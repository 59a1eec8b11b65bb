-- Partner syndication: a change clock that orders every article change by commit,
-- archive positions, embargo and expiry, per-outlet rights, partner tokens, and the
-- durable queues of outbound notifications (WebSub, search-engine pings).

-- Every article write takes its `updated_at` from this one row inside its transaction.
-- The row lock serialises writers, so `updated_at` is unique and grows in commit order:
-- a reader that has seen a change has seen every earlier one (partner cursors and the
-- notifier's watermark rely on it).
CREATE TABLE change_clock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_micros  INTEGER NOT NULL
);
INSERT INTO change_clock (id, last_micros) SELECT 1, COALESCE(MAX(updated_at), 0) FROM articles;

-- The clock value at which an article first became public: its place in its columns'
-- RFC 5005 archives. Never changes afterwards, so archive pages stay put.
ALTER TABLE articles ADD COLUMN archive_seq INTEGER;
UPDATE articles SET archive_seq = reposted_at WHERE status = 'published';
-- An embargo: invisible everywhere until then.
ALTER TABLE articles ADD COLUMN embargo_until INTEGER;
-- The end of the repost right: withdrawn automatically then.
ALTER TABLE articles ADD COLUMN expires_at INTEGER;

CREATE INDEX articles_changes ON articles (updated_at, id);
CREATE INDEX articles_archive ON articles (archive_seq, id) WHERE archive_seq IS NOT NULL;
CREATE INDEX articles_embargoed ON articles (embargo_until) WHERE embargo_until IS NOT NULL;
CREATE INDEX articles_expiring ON articles (expires_at) WHERE expires_at IS NOT NULL AND withdrawn_at IS NULL;

-- What the syndication agreement lets public feeds and partners carry.
ALTER TABLE outlets ADD COLUMN feed_content TEXT NOT NULL DEFAULT 'full'
    CHECK (feed_content IN ('full', 'summary'));
ALTER TABLE outlets ADD COLUMN partner_content TEXT NOT NULL DEFAULT 'full'
    CHECK (partner_content IN ('full', 'summary', 'none'));

-- Partners read the article API; tokens are kept as SHA-256 digests.
CREATE TABLE partners (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    token_digest  TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);

-- A partner with rows here reads only these columns (and their sub-columns).
CREATE TABLE partner_columns (
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    column_id   INTEGER NOT NULL REFERENCES columns (id),
    PRIMARY KEY (partner_id, column_id)
);

-- How far each outbound notifier has read the change clock.
CREATE TABLE notify_watermarks (
    name      TEXT    PRIMARY KEY,
    position  INTEGER NOT NULL
);
INSERT INTO notify_watermarks (name, position) SELECT 'changes', last_micros FROM change_clock;

-- WebSub (un)subscription requests waiting for their intent to be verified.
CREATE TABLE websub_requests (
    id             INTEGER PRIMARY KEY,
    mode           TEXT    NOT NULL CHECK (mode IN ('subscribe', 'unsubscribe')),
    topic          TEXT    NOT NULL,
    callback       TEXT    NOT NULL,
    lease_seconds  INTEGER NOT NULL,
    secret         TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    due_at         INTEGER NOT NULL,
    lease_until    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX websub_requests_due ON websub_requests (due_at);

CREATE TABLE websub_subscriptions (
    id          INTEGER PRIMARY KEY,
    topic       TEXT    NOT NULL,
    callback    TEXT    NOT NULL,
    secret      TEXT,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (topic, callback)
);

-- At most one pending delivery per subscription: the feed is rendered when it is sent,
-- so one delivery carries every change since the last. `change_seq` is the latest
-- change it must cover; a delivery is finished only if no newer change arrived meanwhile.
CREATE TABLE websub_deliveries (
    subscription_id  INTEGER PRIMARY KEY REFERENCES websub_subscriptions (id) ON DELETE CASCADE,
    change_seq       INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    lease_until      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
);
CREATE INDEX websub_deliveries_due ON websub_deliveries (due_at);

-- URLs waiting to be announced to a target: an IndexNow endpoint, Baidu's link push,
-- or an external WebSub hub (topics).
CREATE TABLE outbound_pings (
    id           INTEGER PRIMARY KEY,
    target       TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    due_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (target, url)
);
CREATE INDEX outbound_pings_due ON outbound_pings (target, due_at);
