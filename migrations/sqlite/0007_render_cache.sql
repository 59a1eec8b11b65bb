-- Render caches follow the change clock to learn which articles changed. Changes to
-- the catalogue (columns, outlets) alter every page they name, so they bump a version
-- a cache compares with the one it rendered under.
ALTER TABLE change_clock ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0;
