import { describe, expect, it } from 'vitest';
import { loadSpec, runCtk } from '@operon/tmf/testing';
import { ABORTED } from './index.ts';
import { client, op, withProductOperon, type Product } from './test-api.ts';

withProductOperon();

const customer = { id: 'ind-42', name: 'Jeanne Martin', role: 'customer', '@referredType': 'Individual' };

/** A product with every attribute the conformance kit expects on each product listed. */
function complete(name: string, status: string) {
  return {
    name, status, description: `${name} for Jeanne`, isBundle: false, isCustomerVisible: true,
    orderDate: '2025-01-10T09:00:00Z',
    billingAccount: { id: 'ba-42', name: 'Jeanne', '@referredType': 'BillingAccount' },
    productOffering: { id: `po-${name}`, name, '@referredType': 'ProductOffering' },
    productSpecification: { id: `ps-${name}`, version: '1', targetProductSchema: { '@type': 'Fibre', '@schemaLocation': 'https://example.com/fibre.json' } },
    productCharacteristic: [{ name: 'speed', valueType: 'number', value: 1000 }],
    productPrice: [{
      priceType: 'recurring', recurringChargePeriod: 'month', name: 'Monthly',
      price: { dutyFreeAmount: { unit: 'EUR', value: 25 }, taxIncludedAmount: { unit: 'EUR', value: 30 }, taxRate: 20 },
      productPriceAlteration: [{ priceType: 'recurring', name: 'Welcome', applicationDuration: 3, priority: 1, price: { percentage: 50 } }],
    }],
    relatedParty: [customer],
    agreement: [{ id: 'ag-1', agreementItemId: '1', name: 'Consumer terms' }],
    place: [{ id: 'addr-42', role: 'installationAddress', '@referredType': 'GeographicAddress' }],
    productOrderItem: [{ productOrderId: 'ord-42', orderItemId: '1', orderItemAction: 'add', role: 'creation' }],
    productTerm: [{ name: '12 months', duration: { amount: 12, units: 'month' } }],
    realizingService: [{ id: 'svc-42', href: 'https://example.com/service/svc-42', name: 'Internet' }],
    realizingResource: [{ id: 'res-42', value: '192.0.2.42', name: 'Public IP' }],
    product: [{ id: 'opt-tv', name: 'TV', status: 'active', productRelationship: [{ relationshipType: 'reliesOn', product: { id: 'p-main' } }] }],
    productRelationship: [{ relationshipType: 'bundled', product: { id: 'opt-tv', name: 'TV' } }],
  };
}

describe('TM Forum conformance kit TMF637', () => {
  it('passes with zero failed assertions on products seeded through the API', async () => {
    for (const [name, status] of [['Fibre', 'active'], ['Mobile', 'created'], ['VoIP', 'pendingActive']] as const) {
      expect((await client.post('/product', complete(name, status))).status).toBe(201);
    }
    const r = await runCtk('TMF637', client.baseUrl);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(8);
    expect(r.assertions).toBe(77);
  });
});

describe('the official TMF637 specification', () => {
  it('validates every response and every event', async () => {
    const spec = loadSpec('TMF637');
    expect(spec.basePath).toBe('/tmf-api/productInventory/v4');
    const p = await client.create<Product>('/product', complete('Spec walk', 'created'));
    for (const status of ['pendingActive', 'active', 'suspended', 'active', 'pendingTerminate', 'terminated']) {
      const r = await client.patch<Product>(`/product/${p.id}`, { status });
      expect(r.status).toBe(200);
    }
    const aborted = await client.create<Product>('/product', complete('Aborted', 'pendingActive'));
    const r = await client.patch<Product>(`/product/${aborted.id}`, { status: 'aborted', description: 'delivery failed' });
    expect(r.body.status).toBe(ABORTED);
    expect(spec.errors('Product', r.body)).toEqual([]);
    for (const item of (await client.get<Product[]>('/product')).body) expect(spec.errors('Product', item)).toEqual([]);
    expect((await client.del(`/product/${p.id}`)).status).toBe(204);
    for (const status of [400, 404, 422]) {
      const err =
        status === 400 ? await client.post('/product', { status: 'created', relatedParty: [{}] })
        : status === 404 ? await client.get('/product/none')
        : await client.patch(`/product/${aborted.id}`, { status: 'active' });
      expect(err.status).toBe(status);
      expect(spec.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ProductStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await op.db.query<{ event_type: string; payload: { event: { product: unknown } } }>(`SELECT event_type, payload FROM outbox WHERE api = 'productInventory'`);
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['ProductCreateEvent', 'ProductStateChangeEvent', 'ProductAttributeValueChangeEvent', 'ProductDeleteEvent']) expect(types).toContain(t);
    for (const e of events.rows) {
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(spec.errors('Product', e.payload.event.product), e.event_type).toEqual([]);
    }
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF637');
    const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/listener/')) continue;
      const served = doc.paths[`${spec.basePath}${path.replace(/\{id\}/, '{id}')}`];
      expect(served, path).toBeDefined();
      for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
    }
  });
});
