import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TObject } from 'typebox';
import { loadSpec, runCtk, specFile } from '@operon/tmf/testing';
import { CancelProductOrderCreate, ProductOrderCreate } from './index.ts';
import { client, customer, events, op, ordering, system, withProductOrderOperon, type CancelProductOrder, type ProductOrder } from './test-api.ts';

withProductOrderOperon();

type Resource = { id: string } & Record<string, unknown>;
type Definition = { properties?: Record<string, unknown>; required?: string[] };

const ref = (id: string, extra: Record<string, unknown> = {}) => ({ id, href: `https://example.com/${id}`, name: `Name of ${id}`, '@referredType': 'Thing', ...extra });
const price = { percentage: 0, taxRate: 20, dutyFreeAmount: { unit: 'EUR', value: 25 }, taxIncludedAmount: { unit: 'EUR', value: 30 } };
const orderPrice = {
  description: 'Monthly fee', name: 'Fibre monthly', priceType: 'recurring', recurringChargePeriod: 'month', unitOfMeasure: 'month',
  billingAccount: ref('ba-1'), price, productOfferingPrice: ref('pop-1'),
  priceAlteration: [{ applicationDuration: 3, description: 'First 3 months half price', name: 'Welcome', priceType: 'recurring', priority: 1, recurringChargePeriod: 'month', unitOfMeasure: 'month', price: { percentage: 50 }, productOfferingPrice: ref('pop-2') }],
};

/** A product by value using every attribute of ProductRefOrValue, one level of nesting. */
const product = {
  description: 'Home fibre', isBundle: true, isCustomerVisible: true, name: 'Fibre 1G', orderDate: '2024-05-01T10:00:00Z', productSerialNumber: 'SN-1',
  startDate: '2024-05-02T00:00:00Z', terminationDate: '2026-05-02T00:00:00Z', agreement: [{ id: 'ag-1', agreementItemId: '1', name: 'Terms' }],
  billingAccount: ref('ba-1'), place: [{ id: 'addr-1', role: 'installationAddress', name: 'Home' }],
  product: [{ name: 'ONT', productSpecification: ref('ps-ont') }],
  productCharacteristic: [{ name: 'speed', valueType: 'string', value: '1G' }, { name: 'ipv6', value: true }],
  productOffering: ref('po-fibre'), productOrderItem: [{ orderItemId: '1', productOrderId: 'previous-order', orderItemAction: 'add', role: 'creator' }],
  productPrice: [{ name: 'Monthly', priceType: 'recurring', price, productPriceAlteration: [{ priceType: 'recurring', price: { percentage: 10 } }] }],
  productRelationship: [{ relationshipType: 'reliesOn', product: { id: 'prod-line-1' } }],
  productSpecification: { id: 'ps-fibre', version: '1.0', targetProductSchema: { '@schemaLocation': 'https://example.com/fibre.json', '@type': 'FibreProduct' } },
  productTerm: [{ name: '12 months', duration: { amount: 12, units: 'month' }, validFor: { startDateTime: '2024-05-02T00:00:00Z' } }],
  realizingResource: [{ id: 'res-1', value: 'ONT-1' }], realizingService: [ref('svc-1')], relatedParty: [customer()], status: 'created',
};

/** A product order using every attribute of the TMF622 ProductOrder_Create definition. */
const fullOrder = {
  cancellationReason: 'none yet', category: 'residential', description: 'A complete order', externalId: 'CRM-FULL-1',
  notificationContact: 'jean@example.com', priority: '2', requestedCompletionDate: '2030-02-01T08:00:00Z', requestedStartDate: '2030-01-20T08:00:00Z',
  agreement: [ref('ag-1')], billingAccount: ref('ba-1'), channel: [{ id: 'ch-web', name: 'Web shop', role: 'sales' }],
  note: [{ author: 'agent', date: '2030-01-01T00:00:00Z', text: 'Called the customer' }], orderTotalPrice: [orderPrice], payment: [ref('pay-1')],
  productOfferingQualification: [ref('poq-1')], quote: [ref('q-1')], relatedParty: [customer()],
  productOrderItem: [
    {
      id: '1', quantity: 1, action: 'add', appointment: { id: 'app-1', description: 'Installation' }, billingAccount: ref('ba-1'),
      itemPrice: [orderPrice], itemTerm: [{ name: '12 months', description: 'Commitment', duration: { amount: 12, units: 'month' } }], itemTotalPrice: [orderPrice],
      payment: [ref('pay-1')], product, productOffering: ref('po-fibre'),
      productOfferingQualificationItem: { id: '1', productOfferingQualificationId: 'poq-1' },
      productOrderItem: [{ id: '1.1', action: 'add', productOffering: ref('po-router') }],
      productOrderItemRelationship: [{ id: '2', relationshipType: 'reliesOn' }], qualification: [ref('poq-1')],
      quoteItem: { id: '1', quoteId: 'q-1' }, '@type': 'ProductOrderItem',
    },
    { id: '2', action: 'modify', product: { id: 'prod-line-1', productCharacteristic: [{ name: 'speed', value: '1G' }] } },
  ],
  '@type': 'ProductOrder',
};

