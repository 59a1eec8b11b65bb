-- Render caches follow the change clock to learn which articles changed. Changes to
-- the catalogue (columns, outlets) alter every page they name, so they bump a version
-- a cache compares with the one it rendered under.
ALTER TABLE change_clock ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0;

-- Every instance's render cache LISTENs on this channel. Each write to the clock row
-- (an article change or a catalogue change) notifies at commit; notifications of one
-- transaction fold into one.
CREATE FUNCTION syndic_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('syndic_changes', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER change_clock_notify AFTER UPDATE ON change_clock
    FOR EACH ROW EXECUTE FUNCTION syndic_notify_change();
