-- Articles deleted for good (a held article rejected in the quarantine review), with the
-- change-clock value their deletion took: a follower of the clock that keeps its own
-- copy of articles (each instance's search index) reads them to forget what is gone.
-- An id may come back (SQLite reuses the highest): a later change of that id, at a
-- later clock value, is a new article.
CREATE TABLE deleted_articles (
    article_id INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL
);
CREATE INDEX deleted_articles_at ON deleted_articles (deleted_at);
