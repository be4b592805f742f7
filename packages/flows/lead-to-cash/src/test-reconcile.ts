/**
 * The inventory reconciliation the crash and contention tests
 * assert, read straight from the database — every pool value held is held by
 * exactly one resource of an active product, and nothing else holds one.
 */
import pg from 'pg';

export interface Reconciliation {
  /** Pool values currently allocated. */
  used: number;
  /** Resources realizing active products (one row per product and resource). */
  activeResources: number;
  /** Distinct values of those resources. */
  distinctValues: number;
  /** Allocated values that no active product is realized by (leaked). */
  leaked: string[];
  /** Resources of active products whose pool value is not allocated (allocated twice, or released too early). */
  unheld: string[];
  /** Orders by state. */
  orders: Record<string, number>;
}

export async function reconcile(url: string): Promise<Reconciliation> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const used = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM resource_pool_item WHERE allocation_key IS NOT NULL')).rows[0]!.n);
    const active = (await c.query<{ resource_id: string }>(
      `SELECT r->>'id' AS resource_id FROM product_inventory p, jsonb_array_elements(coalesce(p.doc->'realizingResource', '[]')) r WHERE p.doc->>'status' = 'active'`,
    )).rows.map((r) => r.resource_id);
    const values = (await c.query<{ value: string }>(
      `SELECT i.value FROM resource_pool_item i WHERE i.resource_id = ANY($1::text[])`, [active],
    )).rows.map((r) => r.value);
    const leaked = (await c.query<{ value: string }>(
      `SELECT value FROM resource_pool_item WHERE allocation_key IS NOT NULL AND (resource_id IS NULL OR NOT (resource_id = ANY($1::text[])))`, [active],
    )).rows.map((r) => r.value);
    const unheld = (await c.query<{ resource_id: string }>(
      `SELECT x AS resource_id FROM unnest($1::text[]) x WHERE NOT EXISTS (SELECT 1 FROM resource_pool_item i WHERE i.resource_id = x AND i.allocation_key IS NOT NULL)`, [active],
    )).rows.map((r) => r.resource_id);
    const orders = Object.fromEntries((await c.query<{ state: string; n: string }>(
      `SELECT doc->>'state' AS state, count(*) AS n FROM product_order GROUP BY 1`,
    )).rows.map((r) => [r.state, Number(r.n)]));
    return { used, activeResources: active.length, distinctValues: new Set(values).size, leaked, unheld, orders };
  } finally {
    await c.end();
  }
}
