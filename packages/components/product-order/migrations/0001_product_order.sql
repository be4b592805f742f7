SELECT operon_create_resource_table('product_order', 'state');
SELECT operon_create_resource_table('product_order_cancel', 'state');
-- consoles find orders by the customer's own reference and list them by date
-- (relatedParty.id and productOrderItem.product.id filters use the document's GIN index)
CREATE INDEX IF NOT EXISTS product_order_external_id ON product_order ((doc->>'externalId'));
CREATE INDEX IF NOT EXISTS product_order_order_date ON product_order ((doc->>'orderDate'));
-- the cancellation requests of an order
CREATE INDEX IF NOT EXISTS product_order_cancel_order ON product_order_cancel ((doc #>> '{productOrder,id}'));
