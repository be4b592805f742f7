-- Tables whose documents nodes keep in memory (DocumentCache) tell every node of each change when
-- it commits, whoever makes it: through the API, a job, a restore or plain SQL.
CREATE OR REPLACE FUNCTION operon_document_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('operon_document_changed', TG_TABLE_NAME || ':*');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('operon_document_changed', TG_TABLE_NAME || ':' || OLD.id);
  ELSE
    PERFORM pg_notify('operon_document_changed', TG_TABLE_NAME || ':' || NEW.id);
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
      PERFORM pg_notify('operon_document_changed', TG_TABLE_NAME || ':' || OLD.id);
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- Components call this from their migrations for tables they declare cached.
CREATE OR REPLACE FUNCTION operon_cache_documents(tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS operon_document_changed ON %I', tbl);
  EXECUTE format('CREATE TRIGGER operon_document_changed AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION operon_document_changed()', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS operon_documents_truncated ON %I', tbl);
  EXECUTE format('CREATE TRIGGER operon_documents_truncated AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION operon_document_changed()', tbl);
END $$;
