-- Console sessions, kept in the database so that every instance accepts them. The
-- session id itself (256 random bits, in the browser's cookie) is never stored: only its
-- SHA-256 digest, so a copy of this table lets no one sign in. Each session carries its
-- own CSRF secret (the synchronizer token its forms echo), when it began and was last
-- seen (idle expiry), where it ends whatever happens (absolute expiry), and the address
-- and browser it began from, shown only to its user. A deleted user's sessions go with it.
CREATE TABLE console_sessions (
    id_digest     TEXT    PRIMARY KEY,
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_secret   TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    address       TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL
);
CREATE INDEX console_sessions_by_user ON console_sessions (user_id);

-- Failed logins, one row each, under the account name tried and under the address it
-- came from: login throttling counts them in a window, shared by every instance.
CREATE TABLE login_failures (
    kind    TEXT    NOT NULL CHECK (kind IN ('account', 'address')),
    subject TEXT    NOT NULL,
    at      BIGINT  NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (kind, subject, at);

-- A user's own console language, overriding the site's; NULL: the site's.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('zh', 'en'));
