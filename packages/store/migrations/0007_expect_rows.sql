-- A write sent ahead of the next statement (Tx.writeWithNext) has nobody to read its row count:
-- it states what it expects, and a write that did not happen fails its transaction rather than
-- being lost without a word.
CREATE OR REPLACE FUNCTION operon_expect_rows(n bigint, expected bigint, what text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF n <> expected THEN
    RAISE EXCEPTION 'operon: % wrote % rows, expected %', what, n, expected;
  END IF;
END
$$;
