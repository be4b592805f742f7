SELECT operon_create_resource_table('service_catalog_catalog', 'lifecycleStatus');
SELECT operon_create_resource_table('service_catalog_category', 'lifecycleStatus');
SELECT operon_create_resource_table('service_catalog_candidate', 'lifecycleStatus');
SELECT operon_create_resource_table('service_catalog_specification', 'lifecycleStatus');
-- category trees are walked by parent; candidates are found by their specification (listing, and the in-use checks)
CREATE INDEX IF NOT EXISTS service_catalog_category_parent ON service_catalog_category ((doc->>'parentId'));
CREATE INDEX IF NOT EXISTS service_catalog_candidate_spec ON service_catalog_candidate ((doc->'serviceSpecification'->>'id'));
-- customer-facing and resource-facing specifications are listed apart
CREATE INDEX IF NOT EXISTS service_catalog_specification_type ON service_catalog_specification ((doc->>'@type'), status);

-- What this catalog knows of the resource specifications served beside it (TMF634), fed by their
-- events: a service specification becomes Active only once the local resource specifications it
-- needs are Active or Launched. Components share no tables; this is our own read model.
CREATE TABLE IF NOT EXISTS service_catalog_known_resource_spec (
  id               text PRIMARY KEY,
  name             text,
  lifecycle_status text,
  deleted          boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
