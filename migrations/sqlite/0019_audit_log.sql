-- The audit log: every change a person (or the admin token, or the command line) makes
-- to the catalogue, users, tokens, sources, partners, the quarantine and withdrawals,
-- and every login and failed login, each written in the transaction of the change it
-- records. `actor`, `action` and `target` are the machine names of `domain::Actor` and
-- `domain::audit`; `before` and `after` are JSON objects of the fields that changed
-- (never a secret), NULL when there is nothing on that side. `at` in microseconds (UTC).
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    before  TEXT,
    after   TEXT
);

-- Read newest first (by id, the primary key), whole or filtered by actor, target, action
-- or a time.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only: the database itself refuses to change or remove an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries are never updated');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries are never deleted');
END;
