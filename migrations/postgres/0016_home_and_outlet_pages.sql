-- The home page is paginated like column and outlet pages: an index of the public
-- articles, newest first, in which a page skips its offset without reading the
-- articles it skips (its pager counts them from outlet_stats, one row an outlet).
CREATE INDEX articles_public_newest ON articles (reposted_at DESC, id DESC)
    WHERE status = 'published' AND withdrawn_at IS NULL AND embargo_until IS NULL;

-- Outlet pages are listed in the sitemap, dated like column pages: when an article the
-- outlet page lists (or listed, until that change: a withdrawal) last changed, kept by
-- every article write (store::listings) instead of read from every article.
ALTER TABLE outlet_stats ADD COLUMN last_change BIGINT;

UPDATE outlet_stats SET last_change = (
    SELECT MAX(a.updated_at) FROM articles a
    WHERE a.outlet_id = outlet_stats.outlet_id
      AND a.status = 'published' AND a.withdrawn_at IS NULL AND a.embargo_until IS NULL
);
