-- A NOTIFY inside a transaction takes a database-wide lock held until the commit's disk flush,
-- which serialised every write behind the previous fsync (about 300 commits/s instead of ~900
-- on the benchmark machine). The relay is now woken in-process after commit, and other nodes
-- by a throttled notification sent outside the writing transaction.
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS operon_outbox_notify();
