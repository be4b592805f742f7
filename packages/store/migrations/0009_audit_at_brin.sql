-- The audit trail is appended in time order, so a block-range index finds a period nearly as well as
-- a B-tree, at no cost per audited write (the B-tree took an index entry for every row, one of the
-- largest shares of what an order writes to the WAL).
DROP INDEX IF EXISTS audit_log_at;
CREATE INDEX IF NOT EXISTS audit_log_at_range ON audit_log USING brin (at);
