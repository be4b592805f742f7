-- Transactional outbox: every event is written here in the same commit as the change it reports.
-- `seq` orders inserts; `position` is stamped by the single relay leader after commit, in seq
-- order, so consumers can follow a gap-free cursor even when transactions commit out of order.
CREATE TABLE IF NOT EXISTS outbox (
  seq           bigserial PRIMARY KEY,
  event_id      uuid NOT NULL,
  api           text NOT NULL,
  event_type    text NOT NULL,
  resource_type text NOT NULL,
  resource_id   text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  position      bigint UNIQUE
);
CREATE INDEX IF NOT EXISTS outbox_unstamped ON outbox (seq) WHERE position IS NULL;
CREATE INDEX IF NOT EXISTS outbox_resource ON outbox (resource_type, resource_id);

CREATE OR REPLACE FUNCTION operon_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('operon_outbox', '');
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION operon_outbox_notify();

-- Consumers of the event stream: TMF hub listeners (kind 'hub') and in-process subscribers
-- (kind 'local'). Each keeps its own cursor and retry state, so one slow or dead listener never
-- holds up another.
CREATE TABLE IF NOT EXISTS event_consumer (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('hub', 'local')),
  api             text,
  callback        text,
  query           text,
  position        bigint NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error      text,
  delivered       bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Deliveries that exhausted their retries; listed and replayed through the API.
CREATE TABLE IF NOT EXISTS event_dead_letter (
  id            text PRIMARY KEY,
  consumer_id   text NOT NULL,
  position      bigint NOT NULL,
  event_id      uuid NOT NULL,
  event_type    text NOT NULL,
  api           text NOT NULL,
  resource_type text NOT NULL,
  resource_id   text NOT NULL,
  payload       jsonb NOT NULL,
  attempts      integer NOT NULL,
  last_error    text,
  status        text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'replayed')),
  failed_at     timestamptz NOT NULL DEFAULT now(),
  replayed_at   timestamptz
);
CREATE INDEX IF NOT EXISTS event_dead_letter_consumer ON event_dead_letter (consumer_id, status);

-- Every TMF resource type is a table of the same shape: the document as JSONB, a row version for
-- optimistic concurrency, and generated columns for what lists filter and sort on most.
-- Components call this from their own migrations.
CREATE OR REPLACE FUNCTION operon_create_resource_table(tbl text, status_attr text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'CREATE TABLE IF NOT EXISTS %I (
       id         text PRIMARY KEY,
       version    integer NOT NULL DEFAULT 1,
       doc        jsonb NOT NULL,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       name       text GENERATED ALWAYS AS (doc->>''name'') STORED,
       status     text GENERATED ALWAYS AS (%s) STORED
     )', tbl, CASE WHEN status_attr IS NULL THEN 'NULL::text' ELSE format('doc->>%L', status_attr) END);
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (doc jsonb_path_ops)', tbl || '_doc', tbl);
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (name, id)', tbl || '_name', tbl);
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (updated_at)', tbl || '_updated', tbl);
  IF status_attr IS NOT NULL THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (status, id)', tbl || '_status', tbl);
  END IF;
END $$;
