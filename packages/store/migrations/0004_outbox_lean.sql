-- Every event updates each outbox index twice (insert, then the relay's stamp). Nothing in the
-- running system looks events up by resource, so that index only cost writes.
DROP INDEX IF EXISTS outbox_resource;
