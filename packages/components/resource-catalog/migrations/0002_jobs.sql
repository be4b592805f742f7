-- importJob and exportJob (TMF634): job documents, their status mirrored for lists
SELECT operon_create_resource_table('resource_catalog_export_job', 'status');
SELECT operon_create_resource_table('resource_catalog_import_job', 'status');
-- the document an export job wrote, served at the job's url; kept apart so job lists stay small
CREATE TABLE IF NOT EXISTS resource_catalog_export_file (
  job_id     text PRIMARY KEY,
  content    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
