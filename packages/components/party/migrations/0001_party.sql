SELECT operon_create_resource_table('party_individual', 'status');
SELECT operon_create_resource_table('party_organization', 'status');
-- people are looked up by name far more than by anything else
CREATE INDEX IF NOT EXISTS party_individual_family_name ON party_individual ((doc->>'familyName'));
CREATE INDEX IF NOT EXISTS party_individual_given_name ON party_individual ((doc->>'givenName'));
CREATE INDEX IF NOT EXISTS party_organization_trading_name ON party_organization ((doc->>'tradingName'));
