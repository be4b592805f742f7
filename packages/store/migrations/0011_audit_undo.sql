-- An update's audit row keeps its document before the change as the change to undo, not as a second
-- copy: `undo` holds the top-level attributes `after` changed, with their values before (`set`),
-- and those it added (`unset`). An order's updates change a few attributes of documents of one or
-- two kilobytes, so the row no longer carries (and PostgreSQL no longer parses, compresses and logs)
-- the whole document twice. Rows written before keep `before` as it was; creates and deletes keep it.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS undo jsonb;

-- The document before the change, whichever way the row keeps it.
CREATE OR REPLACE FUNCTION operon_audit_before(before jsonb, after jsonb, undo jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN undo IS NULL THEN before
    ELSE (after - ARRAY(SELECT jsonb_array_elements_text(coalesce(undo->'unset', '[]')))) || coalesce(undo->'set', '{}')
  END
$$;
