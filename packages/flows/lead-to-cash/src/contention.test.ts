import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationComponent, createActivationComponent } from '@operon/activation';
import { components } from '@operon/server';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { createLeadToCashFlow } from './index.ts';
import { explainLeaks, reconcile } from './test-reconcile.ts';
import { PATHS, addOrder, defineCustomer, defineOffering, operonApi, poolFree, type Doc, type OperonApi } from './testing.ts';

const ORDERS = Number(process.env['L2C_CONTENTION_ORDERS'] ?? 1000);
const ADDRESSES = ORDERS / 2;

let op: TestOperon;
let api: OperonApi;

beforeAll(async () => {
  const activation = createActivationComponent({ env: { OPERON_NETWORK_LATENCY_MS: '5', OPERON_NETWORK_JITTER_MS: '5' } });
  op = await startTestOperon({
    components: components.map((c) => (c === activationComponent ? activation : c)),
    // more workers than the default: the orders are taken at once, the runs drain afterwards
    flows: [createLeadToCashFlow({ engine: { concurrency: 16, pollMs: 50, leaseMs: 30_000, retry: { maxAttempts: 3, baseMs: 100, maxMs: 1000 } } })],
    config: { dbPoolSize: 24, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
}, 180_000);

afterAll(async () => {
  await op?.close();
});

/** `n`-th address of 10.20.0.1 onwards. */
const ip = (n: number) => `10.20.${Math.floor((n + 1) / 256)}.${(n + 1) % 256}`;

describe('Lead-to-Cash under contention', () => {
  it(`${ORDERS} concurrent orders for ${ADDRESSES} addresses: ${ADDRESSES} delivered with distinct addresses, the others failed for lack of capacity`, async () => {
    // an offering needing one IPv4 address only, defined through the catalog APIs
    const offer = await defineOffering(api, {
      name: 'Static IP', resources: ['IPv4 address'], rfs: [{ name: 'IP service', resources: ['IPv4 address'] }],
      cfs: 'Static address', characteristics: [{ name: 'tier', values: ['basic'], default: 'basic' }], monthly: 5,
    });
    const address = await api.post(`${PATHS.address}/geographicAddress`, {
      streetNr: '9', streetName: 'Torstraße', city: 'Berlin', postcode: '10119', country: 'DE', accessArea: 'BER-CONTENTION',
    });
    const spec = offer.resourceSpecs['IPv4 address']!;
    const pool = await api.post(`${PATHS.resourceInventory}/resourcePool`, {
      name: 'contention addresses', kind: 'ipv4', accessArea: 'BER-CONTENTION',
      resourceSpecification: { id: spec.id, href: spec.href, name: spec['name'] }, range: { start: ip(0), end: ip(ADDRESSES - 1) },
    });
    expect(await poolFree(api, pool)).toBe(ADDRESSES);
    const customer = await defineCustomer(api, 'Many', 'Orders');
    const body = addOrder(customer, offer.offering, address, { tier: 'basic' });

    const t0 = performance.now();
    // 1,000 sockets at once overflow the server's listen backlog (511) and are reset before Operon sees them: 128 clients post them all
    const posted: Array<Awaited<ReturnType<typeof api.call<Doc>>>> = [];
    let next = 0;
    await Promise.all(Array.from({ length: 128 }, async () => {
      while (next < ORDERS) {
        next++;
        posted.push(await api.call<Doc>('POST', `${PATHS.productOrder}/productOrder`, body));
      }
    }));
    const postMs = performance.now() - t0;
    const statuses = posted.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
    expect(statuses).toEqual({ 201: ORDERS });
    expect(posted.every((r) => r.body['state'] === 'acknowledged')).toBe(true);

    // every run drains: poll the database rather than 1,000 orders over HTTP
    const end = Date.now() + 900_000;
    let r = await reconcile(op.db.url);
    while ((r.orders['completed'] ?? 0) + (r.orders['failed'] ?? 0) < ORDERS && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 1000));
      r = await reconcile(op.db.url);
    }
    const drainMs = performance.now() - t0;
    console.log(`contention: ${ORDERS} POSTs in ${Math.round(postMs)} ms, all orders closed after ${Math.round(drainMs)} ms`, r.orders);
    expect(r.orders).toEqual({ completed: ADDRESSES, failed: ORDERS - ADDRESSES });

    // each delivered order holds its own address; the pool is exactly used up; nothing leaked
    // a leak fails the test below; first say where each leaked value went
    if (r.leaked.length) console.log(`leaked values:\n${(await explainLeaks(op.db.url, r.leaked)).join('\n')}`);
    expect(r).toMatchObject({ used: ADDRESSES, activeResources: ADDRESSES, distinctValues: ADDRESSES, leaked: [], unheld: [] });
    expect(await poolFree(api, pool)).toBe(0);

    // the failed ones say why
    const failed = await api.get<Doc[]>(`${PATHS.productOrder}/productOrder?state=failed&limit=1000`);
    expect(failed).toHaveLength(ORDERS - ADDRESSES);
    for (const o of failed) expect(JSON.stringify(o['productOrderErrorMessage'])).toMatch(/cannot allocate .*IPv4 address.*no free value left/);
  }, 1_200_000);
});
