SELECT operon_create_resource_table('geographic_address', NULL);
SELECT operon_create_resource_table('geographic_address_validation', 'state');
SELECT operon_create_resource_table('geographic_site', NULL);

-- qualification asks which access area serves an address; operators list the addresses of an area
CREATE INDEX IF NOT EXISTS geographic_address_access_area ON geographic_address ((doc->>'accessArea'));
CREATE INDEX IF NOT EXISTS geographic_address_postcode ON geographic_address ((doc->>'postcode'));
CREATE INDEX IF NOT EXISTS geographic_address_city ON geographic_address ((doc->>'city'));
CREATE INDEX IF NOT EXISTS geographic_site_access_area ON geographic_site ((doc->>'accessArea'));
CREATE INDEX IF NOT EXISTS geographic_site_status ON geographic_site ((doc->>'status'));
CREATE INDEX IF NOT EXISTS geographic_site_code ON geographic_site ((doc->>'code'));

-- The normalised matching keys of every stored address (case, whitespace, diacritics and common
-- abbreviations folded by the component, src/matching.ts), so that address validation finds its
-- candidates by index instead of reading every address of a city. Written in the same transaction
-- as the address; the key row is checked against its address at commit (the key is written first).
CREATE TABLE IF NOT EXISTS geographic_address_key (
  address_id text PRIMARY KEY REFERENCES geographic_address (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  street     text,
  street_nr  text,
  city       text,
  postcode   text,
  country    text
);
CREATE INDEX IF NOT EXISTS geographic_address_key_postcode ON geographic_address_key (postcode, street);
CREATE INDEX IF NOT EXISTS geographic_address_key_city ON geographic_address_key (city, street);

-- sites that name an address as their place: an address still used by a site is not deleted
CREATE INDEX IF NOT EXISTS geographic_site_place ON geographic_site USING gin ((doc->'place') jsonb_path_ops);
