SELECT operon_create_resource_table('product_catalog_catalog', 'lifecycleStatus');
SELECT operon_create_resource_table('product_catalog_category', 'lifecycleStatus');
SELECT operon_create_resource_table('product_catalog_offering', 'lifecycleStatus');
SELECT operon_create_resource_table('product_catalog_offering_price', 'lifecycleStatus');
SELECT operon_create_resource_table('product_catalog_specification', 'lifecycleStatus');
-- the category tree is walked by parent (cycle checks, refusing to delete a category with children)
CREATE INDEX IF NOT EXISTS product_catalog_category_parent ON product_catalog_category ((doc->>'parentId'));
SELECT operon_create_resource_table('product_catalog_export_job', 'status');
SELECT operon_create_resource_table('product_catalog_import_job', 'status');
-- the document an export job wrote, served at the job's url; kept apart so job lists stay small
CREATE TABLE IF NOT EXISTS product_catalog_export_file (
  job_id     text PRIMARY KEY,
  content    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
