-- Sitemaps read every article's id, change time and public state, in id order: a
-- covering index lets them do so without reading the articles' bodies (most of the
-- table's pages).
CREATE INDEX articles_sitemap ON articles (id, updated_at, outlet_id, status, withdrawn_at, embargo_until);
