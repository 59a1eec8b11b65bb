-- WebSub subscriptions syndic holds with outlets' hubs (issue 17): a feed source whose
-- document names a hub is subscribed to it, so the outlet's changes are pushed to
-- `/websub/callback/{id}/{callback_token}` and polling slows to a fallback. Kept here,
-- not in memory, so that any instance answers the hub's verification and deliveries.
--
-- `wanted` is 1 for the one subscription a source holds now (the hub and topic its last
-- document named); 0 for one being ended (the source was deleted, or its document no
-- longer names that hub or topic): the subscriber unsubscribes it, then deletes the row.
-- So `source_id` may name a source that is gone, and has no foreign key.
-- `state`: subscribing (asked, waiting for the hub's verification), verified, denied
-- (by the hub, `last_error` its reason), failed (the hub refused or could not be
-- reached, or never verified), expired (the lease ran out), unsubscribing.
-- `secret` signs the hub's deliveries (HMAC); it is never shown. `next_action_at` is
-- when the subscriber acts next (asks, renews, retries, gives up waiting); a claim moves
-- it past its lease, as for due sources.
CREATE TABLE source_subscriptions (
    id                 INTEGER PRIMARY KEY,
    source_id          INTEGER NOT NULL,
    hub                TEXT    NOT NULL,
    topic              TEXT    NOT NULL,
    callback_token     TEXT    NOT NULL,
    secret             TEXT    NOT NULL,
    state              TEXT    NOT NULL DEFAULT 'subscribing',
    wanted             INTEGER NOT NULL DEFAULT 1,
    attempts           INTEGER NOT NULL DEFAULT 0,
    requested_at       INTEGER,
    lease_seconds      INTEGER,
    lease_expires_at   INTEGER,
    verified_at        INTEGER,
    last_delivery_at   INTEGER,
    deliveries         INTEGER NOT NULL DEFAULT 0,
    ignored_deliveries INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT,
    next_action_at     INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX source_subscriptions_wanted ON source_subscriptions (source_id) WHERE wanted = 1;
CREATE INDEX source_subscriptions_due ON source_subscriptions (next_action_at);
