-- Pending WebSub verifications are capped per callback host (notify::websub), counted
-- in this table so that every instance sharing the database sees the same count. The
-- host is what the hub derives from the callback URL (its name, or its address; an
-- IPv6 address by its /64). Requests queued before this migration have no host and
-- count only toward the total cap; they are verified or given up within minutes.
ALTER TABLE websub_requests ADD COLUMN callback_host TEXT NOT NULL DEFAULT '';
CREATE INDEX websub_requests_host ON websub_requests (callback_host);
