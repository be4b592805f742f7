-- TMF639 resources: physical and logical, one collection
SELECT operon_create_resource_table('resource_inventory', 'resourceStatus');
-- looked up by the network and the flows: a phone number, an address, a serial number
CREATE INDEX IF NOT EXISTS resource_inventory_value ON resource_inventory ((doc->>'value'));
CREATE INDEX IF NOT EXISTS resource_inventory_serial ON resource_inventory ((doc->>'serialNumber'));
CREATE INDEX IF NOT EXISTS resource_inventory_category ON resource_inventory ((doc->>'category'));

-- resource pools (Operon extension modelled on TMF685)
SELECT operon_create_resource_table('resource_pool');
CREATE INDEX IF NOT EXISTS resource_pool_kind ON resource_pool ((doc->>'kind'));
CREATE INDEX IF NOT EXISTS resource_pool_area ON resource_pool ((doc->>'accessArea'));

-- one allocation per reservation key: what was asked (a repeat must ask the same) and when it ended
CREATE TABLE IF NOT EXISTS resource_allocation (
  reservation_key text PRIMARY KEY,
  request         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz
);

-- every value of every pool, written when the pool is created; allocation takes free rows
-- with FOR UPDATE SKIP LOCKED, so concurrent allocations never wait for each other
CREATE TABLE IF NOT EXISTS resource_pool_item (
  pool_id        text NOT NULL REFERENCES resource_pool (id) ON DELETE CASCADE,
  seq            integer NOT NULL,
  -- values are unique per domain: the kind (VLAN ids: the kind and the access area)
  domain         text NOT NULL,
  value          text NOT NULL,
  -- what else the handed-out resource carries (a SIM card's IMSI)
  extra          jsonb,
  -- the TMF639 resource the value became when first handed out, kept across releases
  resource_id    text UNIQUE REFERENCES resource_inventory (id),
  allocation_key text REFERENCES resource_allocation (reservation_key),
  allocated_at   timestamptz,
  PRIMARY KEY (pool_id, seq)
);
-- a value belongs to one pool only: never handed out twice, whatever the pools
CREATE UNIQUE INDEX IF NOT EXISTS resource_pool_item_value ON resource_pool_item (domain, value);
-- the free values of a pool, in order: what allocation scans
CREATE INDEX IF NOT EXISTS resource_pool_item_free ON resource_pool_item (pool_id, seq) WHERE allocation_key IS NULL;
CREATE INDEX IF NOT EXISTS resource_pool_item_allocation ON resource_pool_item (allocation_key) WHERE allocation_key IS NOT NULL;
