-- Review before publish and the responsible editor (责任编辑), issue 15.
--
-- An outlet or a source under `review` = 'manual' has what it brings held for an
-- editor's review. A held article keeps `status` = 'published' (the content policy's
-- word, whose CHECK SQLite cannot widen without rebuilding the table) and is marked in
-- its own column instead: `review` = 'pending' until an editor approves it (NULL again)
-- or rejects it ('rejected', with `review_reason`). The PUBLIC condition asks for
-- `review IS NULL`, so a held article is invisible everywhere a quarantined one is.
-- `review_held_by` says which setting held it ('outlet' or 'source').
--
-- `editor_id` is the article's responsible editor: whoever approved it or, for an
-- article published at once, its outlet's `default_editor_id` when it was first stored.
ALTER TABLE outlets ADD COLUMN review TEXT NOT NULL DEFAULT 'auto' CHECK (review IN ('auto', 'manual'));
ALTER TABLE outlets ADD COLUMN default_editor_id BIGINT REFERENCES users (id);
ALTER TABLE sources ADD COLUMN review TEXT NOT NULL DEFAULT 'auto' CHECK (review IN ('auto', 'manual'));
ALTER TABLE articles ADD COLUMN review TEXT CHECK (review IN ('pending', 'rejected'));
ALTER TABLE articles ADD COLUMN review_held_by TEXT CHECK (review_held_by IN ('outlet', 'source'));
ALTER TABLE articles ADD COLUMN review_reason TEXT;
ALTER TABLE articles ADD COLUMN editor_id BIGINT REFERENCES users (id);
-- The review queue, oldest first, as one range of an index however large the archive.
CREATE INDEX articles_pending_review ON articles (reposted_at, id) WHERE review = 'pending';
