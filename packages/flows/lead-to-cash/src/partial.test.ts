import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationComponent, createActivationComponent } from '@operon/activation';
import { components } from '@operon/server';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { createLeadToCashFlow } from './index.ts';
import {
  PATHS, addOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, poolFree, waitForOrder,
  type Area, type Customer, type Doc, type Offering, type OperonApi,
} from './testing.ts';

let op: TestOperon;
let api: OperonApi;
let ftth: Offering;
let doomed: Offering;
let mitte: Area;
let doomedArea: Area;
let halfway: Area;

const CLOSED = ['completed', 'partial', 'failed', 'cancelled'];

beforeAll(async () => {
  // the simulated network refuses whatever is named like the "Doomed" offering, as OPERON_NETWORK_FAIL_PATTERN asks,
  // and the VLANs of one area (so that the port of a service is configured and its VLAN refused)
  const activation = createActivationComponent({
    env: { OPERON_NETWORK_LATENCY_MS: '40', OPERON_NETWORK_JITTER_MS: '20', OPERON_NETWORK_FAIL_PATTERN: '^Doomed |^VLAN 40[0-3]$' },
  });
  op = await startTestOperon({
    components: components.map((c) => (c === activationComponent ? activation : c)),
    flows: [createLeadToCashFlow({ engine: { concurrency: 6, pollMs: 50, leaseMs: 10_000, retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 } } })],
    config: { dbPoolSize: 12, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
  ftth = await defineOffering(api, ftthDefinition());
  mitte = await defineArea(api, { area: 'BER-MITTE-OLT01', street: 'Invalidenstraße', olt: 'OLT01', ports: 8, vlans: { start: 100, end: 107 }, cidr: '192.0.2.0/28' }, ftth.resourceSpecs);
  doomed = await defineOffering(api, { ...ftthDefinition('Doomed'), name: 'Doomed' });
  doomedArea = await defineArea(api, { area: 'BER-WEDDING-OLT03', street: 'Müllerstraße', olt: 'OLT03', ports: 4, vlans: { start: 300, end: 303 }, cidr: '203.0.113.0/29' }, doomed.resourceSpecs);
  halfway = await defineArea(api, { area: 'BER-MOABIT-OLT04', street: 'Turmstraße', olt: 'OLT04', ports: 4, vlans: { start: 400, end: 403 }, cidr: '198.18.0.0/29' }, ftth.resourceSpecs);
}, 180_000);

afterAll(async () => {
  await op?.close();
});

const free = (area: Area) => Promise.all(Object.values(area.pools).map((p) => poolFree(api, p)));

/** Two FTTH items at the same address; `second` adds characteristics to item 2, `relate` makes it rely on item 1. */
function twoItems(customer: Customer, second: Record<string, unknown>, relate = false) {
  const one = addOrder(customer, ftth.offering, mitte.address, { downloadSpeed: '1000' });
  const two = addOrder(customer, ftth.offering, mitte.address, { downloadSpeed: '300', ...second }).productOrderItem[0]!;
  return {
    ...one,
    productOrderItem: [
      one.productOrderItem[0]!,
      { ...two, id: '2', ...(relate ? { productOrderItemRelationship: [{ id: '1', relationshipType: 'reliesOn' }] } : {}) },
    ],
  };
}

/** The resources an order's run reserved (released ones no longer name the customer; the run's record does). */
async function resourcesOfOrder(orderId: string): Promise<string[]> {
  const r = await op.db.query<{ ref_id: string }>(`SELECT ref_id FROM lead_to_cash_ref WHERE product_order_id = $1 AND ref_type = 'Resource'`, [orderId]);
  return r.rows.map((x) => x.ref_id);
}

/** How many of these resources the simulated network activated at some point. */
async function activated(ids: readonly string[]): Promise<number> {
  const r = await op.db.query<{ n: number }>(`SELECT count(DISTINCT target_id)::int AS n FROM activation_sim_operation WHERE target_id = ANY($1) AND kind = 'activateResource' AND state = 'Completed'`, [ids]);
  return r.rows[0]!.n;
}

/** How many of these resources the simulated network holds configured now. */
async function heldOnNetwork(ids: readonly string[]): Promise<number> {
  const r = await op.db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM activation_sim_ont_port WHERE resource_id = ANY($1)) + (SELECT count(*) FROM activation_sim_vlan WHERE resource_id = ANY($1))
       + (SELECT count(*) FROM activation_sim_ip_binding WHERE resource_id = ANY($1)) AS n`, [ids],
  );
  return Number(r.rows[0]!.n);
}

async function productsOf(customer: Customer): Promise<Map<string, Doc>> {
  const found = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${customer.party.id}`);
  return new Map(found.map((p) => [String((p['productOrderItem'] as Doc[])[0]!['orderItemId']), p]));
}

