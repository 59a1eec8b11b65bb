-- Reposting rules (issue 15). A repost may come only from a unit on the national source
-- list (稿源单位): `licensed` says an outlet is one (1) or not (0), `licence_ref` what
-- it was checked against (a list edition). A column with `licensed_only` = 1 (or under
-- one) takes articles from licensed outlets only. An outlet that withdrew its permission
-- to repost has `allow_repost` = 0: nothing more of it is taken, while what is already
-- published stays. `repost_terms` is the plain text shown under its articles.
ALTER TABLE outlets ADD COLUMN licensed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outlets ADD COLUMN licence_ref TEXT;
ALTER TABLE outlets ADD COLUMN allow_repost BIGINT NOT NULL DEFAULT 1;
ALTER TABLE outlets ADD COLUMN repost_terms TEXT;
ALTER TABLE columns ADD COLUMN licensed_only BIGINT NOT NULL DEFAULT 0;
