SELECT operon_create_resource_table('resource_order', 'state');
SELECT operon_create_resource_table('resource_order_cancel', 'state');
-- orders are found by the requester's reference (e.g. the service order) and listed by date
CREATE INDEX IF NOT EXISTS resource_order_external_id ON resource_order ((doc->>'externalId'));
CREATE INDEX IF NOT EXISTS resource_order_order_date ON resource_order ((doc->>'orderDate'));
-- the cancellation requests of an order
CREATE INDEX IF NOT EXISTS resource_order_cancel_order ON resource_order_cancel ((doc #>> '{resourceOrder,id}'));
