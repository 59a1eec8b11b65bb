-- The sitemap index at any archive size: per block of 1,000 article ids and per outlet,
-- how many of those articles are public and when the latest of them (public or not)
-- last changed. Shards are whole blocks, so the index reads a row per block and outlet
-- instead of every article. Kept by every article write (store::listings, whose
-- SITEMAP_BLOCK_IDS is the 1000 below); public articles are counted as every write
-- counts them: listed in a column.
CREATE TABLE sitemap_blocks (
    block        BIGINT NOT NULL,
    outlet_id    BIGINT NOT NULL REFERENCES outlets (id) ON DELETE CASCADE,
    listed_count BIGINT NOT NULL,
    last_change  BIGINT NOT NULL,
    PRIMARY KEY (block, outlet_id)
);
INSERT INTO sitemap_blocks (block, outlet_id, listed_count, last_change)
SELECT id / 1000, outlet_id,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM column_listings l WHERE l.article_id = a.id AND l.listed = 1)
                THEN 1 ELSE 0 END),
       MAX(updated_at)
FROM articles a
GROUP BY id / 1000, outlet_id;
