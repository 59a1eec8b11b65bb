-- The people who run the portal: each logs in by username, acts with a role, and may be
-- limited to some columns. Passwords are kept only as argon2id PHC strings; the personal
-- API token only as its SHA-256 digest (NULL: none issued). A disabled user (disabled_at
-- set) is refused everywhere at once, keeping its row so its past changes still name it.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    real_name      TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash  TEXT    NOT NULL,
    token_digest   TEXT    UNIQUE,
    disabled_at    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- A user with rows here sees and changes only these columns (and their sub-columns); no
-- rows: every column. A column cannot be removed while a user is limited to it, which
-- would widen that user to every column.
CREATE TABLE user_columns (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    column_id  INTEGER NOT NULL REFERENCES columns (id),
    PRIMARY KEY (user_id, column_id)
);
