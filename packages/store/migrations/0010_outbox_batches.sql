-- The outbox kept one row per event, and the relay's stamp wrote each row a second time, payload and
-- all, with new entries in two indexes: about half of what an order wrote to the WAL (48 events, 390
-- WAL records, 165 KB). A transaction's events are now one row, in the order they were raised, and
-- the stamp gives the row a range of positions. An event's position is the same as before (one per
-- event, gap-free, in commit order), so cursors, hub consumers and event streams are unchanged.
CREATE TABLE IF NOT EXISTS outbox_batch (
  seq            bigserial PRIMARY KEY,
  n              integer NOT NULL CHECK (n > 0),
  -- what the events are, so that a consumer skips a row without reading its events
  types          text[] NOT NULL,
  apis           text[] NOT NULL,
  -- [{eventId, api, eventType, resourceType, resourceId, payload}]; json, not jsonb: it is only
  -- stored and handed back whole, and jsonb would build every payload again on the way in and out
  events         json NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  first_position bigint,
  last_position  bigint UNIQUE,
  CHECK ((first_position IS NULL) = (last_position IS NULL)),
  CHECK (last_position IS NULL OR last_position - first_position + 1 = n)
);
-- Stored out of line and uncompressed: the stamp then writes a new version of a short row (the
-- events stay where they are), and no CPU goes to compressing what is purged within days.
ALTER TABLE outbox_batch ALTER COLUMN events SET STORAGE EXTERNAL;
CREATE INDEX IF NOT EXISTS outbox_batch_unstamped ON outbox_batch (seq) WHERE last_position IS NULL;
ALTER TABLE outbox_batch SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0);

-- What the outbox held moves over as it was: a stamped event keeps its position, unstamped events
-- wait to be stamped in the order they were written.
INSERT INTO outbox_batch (n, types, apis, events, created_at, first_position, last_position)
  SELECT 1, ARRAY[event_type], ARRAY[api],
         json_build_array(json_build_object('eventId', event_id, 'api', api, 'eventType', event_type,
           'resourceType', resource_type, 'resourceId', resource_id, 'payload', payload)),
         created_at, position, position
    FROM outbox ORDER BY position NULLS LAST, seq;
DROP FUNCTION IF EXISTS operon_outbox_stamp(integer);
DROP TABLE outbox;

-- One row per event, for reading (operations, tests, ad-hoc queries); the relay and the event
-- streams read outbox_batch by position. seq orders the events as they were written.
CREATE VIEW outbox AS
  SELECT b.seq * 1048576 + (e.i - 1) AS seq,
         (e.ev->>'eventId')::uuid AS event_id,
         e.ev->>'api' AS api,
         e.ev->>'eventType' AS event_type,
         e.ev->>'resourceType' AS resource_type,
         e.ev->>'resourceId' AS resource_id,
         (e.ev->'payload')::jsonb AS payload,
         b.created_at,
         b.first_position + e.i - 1 AS position
    FROM outbox_batch b CROSS JOIN LATERAL json_array_elements(b.events) WITH ORDINALITY AS e(ev, i);

-- Stamps committed, unstamped rows with the next positions, in the order they were written, and
-- hands them back (the relay passes them to its consumers without reading them again). Bitmap scans
-- off for the reason given in 0006_outbox_stamp.sql.
CREATE OR REPLACE FUNCTION operon_outbox_stamp_batches(batch integer)
  RETURNS TABLE (f bigint, l bigint, t text[], a text[], ev text)
  LANGUAGE plpgsql SET enable_bitmapscan = off AS $$
DECLARE
  base bigint;
  stamped integer;
BEGIN
  SELECT coalesce(max(o.last_position), 0) INTO base FROM outbox_batch o;
  RETURN QUERY
  WITH next AS (SELECT o.seq, o.n, sum(o.n) OVER (ORDER BY o.seq) AS upto
                  FROM outbox_batch o WHERE o.last_position IS NULL ORDER BY o.seq LIMIT batch)
  UPDATE outbox_batch o SET first_position = base + next.upto - next.n + 1, last_position = base + next.upto
    FROM next WHERE o.seq = next.seq
  RETURNING o.first_position, o.last_position, o.types, o.apis, o.events::text;
  GET DIAGNOSTICS stamped = ROW_COUNT;
  -- tells every node's event streams that there is something to read
  IF stamped > 0 THEN
    PERFORM pg_notify('operon_stamped', (SELECT max(o.last_position) FROM outbox_batch o)::text);
  END IF;
END
$$;
