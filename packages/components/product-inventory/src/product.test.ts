import { describe, expect, it } from 'vitest';
import { ABORTED, productLifecycle } from './index.ts';
import { client, op, refused, withProductOperon, type Product } from './test-api.ts';

withProductOperon();

const customer = (id: string) => ({ id, name: `Customer ${id}`, role: 'customer', '@referredType': 'Individual' });
const monthly = (value: number) => ({
  name: 'Monthly fee', priceType: 'recurring', recurringChargePeriod: 'month',
  price: { taxIncludedAmount: { unit: 'EUR', value }, taxRate: 20 },
  productOfferingPrice: { id: 'pop-fibre-monthly', name: 'Fibre monthly' },
});

/** A product as the lead-to-cash flow records it once the order is captured. */
function fibre(party: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'Fibre 1 Gbps', description: 'FTTH access', status: 'created', isBundle: false, isCustomerVisible: true,
    orderDate: '2025-03-01T10:00:00Z',
    productOffering: { id: 'po-fibre-1g', name: 'Fibre 1G' },
    productSpecification: { id: 'ps-fibre', name: 'Fibre access', version: '1.0' },
    productCharacteristic: [{ name: 'downloadSpeed', valueType: 'string', value: '1 Gbps' }, { name: 'staticIp', value: true }],
    productPrice: [monthly(39.99)],
    billingAccount: { id: `ba-${party}`, name: 'Main account' },
    relatedParty: [customer(party)],
    place: [{ role: 'installationAddress', id: `addr-${party}`, '@referredType': 'GeographicAddress' }],
    productOrderItem: [{ productOrderId: `po-${party}`, orderItemId: '1', orderItemAction: 'add' }],
    productTerm: [{ name: '12 months', duration: { amount: 12, units: 'month' }, validFor: { startDateTime: '2025-03-01T00:00:00Z', endDateTime: '2026-03-01T00:00:00Z' } }],
    realizingService: [{ id: `svc-${party}`, name: 'Internet access', '@referredType': 'Service' }],
    realizingResource: [{ id: `res-${party}`, value: '192.0.2.10', '@referredType': 'LogicalResource' }],
    ...extra,
  };
}

