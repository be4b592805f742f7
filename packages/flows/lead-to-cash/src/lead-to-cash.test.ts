import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { createLeadToCashFlow } from './index.ts';
import {
  PATHS, addOrder, changeOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, poolFree, waitForOrder,
  type Area, type Doc, type Offering, type OperonApi,
} from './testing.ts';

/** A TMF hub listener: what Operon posts to it. */
class Listener {
  received: Array<{ eventType: string; event: Record<string, Doc> }> = [];
  private server?: http.Server;
  port = 0;
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        this.received.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  get callback() {
    return `http://127.0.0.1:${this.port}/l2c`;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
  async until<T>(find: () => T | undefined, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const x = find();
      if (x !== undefined) return x;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the event did not arrive');
  }
}

let op: TestOperon;
let api: OperonApi;
let ftth: Offering;
let mitte: Area;
const orders = new Listener();
const products = new Listener();

beforeAll(async () => {
  // a network that answers in about 100 ms, so that steps overlap and a short expectation is exceeded
  process.env['OPERON_NETWORK_LATENCY_MS'] = '80';
  process.env['OPERON_NETWORK_JITTER_MS'] = '40';
  op = await startTestOperon({
    flows: [createLeadToCashFlow({
      engine: { concurrency: 6, pollMs: 50, leaseMs: 10_000, retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 } },
      expectedMs: { activateResources: 20 },
    })],
    config: { dbPoolSize: 20, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
  await orders.start();
  await products.start();
  await api.post(`${PATHS.productOrder}/hub`, { callback: orders.callback });
  await api.post(`${PATHS.productInventory}/hub`, { callback: products.callback });
  ftth = await defineOffering(api, ftthDefinition());
  mitte = await defineArea(api, { area: 'BER-MITTE-OLT01', street: 'Invalidenstraße', olt: 'OLT01', ports: 4, vlans: { start: 100, end: 103 }, cidr: '192.0.2.0/29' }, ftth.resourceSpecs);
}, 180_000);

afterAll(async () => {
  await op?.close();
  await orders.stop();
  await products.stop();
});

const orderEvent = (id: string, state: string) => () =>
  orders.received.find((e) => e.eventType === 'ProductOrderStateChangeEvent' && e.event['productOrder']?.id === id && e.event['productOrder']?.['state'] === state);

async function freeEverywhere(area: Area): Promise<number[]> {
  return Promise.all(Object.values(area.pools).map((p) => poolFree(api, p)));
}

describe('Lead-to-Cash, end to end over HTTP', () => {
  let productId: string;
  let customer: Awaited<ReturnType<typeof defineCustomer>>;

  it('qualifies, quotes, orders FTTH for a new customer and delivers it: product, services, resources, billing hand-off', async () => {
    const place = [{ id: mitte.address.id, role: 'installationAddress', '@referredType': 'GeographicAddress' }];
    const poq = await api.post(`${PATHS.poq}/productOfferingQualification`, {
      instantSyncQualification: true, place,
      productOfferingQualificationItem: [{ id: '1', productOffering: { id: ftth.offering.id, name: ftth.offering['name'] } }],
    });
    expect(poq['state']).toBe('done');
    expect((poq['productOfferingQualificationItem'] as Doc[])[0]!['qualificationItemResult']).toBe('qualified');

    customer = await defineCustomer(api, 'Ada', 'Lovelace');
    const quote = await api.post(`${PATHS.quote}/quote`, {
      relatedParty: [customer.relatedParty],
      quoteItem: [{ id: '1', action: 'add', quantity: 1, productOffering: { id: ftth.offering.id, name: ftth.offering['name'] } }],
    });
    const quotePrice = (quote['quoteItem'] as Doc[])[0]!['quoteItemPrice'] as Doc[];
    expect(quotePrice[0]).toMatchObject({ priceType: 'recurring', recurringChargePeriod: 'month', price: { taxIncludedAmount: { unit: 'EUR', value: 39.9 } } });

    const before = await freeEverywhere(mitte);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(customer, ftth.offering, mitte.address, { downloadSpeed: '1000' }, {
      productOrderItem: [{ ...addOrder(customer, ftth.offering, mitte.address, { downloadSpeed: '1000' }).productOrderItem[0], itemPrice: quotePrice }],
    }));
    expect(placed['state']).toBe('acknowledged');
    await orders.until(orderEvent(placed.id, 'completed'));
    const order = await api.get(`${PATHS.productOrder}/productOrder/${placed.id}`);
    expect(order['state']).toBe('completed');
    expect((order['productOrderMilestone'] as Doc[]).map((m) => m['name'])).toEqual(expect.arrayContaining(['serviceOrderOpened', 'productActivated', 'orderCompleted']));
    // 20 ms expected for a network step that takes about 100 ms: jeopardy was raised
    expect((order['productOrderJeopardyAlert'] as Doc[] | undefined)?.length ?? 0).toBeGreaterThan(0);

    // TMF637: the product, active, with its price and billing account
    const found = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${customer.party.id}`);
    expect(found).toHaveLength(1);
    const product = found[0]!;
    productId = product.id;
    expect(product).toMatchObject({ status: 'active', billingAccount: { id: customer.billingAccount.id }, productOffering: { id: ftth.offering.id } });
    expect((product['productPrice'] as Doc[])[0]).toMatchObject({ priceType: 'recurring', price: { taxIncludedAmount: { value: 39.9 } } });
    expect(product['productCharacteristic']).toEqual([{ name: 'downloadSpeed', value: '1000' }]);

    // TMF638: a CFS on two RFS, all active
    const services = await Promise.all((product['realizingService'] as Doc[]).map((s) => api.get(`${PATHS.serviceInventory}/service/${s.id}`)));
    expect(services).toHaveLength(3);
    expect(services.every((s) => s['state'] === 'active')).toBe(true);
    const cfs = services.find((s) => s['category'] === 'CFS')!;
    expect((cfs['supportingService'] as Doc[]).length).toBe(2);
    expect(cfs['serviceCharacteristic']).toEqual([{ name: 'downloadSpeed', value: '1000' }]);

    // TMF639: ONT port, VLAN and address, reserved for the customer, in use, related
    const resources = await Promise.all((product['realizingResource'] as Doc[]).map((r) => api.get(`${PATHS.resourceInventory}/resource/${r.id}`)));
    expect(resources.map((r) => r['category']).sort()).toEqual(['ipv4', 'port', 'vlan']);
    for (const r of resources) {
      expect(r).toMatchObject({ resourceStatus: 'reserved', usageState: 'active', relatedParty: [{ id: customer.party.id }] });
    }
    const port = resources.find((r) => r['category'] === 'port')!;
    const vlan = resources.find((r) => r['category'] === 'vlan')!;
    expect((port['resourceCharacteristic'] as Doc[]).map((c) => c['name'])).toEqual(expect.arrayContaining(['oltId', 'ponPort', 'onuId']));
    expect(vlan['resourceRelationship']).toEqual([expect.objectContaining({ relationshipType: 'dependsOn', resource: expect.objectContaining({ id: port.id }) })]);
    expect(await freeEverywhere(mitte)).toEqual(before.map((n) => n - 1));

    // service and resource orders closed
    const so = await api.get<Doc[]>(`${PATHS.serviceOrder}/serviceOrder?externalId=${placed.id}`);
    expect(so.map((o) => o['state'])).toEqual(['completed']);
    const ro = await api.get<Doc[]>(`${PATHS.resourceOrder}/resourceOrder?externalId=${so[0]!.id}`);
    expect(ro.map((o) => o['state'])).toEqual(['completed']);

    // billing hand-off: the state change to active, over HTTP, with price and billing account
    const active = await products.until(() => products.received.find((e) => e.eventType === 'ProductStateChangeEvent' && e.event['product']?.id === productId && e.event['product']?.['status'] === 'active'));
    expect(active.event['product']).toMatchObject({ billingAccount: { id: customer.billingAccount.id }, productPrice: [expect.objectContaining({ priceType: 'recurring' })] });
  });

  it('upgrades the speed (modify): the services are reconfigured', async () => {
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, changeOrder(customer, productId, 'modify', { downloadSpeed: '2000' }));
    expect(placed['state']).toBe('acknowledged');
    const done = await waitForOrder(api, placed.id, ['completed', 'failed']);
    expect(done['state']).toBe('completed');
    const product = await api.get(`${PATHS.productInventory}/product/${productId}`);
    expect(product['productCharacteristic']).toEqual([{ name: 'downloadSpeed', value: '2000' }]);
    const services = await Promise.all((product['realizingService'] as Doc[]).map((s) => api.get(`${PATHS.serviceInventory}/service/${s.id}`)));
    for (const s of services) expect(s['serviceCharacteristic']).toEqual([{ name: 'downloadSpeed', value: '2000' }]);
  });

  it('refuses orders the catalog, parties or inventory do not allow', async () => {
    const bad = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(customer, ftth.offering, mitte.address, { downloadSpeed: '5' }));
    expect(bad['state']).toBe('rejected');
    expect(JSON.stringify(bad['productOrderErrorMessage'])).toContain('downloadSpeed');
    const stranger = await defineCustomer(api, 'Eve', 'Other');
    const notHis = await api.post(`${PATHS.productOrder}/productOrder`, changeOrder(stranger, productId, 'delete'));
    expect(notHis['state']).toBe('rejected');
    expect(JSON.stringify(notHis['productOrderErrorMessage'])).toContain('notOwner');
  });

  it('terminates the product (delete): services terminated, resources released to their pools', async () => {
    const product = await api.get(`${PATHS.productInventory}/product/${productId}`);
    const before = await freeEverywhere(mitte);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, changeOrder(customer, productId, 'delete'));
    const done = await waitForOrder(api, placed.id, ['completed', 'failed']);
    expect(done['state'], JSON.stringify(done['productOrderErrorMessage'])).toBe('completed');
    expect((await api.get(`${PATHS.productInventory}/product/${productId}`))['status']).toBe('terminated');
    for (const s of product['realizingService'] as Doc[]) expect((await api.get(`${PATHS.serviceInventory}/service/${s.id}`))['state']).toBe('terminated');
    for (const r of product['realizingResource'] as Doc[]) {
      expect(await api.get(`${PATHS.resourceInventory}/resource/${r.id}`)).toMatchObject({ resourceStatus: 'available', usageState: 'idle' });
    }
    expect(await freeEverywhere(mitte)).toEqual(before.map((n) => n + 1));
  });

  it('orders a brand-new offering defined only through the catalog APIs', async () => {
    // a business fibre line on a VLAN and a static address: no code knows it
    const biz = await defineOffering(api, {
      name: 'Business Fibre', resources: ['VLAN', 'IPv4 address'], rfs: [{ name: 'Business access', resources: ['VLAN', 'IPv4 address'] }],
      cfs: 'Business internet', characteristics: [{ name: 'sla', values: ['gold', 'silver'], default: 'silver' }], monthly: 99,
    });
    const area = await defineArea(api, { area: 'BER-PANKOW-OLT02', street: 'Breite Straße', olt: 'OLT02', ports: 0, vlans: { start: 200, end: 201 }, cidr: '198.51.100.0/30' }, biz.resourceSpecs);
    const who = await defineCustomer(api, 'Grace', 'Hopper');
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, biz.offering, area.address, { sla: 'gold' }));
    const done = await waitForOrder(api, placed.id, ['completed', 'failed']);
    expect(done['state'], JSON.stringify(done['productOrderErrorMessage'])).toBe('completed');
    const [product] = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${who.party.id}`);
    expect(product).toMatchObject({ status: 'active', productOffering: { id: biz.offering.id }, productCharacteristic: [{ name: 'sla', value: 'gold' }] });
    expect((product!['realizingResource'] as Doc[]).length).toBe(2);
    expect(await freeEverywhere(area)).toEqual([1, 1]);
  });

  it('fails and compensates when the network refuses a step: everything released, reason on the order', async () => {
    const who = await defineCustomer(api, 'Alan', 'Turing');
    const before = await freeEverywhere(mitte);
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, ftth.offering, mitte.address, { downloadSpeed: '300', simulateFailure: 'refused' }));
    expect(placed['state']).toBe('acknowledged');
    const done = await waitForOrder(api, placed.id, ['failed', 'completed']);
    expect(done['state']).toBe('failed');
    expect(JSON.stringify(done['productOrderErrorMessage'])).toMatch(/refused/);
    expect(await freeEverywhere(mitte)).toEqual(before);
    const [product] = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${who.party.id}`);
    expect(['cancelled', 'terminated']).toContain(product!['status']);
    const services = await api.get<Doc[]>(`${PATHS.serviceInventory}/service?relatedParty.id=${who.party.id}`);
    expect(services.length).toBe(3);
    expect(services.every((s) => s['state'] === 'terminated')).toBe(true);
    const so = await api.get<Doc[]>(`${PATHS.serviceOrder}/serviceOrder?externalId=${placed.id}`);
    expect(so.map((o) => o['state'])).toEqual(['failed']);
  });

  it('cancels an order in progress: run stopped and compensated, resources released, order cancelled', async () => {
    const who = await defineCustomer(api, 'Barbara', 'Liskov');
    const before = await freeEverywhere(mitte);
    // a slow network step keeps the order in progress long enough to cancel it
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, ftth.offering, mitte.address, { downloadSpeed: '1000', simulateLatencyMs: 1500 }));
    await waitForOrder(api, placed.id, ['inProgress']);
    const cancel = await api.post(`${PATHS.productOrder}/cancelProductOrder`, { productOrder: { id: placed.id, '@referredType': 'ProductOrder' }, cancellationReason: 'changed my mind' });
    expect(cancel['state']).toBe('acknowledged');
    await orders.until(orderEvent(placed.id, 'pendingCancellation'));
    const done = await waitForOrder(api, placed.id, ['cancelled', 'failed', 'completed']);
    expect(done['state']).toBe('cancelled');
    expect((await api.get(`${PATHS.productOrder}/cancelProductOrder/${cancel.id}`))['state']).toBe('done');
    expect(await freeEverywhere(mitte)).toEqual(before);
    const so = await api.get<Doc[]>(`${PATHS.serviceOrder}/serviceOrder?externalId=${placed.id}`);
    expect(so.map((o) => o['state'])).toEqual(['cancelled']);
  });

  it('reports the KPIs', async () => {
    const kpi = await api.get<Record<string, unknown>>('/ops/kpi/lead-to-cash');
    const byState = kpi['ordersByState'] as Record<string, number>;
    expect(byState['completed']).toBe(4);
    expect(byState['failed']).toBe(1);
    expect(byState['cancelled']).toBe(1);
    expect(byState['rejected']).toBe(2);
    expect(kpi['fallout']).toEqual({ ended: 5, fallenOut: 1, rate: 0.2 });
    const perOffering = kpi['orderToActivation'] as Array<{ productOfferingId: string; orders: number; p50Ms: number; p90Ms: number }>;
    const f = perOffering.find((o) => o.productOfferingId === ftth.offering.id)!;
    expect(f.orders).toBe(1);
    expect(f.p90Ms).toBeGreaterThanOrEqual(f.p50Ms);
    expect(f.p50Ms).toBeGreaterThan(0);
    const steps = (kpi['etomSteps'] as Array<{ etomTask: string; count: number }>).map((s) => s.etomTask);
    expect(steps).toEqual(expect.arrayContaining(['Allocate & Install Resource', 'Configure & Activate Resource', 'Implement, Configure & Activate Service', 'Complete Customer Order', 'Close Customer Order']));
    expect((await api.call('GET', '/ops/kpi/lead-to-cash?since=yesterday')).status).toBe(400);

    // the same orders by order-to-activation time and over time
    const histogram = kpi['orderToActivationHistogram'] as { orders: number; buckets: Array<{ fromMs: number; orders: number }> };
    expect(histogram.orders).toBe(4);
    expect(histogram.buckets.reduce((n, b) => n + b.orders, 0)).toBe(4);
    const timeline = kpi['timeline'] as { interval: string; buckets: Array<{ created: number; completed: number; failed: number }> };
    expect(timeline.interval).toBe('hour');
    const sum = (f: 'created' | 'completed' | 'failed') => timeline.buckets.reduce((n, b) => n + b[f], 0);
    expect(sum('created')).toBe(Object.values(byState).reduce((n, c) => n + c, 0));
    expect([sum('completed'), sum('failed')]).toEqual([4, 1]);
    // a period that ended before the first order holds none of them, nor of their steps
    const before = await api.get<Record<string, unknown>>('/ops/kpi/lead-to-cash?until=2000-01-01T00:00:00Z&interval=week');
    expect(before['ordersByState']).toEqual({});
    expect(before['etomSteps']).toEqual([]);
    expect((before['orderToActivationHistogram'] as { orders: number }).orders).toBe(0);
    expect((await api.call('GET', '/ops/kpi/lead-to-cash?interval=fortnight')).status).toBe(400);
  });
});
