SELECT operon_create_resource_table('product_inventory', 'status');
-- TMF637 spells one status 'aborted ' (trailing space), and that is what is stored, so that responses
-- validate; list filters trim their values, so the indexed status column holds the trimmed value and
-- `status=aborted` finds those products
ALTER TABLE product_inventory DROP COLUMN status;
ALTER TABLE product_inventory ADD COLUMN status text GENERATED ALWAYS AS (rtrim(doc->>'status')) STORED;
CREATE INDEX IF NOT EXISTS product_inventory_status ON product_inventory (status, id);
