-- Outlet pages at any archive size: per outlet, how many of its articles are public now
-- (the pager reads one row instead of counting the outlet's archive; kept by every
-- article write, store::listings), and an index of its public articles, newest first,
-- in which a page skips its offset without reading the articles it skips.
CREATE TABLE outlet_stats (
    outlet_id    BIGINT PRIMARY KEY REFERENCES outlets (id) ON DELETE CASCADE,
    listed_count BIGINT NOT NULL
);
-- Counted as every write counts them: public articles listed in a column.
INSERT INTO outlet_stats (outlet_id, listed_count)
SELECT o.id, COUNT(a.id)
FROM outlets o
LEFT JOIN articles a ON a.outlet_id = o.id
    AND EXISTS (SELECT 1 FROM column_listings l WHERE l.article_id = a.id AND l.listed = 1)
GROUP BY o.id;

CREATE INDEX articles_public_by_outlet ON articles (outlet_id, reposted_at DESC, id DESC)
    WHERE status = 'published' AND withdrawn_at IS NULL AND embargo_until IS NULL;
