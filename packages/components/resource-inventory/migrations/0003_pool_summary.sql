-- What an allocation reads of a pool: the pool without its lists of values. A port pool lists its
-- ports (thousands for an OLT), a SIM pool its cards; choosing a pool read every candidate's whole
-- document (decompressed again for each attribute the choice looks at) and handed the chosen one's
-- back with every value taken, for the caller to parse. The summary is kept beside the document,
-- small enough to stay in the row, and the pool's resources are described from it.
ALTER TABLE resource_pool ADD COLUMN IF NOT EXISTS summary jsonb
  GENERATED ALWAYS AS (doc - '{values,simCards,exclude}'::text[]) STORED;

-- as in 0002, choosing and describing pools from their summary
CREATE OR REPLACE FUNCTION operon_allocate(
  p_key text, p_request jsonb, p_keyed boolean, p_pool text, p_kind text, p_spec text, p_area text, p_count integer, p_ids text[]
) RETURNS TABLE (outcome text, pool jsonb, pool_id text, seq integer, value text, extra jsonb, resource_id text, fresh boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  pl record;
  it record;
  pools integer := 0;
  fresh_ids integer := 0;
  -- the values taken, in the order taken (pool preference, then the pool's order)
  t_pool jsonb[] := '{}';
  t_pool_id text[] := '{}';
  t_seq integer[] := '{}';
  t_value text[] := '{}';
  t_extra jsonb[] := '{}';
  t_resource text[] := '{}';
  t_fresh boolean[] := '{}';
  k integer;
BEGIN
  IF p_keyed THEN
    -- a second use of the key waits here for the first's commit, then finds it
    INSERT INTO resource_allocation (reservation_key, request) VALUES (p_key, p_request) ON CONFLICT (reservation_key) DO NOTHING;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'exists'::text, NULL::jsonb, NULL::text, NULL::integer, NULL::text, NULL::jsonb, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  ELSE
    INSERT INTO resource_allocation (reservation_key, request) VALUES (p_key, p_request);
  END IF;

  FOR pl IN
    SELECT p.id, p.summary AS doc FROM resource_pool p
     WHERE (p_pool IS NOT NULL AND p.id = p_pool)
        OR (p_pool IS NULL
            AND (p_kind IS NULL OR p.summary->>'kind' = p_kind)
            AND (p_spec IS NULL OR p.summary->'resourceSpecification'->>'id' = p_spec)
            AND (p_area IS NULL OR p.summary->>'accessArea' = p_area OR p.summary->>'accessArea' IS NULL))
     ORDER BY (p.summary->>'accessArea') IS NULL, p.created_at, p.id
  LOOP
    pools := pools + 1;
    EXIT WHEN cardinality(t_seq) >= p_count;
    FOR it IN
      SELECT i.pool_id, i.seq, i.value, i.extra, i.resource_id FROM resource_pool_item i
       WHERE i.pool_id = pl.id AND i.allocation_key IS NULL
         AND (i.resource_id IS NULL OR EXISTS (SELECT 1 FROM resource_inventory r WHERE r.id = i.resource_id
               AND r.status = 'available' AND coalesce(r.doc->>'administrativeState', 'unlocked') = 'unlocked'))
       ORDER BY i.seq LIMIT p_count - cardinality(t_seq) FOR UPDATE OF i SKIP LOCKED
    LOOP
      t_pool := array_append(t_pool, pl.doc);
      t_pool_id := array_append(t_pool_id, it.pool_id);
      t_seq := array_append(t_seq, it.seq);
      t_value := array_append(t_value, it.value);
      t_extra := array_append(t_extra, it.extra);
      t_fresh := array_append(t_fresh, (it.resource_id IS NULL));
      IF it.resource_id IS NULL THEN
        fresh_ids := fresh_ids + 1;
        t_resource := array_append(t_resource, p_ids[fresh_ids]);
      ELSE
        t_resource := array_append(t_resource, it.resource_id);
      END IF;
    END LOOP;
  END LOOP;

  IF pools = 0 OR cardinality(t_seq) < p_count THEN
    -- nothing is written: the caller's transaction goes on as if this was never asked
    DELETE FROM resource_allocation a WHERE a.reservation_key = p_key;
    RETURN QUERY SELECT CASE WHEN pools > 0 THEN 'short' WHEN p_pool IS NULL THEN 'noPool' ELSE 'unknownPool' END,
      NULL::jsonb, NULL::text, NULL::integer, cardinality(t_seq)::text, NULL::jsonb, NULL::text, NULL::boolean;
    RETURN;
  END IF;

  UPDATE resource_pool_item i SET allocation_key = p_key, allocated_at = now(), resource_id = x.rid
    FROM unnest(t_pool_id, t_seq, t_resource) AS x(pid, s, rid)
   WHERE i.pool_id = x.pid AND i.seq = x.s;

  FOR k IN 1 .. cardinality(t_seq) LOOP
    outcome := 'taken'; pool := t_pool[k]; pool_id := t_pool_id[k]; seq := t_seq[k]; value := t_value[k]; extra := t_extra[k];
    resource_id := t_resource[k];
    fresh := t_fresh[k];
    RETURN NEXT;
  END LOOP;
END
$$;
