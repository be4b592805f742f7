-- The relay's stamp reads the unstamped events through the partial index outbox_unstamped. Each
-- stamp leaves the index entry of the row's old version behind; only an index scan marks such
-- entries dead as it passes them, a bitmap scan visits their heap pages every time. The planner
-- picks a bitmap scan for the few rows it expects, so between two vacuums every stamp read
-- hundreds of pages (3.3 ms per stamp, a third of PostgreSQL's time under order load). The stamp
-- is a function so that it can carry its own planner setting.
CREATE OR REPLACE FUNCTION operon_outbox_stamp(batch integer)
  RETURNS TABLE (n integer, h bigint, types text[], apis text[])
  LANGUAGE plpgsql SET enable_bitmapscan = off AS $$
BEGIN
  -- plpgsql keeps the plan for the session; a SQL function with a SET clause is planned on every call
  RETURN QUERY
  WITH next AS (SELECT outbox.seq, row_number() OVER (ORDER BY outbox.seq) AS rn FROM outbox WHERE outbox.position IS NULL ORDER BY outbox.seq LIMIT batch),
       base AS (SELECT coalesce(max(outbox.position), 0) AS b FROM outbox),
       stamped AS (UPDATE outbox o SET position = base.b + next.rn FROM next, base WHERE o.seq = next.seq
                   RETURNING o.position, o.event_type, o.api)
  SELECT count(*)::int, max(stamped.position), array_agg(DISTINCT stamped.event_type), array_agg(DISTINCT stamped.api) FROM stamped;
END
$$;

-- Stamped and purged events leave dead rows at the rate events are written: vacuum the outbox by
-- row count, not by a share of a table that stays small.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0);
