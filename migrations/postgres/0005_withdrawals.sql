-- Withdrawals: an outlet (or admin) takes an article back. It leaves every public
-- output (its page answers 410 Gone) but stays stored, so that partners can learn of it.
ALTER TABLE articles ADD COLUMN withdrawn_at BIGINT;
