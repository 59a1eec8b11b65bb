-- Column listings: every column's articles, its sub-columns' included, in the orders
-- its feeds, pages and archives read them, so that the newest N of a column, a page of
-- its listing and an RFC 5005 archive page are index range scans, and their counts
-- one row, however many articles the archive holds. The store keeps them in the same
-- transaction as every article write (Store::commit_change).

-- Each column with itself and every column above it.
CREATE TABLE column_ancestors (
    column_id   BIGINT NOT NULL REFERENCES columns (id) ON DELETE CASCADE,
    ancestor_id BIGINT NOT NULL REFERENCES columns (id) ON DELETE CASCADE,
    PRIMARY KEY (column_id, ancestor_id)
);
WITH RECURSIVE up (column_id, ancestor_id) AS (
    SELECT id, id FROM columns
    UNION
    SELECT up.column_id, c.parent_id FROM up JOIN columns c ON c.id = up.ancestor_id WHERE c.parent_id IS NOT NULL
)
INSERT INTO column_ancestors (column_id, ancestor_id) SELECT column_id, ancestor_id FROM up;

-- One row per column an article is listed under (directly or through a sub-column).
-- `listed` is 1 while the article is public; `position` is its place in the column's
-- archives, given once when it first becomes public and never changed.
CREATE TABLE column_listings (
    column_id   BIGINT NOT NULL REFERENCES columns (id) ON DELETE CASCADE,
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    reposted_at BIGINT NOT NULL,
    listed      BIGINT NOT NULL,
    position    BIGINT,
    PRIMARY KEY (column_id, article_id)
);
CREATE INDEX column_listings_newest ON column_listings (column_id, listed, reposted_at DESC, article_id DESC);
CREATE UNIQUE INDEX column_listings_archive ON column_listings (column_id, position);
CREATE INDEX column_listings_by_article ON column_listings (article_id);

-- Per column: articles listed now, and the next archive position to give.
CREATE TABLE column_stats (
    column_id     BIGINT PRIMARY KEY REFERENCES columns (id) ON DELETE CASCADE,
    listed_count  BIGINT NOT NULL,
    next_position BIGINT NOT NULL
);

-- The listings of the articles stored so far: archive positions in archive order.
INSERT INTO column_listings (column_id, article_id, reposted_at, listed, position)
SELECT t.ancestor_id, t.id, t.reposted_at, t.listed,
       CASE WHEN t.archive_seq IS NULL THEN NULL
            ELSE ROW_NUMBER() OVER (PARTITION BY t.ancestor_id, t.archived ORDER BY t.archive_seq, t.id) - 1 END
FROM (SELECT DISTINCT ca.ancestor_id, a.id, a.reposted_at, a.archive_seq,
             CASE WHEN a.archive_seq IS NULL THEN 0 ELSE 1 END AS archived,
             CASE WHEN a.status = 'published' AND a.withdrawn_at IS NULL AND a.embargo_until IS NULL
                  THEN 1 ELSE 0 END AS listed
      FROM articles a
      JOIN article_columns ac ON ac.article_id = a.id
      JOIN column_ancestors ca ON ca.column_id = ac.column_id) t;
INSERT INTO column_stats (column_id, listed_count, next_position)
SELECT c.id, COALESCE(SUM(l.listed), 0), COUNT(l.position)
FROM columns c LEFT JOIN column_listings l ON l.column_id = c.id
GROUP BY c.id;
