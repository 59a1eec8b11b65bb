-- Kept images for articles stored before `keep_images` was turned on (issue 17). The
-- image keeper follows the change clock from where it stands, so an outlet's older
-- articles are never changes it sees; this cursor has it go through them once: NULL
-- when there is nothing to go through, else the id after which the outlet's articles
-- are still to be looked at. Turning `keep_images` on sets it to 0; the keeper moves it
-- one batch at a time (a conditional update, as for the watermarks, so instances share
-- it) and sets it back to NULL after the last.
ALTER TABLE outlets ADD COLUMN images_backfill_after INTEGER;

-- Outlets that keep images already have articles stored before 0027: go through them.
UPDATE outlets SET images_backfill_after = 0 WHERE keep_images = 1;
