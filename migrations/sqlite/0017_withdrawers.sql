-- Who withdrew an article, for its 410 page: 'outlet' (one of its tokens), 'site' (the
-- admin or the command line) or 'expiry' (its repost right ended). Articles withdrawn
-- before this migration keep NULL: not known, and their page says only "withdrawn".
-- Cleared, with withdrawn_at, when the article is published again.
ALTER TABLE articles ADD COLUMN withdrawn_by TEXT CHECK (withdrawn_by IN ('outlet', 'site', 'expiry'));
