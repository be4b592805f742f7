import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { client, op, pools, spec, withResourceOperon, type Pool, type Resource } from './test-api.ts';

withResourceOperon();

type Reply = { status: number; body: { reservationKey?: string; resource?: Resource[]; code?: string; message?: string } };

/**
 * Up to 400 connections at once: every request is sent at the same moment and
 * queues on the client side beyond that, since a listen backlog of 511 (Node's
 * default) resets connections past it. The server's 8 database connections
 * are the real contention point either way.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 400 });
afterAll(() => agent.destroy());

/** POSTs without the per-reply spec check of the client (a thousand at once is the point). */
function post(path: string, body: unknown): Promise<Reply> {
  const url = new URL(`${client.baseUrl}${path}`);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['body'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('allocation under concurrency', () => {
  it('1,000 concurrent requests on 500 IPv4 addresses: exactly 500 succeed, all distinct; the rest fail cleanly', async () => {
    // a /23 holds 510 hosts; ten are kept back (gateways), leaving 500
    const exclude = Array.from({ length: 10 }, (_, i) => `10.20.0.${i + 1}`);
    const p = await client.create<Pool>('/resourcePool', { name: 'Contended /23', kind: 'ipv4', cidr: '10.20.0.0/23', exclude, accessArea: 'RACE-1', resourceSpecification: spec('rs-ipv4') });
    expect(p.capacity).toEqual({ total: 500, used: 0, free: 500, units: 'ipv4Address' });

    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) =>
      post('/resourcePool/reserve', i % 2 ? { resourcePool: { id: p.id }, reservationKey: `race-${i}` } : { kind: 'ipv4', accessArea: 'RACE-1', reservationKey: `race-${i}` })));
    const elapsed = Date.now() - started;

    const ok = replies.filter((r) => r.status === 201);
    const failed = replies.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(500);
    expect(failed).toHaveLength(500);
    // a clear error, never a server error
    for (const f of failed) {
      expect(f.status, JSON.stringify(f.body)).toBe(409);
      expect(f.body.code).toBe('noCapacity');
      expect(f.body.message).toMatch(/no free value left/);
      expect(client.oracle!.errors('Error', f.body)).toEqual([]);
    }
    const values = ok.map((r) => String(r.body.resource![0]!['value']));
    expect(new Set(values).size).toBe(500);
    expect(values.every((v) => /^10\.20\.[01]\.\d+$/.test(v) && !exclude.includes(v))).toBe(true);
    for (const r of ok.slice(0, 20)) expect(client.oracle!.errors('Resource', r.body.resource![0])).toEqual([]);

    // the database agrees, and the failures left nothing behind
    const db = await op.db.query<{ allocated: number; keys: number; resources: number; distinct_resources: number }>(
      `SELECT (SELECT count(*) FROM resource_pool_item WHERE pool_id = $1 AND allocation_key IS NOT NULL)::int AS allocated,
              (SELECT count(*) FROM resource_allocation WHERE reservation_key LIKE 'race-%')::int AS keys,
              (SELECT count(*) FROM resource_inventory WHERE doc->>'value' LIKE '10.20.%')::int AS resources,
              (SELECT count(DISTINCT doc->>'value') FROM resource_inventory WHERE doc->>'value' LIKE '10.20.%')::int AS distinct_resources`,
      [p.id],
    );
    expect(db.rows[0]).toEqual({ allocated: 500, keys: 500, resources: 500, distinct_resources: 500 });
    const winners = new Set(ok.map((r) => r.body.reservationKey));
    const keyed = await op.db.query<{ reservation_key: string }>(`SELECT reservation_key FROM resource_allocation WHERE reservation_key LIKE 'race-%'`);
    expect(keyed.rows.every((k) => winners.has(k.reservation_key))).toBe(true);
    const events = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE event_type = 'ResourceCreateEvent' AND payload::text LIKE '%10.20.%'`);
    expect(events.rows[0]!.n).toBe(500);
    expect(await pools.capacity({ poolId: p.id })).toMatchObject({ total: 500, used: 500, free: 0 });
    console.info(`1000 concurrent reservations on 500 addresses: ${ok.length} reserved, ${failed.length} refused (409) in ${elapsed} ms`);

    // release a hundred, then race 200 requests for them: exactly those hundred come back, once each
    const freed = ok.slice(0, 100);
    const released = await Promise.all(freed.map((r) => post('/resourcePool/release', { reservationKey: r.body.reservationKey })));
    expect(released.every((r) => r.status === 200 && r.body.resource![0]!.resourceStatus === 'available')).toBe(true);
    const again = await Promise.all(Array.from({ length: 200 }, (_, i) => post('/resourcePool/reserve', { resourcePool: { id: p.id }, reservationKey: `again-${i}` })));
    const ok2 = again.filter((r) => r.status === 201);
    expect(ok2).toHaveLength(100);
    expect(again.filter((r) => r.status === 409)).toHaveLength(100);
    expect(new Set(ok2.map((r) => r.body.resource![0]!['value']))).toEqual(new Set(freed.map((r) => r.body.resource![0]!['value'])));
    // the same resources, reserved again
    expect(new Set(ok2.map((r) => r.body.resource![0]!.id))).toEqual(new Set(freed.map((r) => r.body.resource![0]!.id)));
    expect(await pools.capacity({ poolId: p.id })).toMatchObject({ used: 500, free: 0 });
  }, 120_000);

  it('concurrent repeats of one reservationKey allocate once', async () => {
    const p = await client.create<Pool>('/resourcePool', { name: 'Repeats', kind: 'vlan', range: { start: '200', end: '299' }, accessArea: 'RACE-2', resourceSpecification: spec('rs-vlan') });
    const replies = await Promise.all(Array.from({ length: 50 }, () => post('/resourcePool/reserve', { resourcePool: { id: p.id }, count: 2, reservationKey: 'same-key' })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(replies.map((r) => r.body.resource!.map((x) => x['value']).join()))).toEqual(new Set(['200,201']));
    expect(await pools.capacity({ poolId: p.id })).toMatchObject({ used: 2, free: 98 });
  }, 60_000);

  it('programmatic allocations, each in its caller\'s transaction, contend the same way: 300 for 100 values', async () => {
    const p = await pools.createPool({ name: 'Flow numbers', kind: 'msisdn', range: { start: '491510000000', end: '491510000099' }, resourceSpecification: spec('rs-msisdn') }, { baseUrl: op.url });
    const id = String(p.doc['id']);
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) =>
      op.db.tx((tx) => pools.allocate({ poolId: id, reservationKey: `flow-${i}` }, { baseUrl: op.url }, tx))));
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { status?: number; code?: string }] : []));
    expect(ok).toHaveLength(100);
    expect(new Set(ok.map((a) => a.items[0]!.value)).size).toBe(100);
    expect(refused.every((e) => e.status === 409 && e.code === 'noCapacity')).toBe(true);
    expect(await pools.capacity({ poolId: id })).toMatchObject({ used: 100, free: 0 });
  }, 60_000);
});