describe('conformance to the official TMF622 v4 specification', () => {
  it('renders ProductOrder_Create, ProductOrderItem and CancelProductOrder_Create attribute for attribute', () => {
    const spec = JSON.parse(fs.readFileSync(specFile('TMF622'), 'utf8')) as { definitions: Record<string, Definition> };
    const same = (mine: TObject, name: string) => {
      const theirs = spec.definitions[name]!;
      expect(Object.keys(mine.properties).sort(), name).toEqual(Object.keys(theirs.properties ?? {}).sort());
      expect([...(mine.required ?? [])].sort(), name).toEqual([...(theirs.required ?? [])].sort());
    };
    same(ProductOrderCreate, 'ProductOrder_Create');
    same(CancelProductOrderCreate, 'CancelProductOrder_Create');
    same(ProductOrderCreate.properties.productOrderItem.items as TObject, 'ProductOrderItem');
  });

  it('every response body and event validates', async () => {
    const spec = loadSpec('TMF622');
    expect(spec.basePath).toBe('/tmf-api/productOrderingManagement/v4');
    const created = await client.post<ProductOrder>('/productOrder', fullOrder);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.expectedCompletionDate).toBe('2030-02-01T08:00:00.000Z');
    const id = created.body.id;
    const patched = await client.patch<ProductOrder>(`/productOrder/${id}`, { description: 'changed' });
    expect(patched.status).toBe(200);
    await ordering.start(id, system);
    await ordering.addMilestone(id, { name: 'Installation booked', status: 'Completed', itemIds: ['1'] }, system);
    await ordering.addJeopardyAlert(id, { name: 'Late', jeopardyType: 'Normal', itemIds: ['2'] }, system);
    const c = await client.post<CancelProductOrder>('/cancelProductOrder', { productOrder: { id }, cancellationReason: 'test', requestedCancellationDate: '2030-01-01T00:00:00Z', '@type': 'CancelProductOrder' });
    expect(c.status).toBe(201);
    await ordering.declineCancellation(c.body.id, 'installation under way', system);
    await ordering.fail(id, { code: 'e1', reason: 'Activation failed', itemIds: ['1'] }, system);
    const full = (await client.get<ProductOrder>(`/productOrder/${id}`)).body;
    for (const a of ['productOrderMilestone', 'productOrderJeopardyAlert', 'productOrderErrorMessage', 'completionDate', 'orderDate']) expect(full, a).toHaveProperty(a);
    expect((await client.get<ProductOrder[]>('/productOrder?fields=state,productOrderItem.state')).status).toBe(200);
    expect((await client.get<CancelProductOrder[]>('/cancelProductOrder')).body.length).toBeGreaterThan(0);

    for (const status of [400, 404, 409, 422]) {
      const err =
        status === 400 ? await client.post('/productOrder', { relatedParty: [] })
        : status === 404 ? await client.get('/productOrder/none')
        : status === 409 ? await (async () => {
          const o = await client.create<Resource>('/productOrder', { productOrderItem: [{ id: '1', action: 'add' }], relatedParty: [customer()] });
          await client.create('/cancelProductOrder', { productOrder: { id: o.id } });
          return client.post('/cancelProductOrder', { productOrder: { id: o.id } });
        })()
        : await client.post('/cancelProductOrder', { productOrder: { id } });
      expect(err.status).toBe(status);
      expect(spec.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<Resource>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ProductOrderStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const all = await events();
    const types = new Set(all.map((e) => e.event_type));
    for (const t of ['ProductOrderCreateEvent', 'ProductOrderAttributeValueChangeEvent', 'ProductOrderStateChangeEvent', 'CancelProductOrderCreateEvent', 'CancelProductOrderStateChangeEvent', 'ProductOrderMilestoneEvent', 'ProductOrderJeopardyAlertEvent', 'ProductOrderErrorMessageEvent']) {
      expect(types, t).toContain(t);
    }
    let checked = 0;
    for (const e of all) {
      const property = e.event_type.startsWith('Cancel') ? 'cancelProductOrder' : 'productOrder';
      expect(spec.errors(property === 'productOrder' ? 'ProductOrder' : 'CancelProductOrder', e.payload.event[property]), e.event_type).toEqual([]);
      if (spec.definitions.includes(e.event_type)) {
        expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
        expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
});

describe('API surface', () => {
  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF622');
    const res = await fetch(`${op.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const served = (p: string) => `${spec.basePath}${p}`;
    for (const [path, ops] of Object.entries(spec.paths)) {
      // listeners are the client's side of notifications, served by whoever subscribes
      if (path.startsWith('/listener/')) continue;
      expect(Object.keys(doc.paths), path).toContain(served(path));
      for (const method of Object.keys(ops)) expect(Object.keys(doc.paths[served(path)]!), `${method} ${path}`).toContain(method);
    }
  });
});

describe('TM Forum conformance kit TMF622', () => {
  it('passes with zero failed assertions', async () => {
    const r = await runCtk('TMF622', client.baseUrl);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(9);
    expect(r.assertions).toBeGreaterThan(40);
  });
});
