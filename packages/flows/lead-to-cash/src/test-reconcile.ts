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
    // one snapshot for every figure: read one after the other, an order completing in between would be
    // counted closed while its product, read before, was not yet active — a leak that is not there
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
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
    await c.query('COMMIT');
    return { used, activeResources: active.length, distinctValues: new Set(values).size, leaked, unheld, orders };
  } finally {
    await c.end();
  }
}

/**
 * For a failed reconciliation: what holds each leaked value — its allocation,
 * the task that allocated it, that run's tasks, its order and product — so a
 * failure in CI says where the value went astray.
 */
export async function explainLeaks(url: string, values: readonly string[]): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: string[] = [];
  try {
    for (const v of values) {
      const item = (await c.query<{ allocation_key: string | null; resource_id: string | null }>(
        'SELECT allocation_key, resource_id FROM resource_pool_item WHERE value = $1', [v],
      )).rows[0];
      const taskId = String(item?.allocation_key ?? '').split(':')[0] ?? '';
      const task = (await c.query<{ run_id: string; key: string; status: string; attempts: number; subject: string | null; run_status: string }>(
        `SELECT t.run_id, t.key, t.status, t.attempts, r.subject, r.status AS run_status FROM workflow_task t JOIN workflow_run r ON r.id = t.run_id WHERE t.id::text = $1`, [taskId],
      )).rows[0];
      const tasks = task ? (await c.query<{ key: string; status: string; attempts: number; error: string | null }>(
        'SELECT key, status, attempts, error FROM workflow_task WHERE run_id = $1 ORDER BY started_at NULLS LAST', [task.run_id],
      )).rows : [];
      const order = task?.subject ? (await c.query<{ state: string }>(`SELECT doc->>'state' AS state FROM product_order WHERE id = $1`, [task.subject])).rows[0] : undefined;
      const refs = task?.subject ? (await c.query<{ key: string; ref_id: string }>('SELECT key, ref_id FROM lead_to_cash_ref WHERE product_order_id = $1', [task.subject])).rows : [];
      const productId = refs.find((r) => r.key.startsWith('product:'))?.ref_id;
      const product = productId ? (await c.query<{ status: string; realizing: unknown }>(
        `SELECT doc->>'status' AS status, doc->'realizingResource' AS realizing FROM product_inventory WHERE id = $1`, [productId],
      )).rows[0] : undefined;
      out.push(JSON.stringify({ value: v, item, task, order, refs, product, tasks }));
    }
  } finally {
    await c.end();
  }
  return out;
}
