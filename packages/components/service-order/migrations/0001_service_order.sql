SELECT operon_create_resource_table('service_order', 'state');
SELECT operon_create_resource_table('service_order_cancel', 'state');
-- orders are found by the requester's reference (e.g. the product order) and listed by date
CREATE INDEX IF NOT EXISTS service_order_external_id ON service_order ((doc->>'externalId'));
CREATE INDEX IF NOT EXISTS service_order_order_date ON service_order ((doc->>'orderDate'));
-- the cancellation requests of an order
CREATE INDEX IF NOT EXISTS service_order_cancel_order ON service_order_cancel ((doc #>> '{serviceOrder,id}'));
