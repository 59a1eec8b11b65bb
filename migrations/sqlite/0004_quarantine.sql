-- Articles the content policy holds back, and hidden spam removed from articles.

-- 'published' articles appear everywhere; 'quarantined' ones nowhere public until an
-- admin releases them.
ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('published', 'quarantined'));
ALTER TABLE articles ADD COLUMN quarantine_reason TEXT;
-- Elements hidden from readers that sanitising removed: a sign the outlet's own site
-- may be compromised.
ALTER TABLE articles ADD COLUMN hidden_removed INTEGER NOT NULL DEFAULT 0;

CREATE INDEX articles_quarantined ON articles (status) WHERE status = 'quarantined';

ALTER TABLE sources ADD COLUMN items_quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN hidden_spam_removed INTEGER NOT NULL DEFAULT 0;
