-- When an article a column lists (or listed, before a withdrawal or re-filing) last
-- changed, its sub-columns' included: the column page's sitemap lastmod, kept by every
-- article write instead of read from every article.
ALTER TABLE column_stats ADD COLUMN last_change BIGINT;

UPDATE column_stats SET last_change = (
    SELECT MAX(a.updated_at) FROM column_listings l JOIN articles a ON a.id = l.article_id
    WHERE l.column_id = column_stats.column_id AND l.listed = 1
);