describe('product', () => {
  it('is created, retrieved, listed and filtered on its customer, status and what realizes it', async () => {
    const r = await client.post<Product>('/product', fibre('c1'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'Product', status: 'created', name: 'Fibre 1 Gbps' });
    expect(r.body.href).toBe(`${client.baseUrl}/product/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    const got = await client.get<Product>(`/product/${r.body.id}`);
    expect(got.body).toEqual(r.body);
    expect(got.headers.get('etag')).toBe('"1"');

    const other = await client.post<Product>('/product', fibre('c2', { status: 'active', name: 'Fibre 500', productOffering: { id: 'po-fibre-500' } }));
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    const ids = async (q: string) => (await client.get<Product[]>(`/product?${q}`)).body.map((p) => p.id);
    expect(await ids('relatedParty.id=c1')).toEqual([r.body.id]);
    expect(await ids('status=active')).toEqual([other.body.id]);
    expect(await ids('realizingService.id=svc-c2')).toEqual([other.body.id]);
    expect(await ids('realizingResource.value=192.0.2.10&sort=name')).toEqual([r.body.id, other.body.id]);
    expect(await ids('productOffering.id=po-fibre-1g')).toEqual([r.body.id]);
    expect(await ids('billingAccount.id=ba-c2')).toEqual([other.body.id]);
    expect(await ids('productCharacteristic.name=staticIp&status=created,active')).toHaveLength(2);
    expect(await ids('productPrice.price.taxIncludedAmount.value.gte=30')).toHaveLength(2);
    expect(await ids('productOrderItem.productOrderId=po-c1')).toEqual([r.body.id]);

    const fields = await client.get<Product[]>(`/product?fields=name,status&relatedParty.id=c2`);
    expect(fields.body).toEqual([{ id: other.body.id, href: other.body.href, '@type': 'Product', name: 'Fibre 500', status: 'active' }]);
    const page = await client.get<Product[]>('/product?sort=-name&limit=1');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(page.body[0]!.name).toBe('Fibre 500');
    expect((await client.get('/product?colour=red')).status).toBe(400);
    expect((await client.get('/product/nope')).status).toBe(404);
  });

  it('is patched with a merge patch or a JSON Patch, honouring If-Match', async () => {
    const p = await client.create<Product>('/product', fibre('c3'));
    const merged = await client.patch<Product>(`/product/${p.id}`, { description: 'Upgraded', productCharacteristic: [{ name: 'downloadSpeed', value: '2 Gbps' }] });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ description: 'Upgraded', productCharacteristic: [{ name: 'downloadSpeed', value: '2 Gbps' }] });
    expect(merged.headers.get('etag')).toBe('"2"');
    const json = await client.jsonPatch<Product>(`/product/${p.id}`, [{ op: 'add', path: '/realizingService/-', value: { id: 'svc-voip', name: 'VoIP' } }]);
    expect(json.status).toBe(200);
    expect((json.body['realizingService'] as unknown[]).length).toBe(2);
    expect((await client.get<Product[]>('/product?realizingService.id=svc-voip')).body.map((x) => x.id)).toEqual([p.id]);
    refused(await client.patch(`/product/${p.id}`, { description: 'stale' }, { 'if-match': '"1"' }), 412, 'version');
    refused(await client.patch(`/product/${p.id}`, { colour: 'red' }), 400, 'colour');
    refused(await client.patch(`/product/${p.id}`, { id: 'other' }), 400, 'id');
  });

  it('refuses what the specification or the rules do not allow, storing nothing', async () => {
    refused(await client.post('/product', { ...fibre('c4'), productPrice: [{ price: {} }] }), 400, 'priceType');
    refused(await client.post('/product', { ...fibre('c4'), relatedParty: [{ id: 'c4' }] }), 400, '@referredType');
    refused(await client.post('/product', { ...fibre('c4'), productCharacteristic: [{ name: 'x' }] }), 400, 'value');
    refused(await client.post('/product', { ...fibre('c4'), orderDate: 'yesterday' }), 400, 'orderDate');
    refused(await client.post('/product', { ...fibre('c4'), productOrderItem: [{ orderItemId: '1' }] }), 400, 'productOrderId');
    refused(await client.post('/product', { ...fibre('c4'), startDate: '2025-03-01T00:00:00Z', terminationDate: '2025-02-01T00:00:00Z' }), 422, 'terminationDate');
    refused(await client.post('/product', { ...fibre('c4'), productTerm: [{ validFor: { startDateTime: '2025-03-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }] }), 422, 'productTerm[0].validFor');
    refused(await client.post('/product', { ...fibre('c4'), productSpecification: { id: 'x', targetProductSchema: { '@type': 'X' } } }), 400, '@schemaLocation');
    const p = await client.create<Product>('/product', fibre('c4'));
    refused(await client.patch(`/product/${p.id}`, { productRelationship: [{ relationshipType: 'reliesOn', product: { id: p.id } }] }), 422, 'productRelationship[0].product.id');
    const bundle = await client.patch<Product>(`/product/${p.id}`, {
      isBundle: true,
      product: [{ id: 'p-tv', name: 'TV option', product: [{ name: 'Sports pack', status: 'active' }] }],
      productRelationship: [{ relationshipType: 'bundled', product: { id: 'p-tv' } }],
    });
    expect(bundle.status, JSON.stringify(bundle.body)).toBe(200);
    expect((await client.get<Product[]>('/product?relatedParty.id=c4')).body).toHaveLength(1);
  });
});

describe('product lifecycle', () => {
  it('goes created → pendingActive → active → suspended → active → pendingTerminate → terminated, stamping its dates', async () => {
    const p = await client.create<Product>('/product', fibre('l1'));
    expect(p['startDate']).toBeUndefined();
    for (const status of ['pendingActive', 'active', 'suspended', 'active', 'pendingTerminate', 'terminated']) {
      const r = await client.patch<Product>(`/product/${p.id}`, { status });
      expect(r.status, `${status}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.status).toBe(status);
      if (status === 'active') expect(Date.parse(String(r.body['startDate']))).not.toBeNaN();
    }
    const ended = (await client.get<Product>(`/product/${p.id}`)).body;
    expect(Date.parse(String(ended['terminationDate']))).toBeGreaterThanOrEqual(Date.parse(String(ended['startDate'])));
    // the ended product is the record of what the customer had
    for (const status of ['active', 'suspended', 'created']) expect(refused(await client.patch(`/product/${p.id}`, { status }), 422, 'status').code).toBe('forbiddenTransition');
    refused(await client.patch(`/product/${p.id}`, { name: 'Renamed' }), 422, 'name');
    const events = await op.db.query<{ payload: { event: { product: { status: string; productPrice: unknown[]; billingAccount: { id: string } } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'ProductStateChangeEvent' AND resource_id = $1 ORDER BY seq`, [p.id],
    );
    expect(events.rows.map((e) => e.payload.event.product.status)).toEqual(['pendingActive', 'active', 'suspended', 'active', 'pendingTerminate', 'terminated']);
    // billing takes the product with its prices and billing account from the event
    expect(events.rows[1]!.payload.event.product).toMatchObject({ billingAccount: { id: 'ba-l1' }, productPrice: [monthly(39.99)] });
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const p = await client.create<Product>('/product', fibre('l2'));
    for (const status of ['suspended', 'pendingTerminate', 'terminated']) refused(await client.patch(`/product/${p.id}`, { status }), 422, 'status');
    refused(await client.patch(`/product/${p.id}`, { status: 'Active' }), 400, 'status');
    refused(await client.post('/product', fibre('l2', { status: 'terminated' })), 422, 'status');
    refused(await client.post('/product', fibre('l2', { status: 'suspended' })), 422, 'status');
    const active = await client.create<Product>('/product', fibre('l2', { status: 'active' }));
    expect(Date.parse(String(active['startDate']))).not.toBeNaN();
    refused(await client.patch(`/product/${active.id}`, { status: 'created' }), 422, 'status');
    refused(await client.patch(`/product/${active.id}`, { status: 'cancelled' }), 422, 'status');
    expect((await client.patch(`/product/${p.id}`, { status: 'cancelled' })).status).toBe(200);
    refused(await client.patch(`/product/${p.id}`, { status: 'pendingActive' }), 422, 'status');
    expect(productLifecycle.next('pendingActive')).toEqual(['active', 'cancelled', ABORTED]);
  });

  it("stores 'aborted' as the specification spells it ('aborted '), so that it validates", async () => {
    for (const spelling of ['aborted', 'aborted ']) {
      const p = await client.create<Product>('/product', fibre('l3', { status: 'pendingActive' }));
      const r = await client.patch<Product>(`/product/${p.id}`, { status: spelling });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.status).toBe(ABORTED);
      // the same status in the other spelling is no change at all
      expect((await client.patch<Product>(`/product/${p.id}`, { status: spelling === 'aborted' ? 'aborted ' : 'aborted' })).headers.get('etag')).toBe('"2"');
      refused(await client.patch(`/product/${p.id}`, { status: 'active' }), 422, 'status');
    }
    // list filters trim their values: either spelling finds them
    for (const q of ['aborted', encodeURIComponent(ABORTED)]) {
      const listed = await client.get<Product[]>(`/product?status=${q}&sort=status`);
      expect(listed.body.map((p) => p.status)).toEqual([ABORTED, ABORTED]);
    }
  });

  it('deletes only products never delivered or ended', async () => {
    const created = await client.create<Product>('/product', fibre('d1'));
    const active = await client.create<Product>('/product', fibre('d1', { status: 'active' }));
    refused(await client.del(`/product/${active.id}`), 422, 'status');
    expect((await client.del(`/product/${created.id}`)).status).toBe(204);
    expect((await client.get(`/product/${created.id}`)).status).toBe(404);
    expect((await client.patch(`/product/${active.id}`, { status: 'terminated' })).status).toBe(200);
    expect((await client.del(`/product/${active.id}`)).status).toBe(204);
  });
});
