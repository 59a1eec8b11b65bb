-- Images kept and served by syndic (issue 17). An outlet with `keep_images` = 1 has the
-- images of its articles (those in the content, the lead image, image enclosures)
-- fetched in the background and stored here, so every instance serves them and backups
-- include them; off (0) by default, since keeping a copy is a right an outlet grants.
ALTER TABLE outlets ADD COLUMN keep_images INTEGER NOT NULL DEFAULT 0;

-- One row per distinct image, by the SHA-256 of its bytes (hex): two articles showing
-- the same picture share one copy. `content_type` is what the bytes are (their magic
-- number), never what the outlet's server said.
CREATE TABLE media (
    hash         TEXT    PRIMARY KEY,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    bytes        BLOB    NOT NULL,
    created_at   INTEGER NOT NULL
);

-- Each image an article shows, by its original URL, and where keeping it stands:
-- `pending` (due at `due_at`, leased until `lease_until` by the instance fetching it),
-- `kept` (`media_hash` set), `refused` (not an image, too large: not retried) or
-- `failed` (given up after the configured attempts). `due_at` is NULL once it is no
-- longer pending, so the queue's claim never sees it again.
CREATE TABLE article_images (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending',
    media_hash  TEXT    REFERENCES media (hash),
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    UNIQUE (article_id, url)
);
CREATE INDEX article_images_due ON article_images (due_at);
CREATE INDEX article_images_media ON article_images (media_hash);

-- The keeper follows the change clock as the notifier does: articles changed after
-- this position have not been looked at for images yet. It starts now: articles stored
-- before keep_images existed are not fetched.
INSERT INTO notify_watermarks (name, position) SELECT 'images', last_micros FROM change_clock;
