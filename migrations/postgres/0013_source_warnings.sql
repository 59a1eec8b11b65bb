-- What the last poll of a source found wrong with the document while still reading
-- items from it (cut off, mismatched tags, undefined entities, control characters),
-- as a JSON array of sentences: the operator sees that an outlet's feed is damaged
-- before it costs articles.
ALTER TABLE sources ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
