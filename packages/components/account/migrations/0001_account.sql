SELECT operon_create_resource_table('account_party', 'state');
SELECT operon_create_resource_table('account_billing', 'state');
SELECT operon_create_resource_table('account_settlement', 'state');
SELECT operon_create_resource_table('account_financial', 'state');
SELECT operon_create_resource_table('account_billing_cycle_spec', NULL);
SELECT operon_create_resource_table('account_bill_format', NULL);
SELECT operon_create_resource_table('account_bill_presentation_media', NULL);
-- the accounts that roll up into a financial account, or are billed on a cycle or in a format:
-- counted before such a financial account is closed or deleted, or such a cycle or format deleted
CREATE INDEX IF NOT EXISTS account_party_financial ON account_party ((doc #>> '{financialAccount,id}'));
CREATE INDEX IF NOT EXISTS account_billing_financial ON account_billing ((doc #>> '{financialAccount,id}'));
CREATE INDEX IF NOT EXISTS account_settlement_financial ON account_settlement ((doc #>> '{financialAccount,id}'));
CREATE INDEX IF NOT EXISTS account_party_cycle ON account_party ((doc #>> '{billStructure,cycleSpecification,id}'));
CREATE INDEX IF NOT EXISTS account_billing_cycle ON account_billing ((doc #>> '{billStructure,cycleSpecification,id}'));
CREATE INDEX IF NOT EXISTS account_settlement_cycle ON account_settlement ((doc #>> '{billStructure,cycleSpecification,id}'));
CREATE INDEX IF NOT EXISTS account_party_format ON account_party ((doc #>> '{billStructure,format,id}'));
CREATE INDEX IF NOT EXISTS account_billing_format ON account_billing ((doc #>> '{billStructure,format,id}'));
CREATE INDEX IF NOT EXISTS account_settlement_format ON account_settlement ((doc #>> '{billStructure,format,id}'));