describe('Lead-to-Cash: failures of one item, and failures injected by the network', () => {
  it('an order of two independent items where one is refused ends partial: the other stays delivered', async () => {
    const who = await defineCustomer(api, 'Katherine', 'Johnson');
    const before = await free(mitte);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, twoItems(who, { simulateFailure: 'refused' }));
    expect(placed['state']).toBe('acknowledged');
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state'], JSON.stringify(done['productOrderErrorMessage'])).toBe('partial');
    const items = new Map((done['productOrderItem'] as Doc[]).map((i) => [String(i['id']), i['state']]));
    expect(Object.fromEntries(items)).toEqual({ '1': 'completed', '2': 'failed' });
    // the reason names the failed item and what the network said
    const errors = done['productOrderErrorMessage'] as Doc[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ productOrderItem: [expect.objectContaining({ productOrderItemId: '2' })] });
    expect(JSON.stringify(errors[0])).toMatch(/refused/);

    // item 1 delivered: product active with its three resources; item 2 undone: product cancelled, nothing held
    const products = await productsOf(who);
    expect(products.get('1')).toMatchObject({ status: 'active' });
    expect((products.get('1')!['realizingResource'] as Doc[]).length).toBe(3);
    expect(['cancelled', 'terminated']).toContain(products.get('2')!['status']);
    expect(await free(mitte)).toEqual(before.map((n) => n - 1));
    const services = await api.get<Doc[]>(`${PATHS.serviceInventory}/service?relatedParty.id=${who.party.id}`);
    const delivered = new Set((products.get('1')!['realizingService'] as Doc[]).map((s) => s.id));
    expect(services).toHaveLength(6);
    for (const s of services) expect(s['state']).toBe(delivered.has(s.id) ? 'active' : 'terminated');
    const resources = await Promise.all((products.get('1')!['realizingResource'] as Doc[]).map((r) => api.get(`${PATHS.resourceInventory}/resource/${r.id}`)));
    for (const r of resources) expect(r).toMatchObject({ resourceStatus: 'reserved', usageState: 'active' });

    // the service and resource orders are partial too: the failed item's lines failed, the others completed
    const [so] = await api.get<Doc[]>(`${PATHS.serviceOrder}/serviceOrder?externalId=${placed.id}`);
    expect(so!['state']).toBe('partial');
    const soStates = (so!['serviceOrderItem'] as Doc[]).map((i) => i['state']).sort();
    expect(soStates).toEqual(['completed', 'completed', 'completed', 'failed', 'failed', 'failed']);
    const [ro] = await api.get<Doc[]>(`${PATHS.resourceOrder}/resourceOrder?externalId=${so!.id}`);
    expect(ro!['state']).toBe('partial');
    expect((ro!['orderItem'] as Doc[]).map((i) => i['state']).sort()).toEqual(['completed', 'completed', 'completed', 'failed', 'failed', 'failed']);
    expect((done['productOrderMilestone'] as Doc[]).find((m) => m['name'] === 'orderCompleted')?.['message']).toMatch(/some items/);
  });

  it('items that rely on each other stand or fall together: the whole order fails and is undone', async () => {
    const who = await defineCustomer(api, 'Dorothy', 'Vaughan');
    const before = await free(mitte);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, twoItems(who, { simulateFailure: 'refused' }, true));
    expect(placed['state']).toBe('acknowledged');
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state']).toBe('failed');
    expect((done['productOrderItem'] as Doc[]).map((i) => i['state'])).toEqual(['failed', 'failed']);
    expect(JSON.stringify(done['productOrderErrorMessage'])).toMatch(/refused/);
    const products = await productsOf(who);
    for (const p of products.values()) expect(['cancelled', 'terminated']).toContain(p['status']);
    expect(await free(mitte)).toEqual(before);
  });

  it('OPERON_NETWORK_FAIL_PATTERN refusals are compensated like simulateFailure: everything released, reason on the order', async () => {
    const who = await defineCustomer(api, 'Mary', 'Jackson');
    const before = await free(doomedArea);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, doomed.offering, doomedArea.address, { downloadSpeed: '300' }));
    expect(placed['state']).toBe('acknowledged');
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state']).toBe('failed');
    expect(JSON.stringify(done['productOrderErrorMessage'])).toMatch(/refused/);
    expect(await free(doomedArea)).toEqual(before);
    const [product] = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${who.party.id}`);
    expect(['cancelled', 'terminated']).toContain(product!['status']);
    const services = await api.get<Doc[]>(`${PATHS.serviceInventory}/service?relatedParty.id=${who.party.id}`);
    expect(services.length).toBe(3);
    expect(services.every((s) => s['state'] === 'terminated')).toBe(true);
    const resources = await api.get<Doc[]>(`${PATHS.resourceInventory}/resource?relatedParty.id=${who.party.id}`);
    for (const r of resources) expect(r['resourceStatus']).not.toBe('reserved');
    const so = await api.get<Doc[]>(`${PATHS.serviceOrder}/serviceOrder?externalId=${placed.id}`);
    expect(so.map((o) => o['state'])).toEqual(['failed']);
    // the resources were activated before their services were refused: the network holds none of them now
    const ids = await resourcesOfOrder(placed.id);
    expect(ids).toHaveLength(3);
    expect(await activated(ids)).toBeGreaterThan(0);
    expect(await heldOnNetwork(ids)).toBe(0);
  });

  it('a service whose resources the network takes but one: what it configured is taken off again, nothing held', async () => {
    const who = await defineCustomer(api, 'Annie', 'Easley');
    const before = await free(halfway);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, ftth.offering, halfway.address, { downloadSpeed: '300' }));
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state']).toBe('failed');
    expect(JSON.stringify(done['productOrderErrorMessage'])).toMatch(/refused/);
    expect(await free(halfway)).toEqual(before);
    const resources = await Promise.all((await resourcesOfOrder(placed.id)).map((id) => api.get<Doc>(`${PATHS.resourceInventory}/resource/${id}`)));
    expect(resources.map((r) => r['category']).sort()).toEqual(['ipv4', 'port', 'vlan']);
    const port = String(resources.find((r) => r['category'] === 'port')!.id);
    // the port was configured, at once with the VLAN the network refused, and taken off again
    expect(await activated([port])).toBe(1);
    expect(await heldOnNetwork(resources.map((r) => String(r.id)))).toBe(0);
  });
});
