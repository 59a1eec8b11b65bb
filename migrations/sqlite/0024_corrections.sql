-- Editors' corrections (issue 15). An editor's version of an article is kept beside
-- the outlet's, never over it: the outlet's own fields (its title is the 原标题, the
-- original title) stay as the outlet last sent them, and a later push or poll updates
-- them alone. `edited_X` NULL: field X is not edited (the outlet's shows); '' : edited
-- to nothing; any other text: the editor's value. An edited image is `edited_image_url`
-- ('' for none) with `edited_image_caption`. `edited_at`/`edited_by` say when and who
-- last edited (NULL while nothing is). `outlet_corrected_at`: the outlet changed its
-- version after the edit, and an editor has not yet decided which one shows.
ALTER TABLE articles ADD COLUMN edited_title TEXT;
ALTER TABLE articles ADD COLUMN edited_subtitle TEXT;
ALTER TABLE articles ADD COLUMN edited_summary TEXT;
ALTER TABLE articles ADD COLUMN edited_content_html TEXT;
ALTER TABLE articles ADD COLUMN edited_image_url TEXT;
ALTER TABLE articles ADD COLUMN edited_image_caption TEXT;
ALTER TABLE articles ADD COLUMN edited_at INTEGER;
ALTER TABLE articles ADD COLUMN edited_by TEXT;
ALTER TABLE articles ADD COLUMN outlet_corrected_at INTEGER;
CREATE INDEX articles_outlet_corrected ON articles (outlet_corrected_at) WHERE outlet_corrected_at IS NOT NULL;
-- A column with `strict_titles` = 1 (or under one) refuses an editor's title that
-- differs from the original title by more than punctuation, symbols and spacing.
ALTER TABLE columns ADD COLUMN strict_titles INTEGER NOT NULL DEFAULT 0;
