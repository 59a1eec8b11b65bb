-- HTML sources and full text (issue 17). A source is a feed (`kind` 'feed', as every
-- source was before) or an outlet's list page (`html`) whose linked article pages are
-- fetched and read by extraction. `rules` (JSON: CSS selectors and a date format, see
-- ingest::page::PageRules) override automatic extraction; NULL: automatic. A feed with
-- `full_text` = 1 has each new item's page fetched for its content.
ALTER TABLE sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'html'));
ALTER TABLE sources ADD COLUMN rules TEXT;
ALTER TABLE sources ADD COLUMN full_text INTEGER NOT NULL DEFAULT 0;

-- The agency or paper an outlet's page names as the story's origin (来源, e.g. 新华社
-- when a local paper carries a wire story); NULL when it names none.
ALTER TABLE articles ADD COLUMN credit TEXT;

-- The article pages an html source has fetched and stored, by the address its list page
-- links them under (which may differ from the article's canonical original_url), so a
-- poll fetches only pages it has not stored yet.
CREATE TABLE source_pages (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
);
