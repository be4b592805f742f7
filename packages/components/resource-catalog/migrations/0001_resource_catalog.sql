SELECT operon_create_resource_table('resource_catalog_catalog', 'lifecycleStatus');
SELECT operon_create_resource_table('resource_catalog_category', 'lifecycleStatus');
SELECT operon_create_resource_table('resource_catalog_candidate', 'lifecycleStatus');
SELECT operon_create_resource_table('resource_catalog_specification', 'lifecycleStatus');
-- category trees are walked by parent; candidates are found by their specification (listing, and the in-use checks)
CREATE INDEX IF NOT EXISTS resource_catalog_category_parent ON resource_catalog_category ((doc->>'parentId'));
CREATE INDEX IF NOT EXISTS resource_catalog_candidate_spec ON resource_catalog_candidate ((doc->'resourceSpecification'->>'id'));
-- logical, physical and function specifications are listed apart
CREATE INDEX IF NOT EXISTS resource_catalog_specification_type ON resource_catalog_specification ((doc->>'@type'), status);

-- Which service specifications of the Service Catalog (TMF633) served beside us need which of our
-- resource specifications, fed by their events: a resource specification that an Active or Launched
-- service specification needs cannot be retired or deleted. Components share no tables; this is
-- our own read model.
CREATE TABLE IF NOT EXISTS resource_catalog_service_spec_use (
  service_spec_id     text NOT NULL,
  resource_spec_id    text NOT NULL,
  service_spec_name   text,
  service_spec_status text,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_spec_id, resource_spec_id)
);
CREATE INDEX IF NOT EXISTS resource_catalog_service_spec_use_resource ON resource_catalog_service_spec_use (resource_spec_id);
