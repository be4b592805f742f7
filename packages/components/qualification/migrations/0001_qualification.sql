SELECT operon_create_resource_table('qualification_product_offering', 'state');
SELECT operon_create_resource_table('qualification_check_service', 'state');
SELECT operon_create_resource_table('qualification_query_service', 'state');
-- requesters find their qualifications again by the identifier they gave
CREATE INDEX IF NOT EXISTS qualification_check_service_external_id ON qualification_check_service ((doc->>'externalId'));
CREATE INDEX IF NOT EXISTS qualification_query_service_external_id ON qualification_query_service ((doc->>'externalId'));
