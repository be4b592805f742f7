-- Who changed what, when, and how: one row per write, in the same transaction as the write.
-- Append-only: rows can be added, never changed or removed (a restore loads it as a whole).
CREATE TABLE IF NOT EXISTS audit_log (
  seq            bigserial PRIMARY KEY,
  at             timestamptz NOT NULL,
  principal_id   text NOT NULL,
  principal_name text,
  roles          text[] NOT NULL DEFAULT '{}',
  action         text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  api            text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text NOT NULL,
  version        integer,
  before         jsonb,
  after          jsonb,
  correlation_id text
);
CREATE INDEX IF NOT EXISTS audit_log_resource ON audit_log (resource_type, resource_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_principal ON audit_log (principal_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);

CREATE OR REPLACE FUNCTION operon_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION operon_audit_append_only();
