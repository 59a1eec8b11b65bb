-- One story from many outlets (issue 17). `likeness`: the MinHash signature of the
-- outlet's title and content text (`domain::likeness`, hexadecimal), NULL when the
-- text is too short to compare. `duplicate_of`: the earliest public article of
-- another outlet, stored in the seven days before this one, whose text is a
-- near-duplicate of this one's, decided when this article is stored or changed by its
-- outlet. `shadowed`: 1 while it is a duplicate and that original is public (kept by
-- every article write, `store::duplicates`); site-wide feeds and listings, and the
-- columns that ask for it, leave shadowed articles out.
ALTER TABLE articles ADD COLUMN likeness TEXT;
ALTER TABLE articles ADD COLUMN duplicate_of INTEGER;
ALTER TABLE articles ADD COLUMN shadowed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_duplicate_of ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- The lookup: one key per band of an article's signature, with the article's repost
-- time. Articles sharing a key are compared; the primary key is the index every lookup
-- reads. Rows older than two windows (14 days) are pruned by the writes that add rows,
-- so the table holds a fortnight of articles whatever the archive's size.
CREATE TABLE article_bands (
    band_key INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    reposted_at INTEGER NOT NULL,
    PRIMARY KEY (band_key, article_id)
);
CREATE INDEX article_bands_article ON article_bands (article_id);
CREATE INDEX article_bands_age ON article_bands (reposted_at);
-- A column whose feeds and pages leave shadowed articles out, as site-wide ones do.
ALTER TABLE columns ADD COLUMN hide_duplicates INTEGER NOT NULL DEFAULT 0;
-- Per outlet, its public articles that are shadowed: the site-wide count is the sum of
-- listed_count less this.
ALTER TABLE outlet_stats ADD COLUMN shadowed_count INTEGER NOT NULL DEFAULT 0;
