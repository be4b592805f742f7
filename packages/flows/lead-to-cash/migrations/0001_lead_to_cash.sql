-- Lead-to-Cash flow: what each product order's fulfilment created in the components
-- (service order, resource order, products, services, resource allocations), recorded by the
-- workflow task that created it, in the same transaction, so that later tasks and compensations
-- find it again.
CREATE TABLE IF NOT EXISTS lead_to_cash_ref (
  product_order_id text NOT NULL,
  -- the plan's key of what is recorded, e.g. `so`, `item:1:product`, `item:1/cfs0`
  key              text NOT NULL,
  ref_type         text NOT NULL,
  ref_id           text NOT NULL,
  detail           jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_order_id, key)
);
