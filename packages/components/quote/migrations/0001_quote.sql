SELECT operon_create_resource_table('quote', 'state');
-- requesters find their quotes again by the identifier they gave
CREATE INDEX IF NOT EXISTS quote_external_id ON quote ((doc->>'externalId'));
-- a sales console lists a customer's quotes
CREATE INDEX IF NOT EXISTS quote_related_party ON quote USING gin ((doc->'relatedParty') jsonb_path_ops);
