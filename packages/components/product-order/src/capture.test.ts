import { describe, expect, it } from 'vitest';
import type { ProductOrderInput, ProductOrderValidator, ProductOrderVerdict } from './index.ts';
import { client, customer, events, item, op, order, ordering, refused, refusedBy, system, withProductOrderOperon, type CancelProductOrder, type ProductOrder } from './test-api.ts';

/** What the test validator was asked, to prove malformed orders never reach it. */
const asked: ProductOrderInput[] = [];

/**
 * Stands in for the lead-to-cash flow's validator: a retired offering is
 * refused, a modify or delete item must name a product the customer owns.
 */
const validator: ProductOrderValidator = {
  validate(o): ProductOrderVerdict {
    asked.push(o);
    const errors = o.productOrderItem.flatMap((it, i) => [
      ...(it.productOffering?.id === 'po-retired'
        ? [{ code: 'offeringNotSold', reason: 'The offering is no longer sold', message: 'offering po-retired is Retired', field: `productOrderItem[${i}].productOffering.id` }]
        : []),
      ...((it.action === 'modify' || it.action === 'delete') && it.product?.id !== 'prod-owned'
        ? [{ code: 'unknownProduct', reason: 'No such product', message: `product ${String(it.product?.id)} is not one of the customer's`, field: `productOrderItem[${i}].product.id` }]
        : []),
    ]);
    return errors.length ? { ok: false, errors } : { ok: true, expectedCompletionDate: '2030-01-15T09:00:00+01:00' };
  },
};

withProductOrderOperon(validator);

describe('order capture', () => {
  it('acknowledges a valid order, with its items, dates and the validator’s delivery date', async () => {
    const before = Date.now();
    const r = await client.post<ProductOrder>('/productOrder', order([item('1'), item('2', { productOrderItemRelationship: [{ id: '1', relationshipType: 'reliesOn' }] })], { externalId: 'CRM-1001' }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'ProductOrder', state: 'acknowledged', externalId: 'CRM-1001', expectedCompletionDate: '2030-01-15T08:00:00.000Z' });
    expect(r.body.productOrderItem.map((i) => i.state)).toEqual(['acknowledged', 'acknowledged']);
    expect(Date.parse(r.body.orderDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(r.body.completionDate).toBeUndefined();
    expect(r.body.href).toBe(`${client.baseUrl}/productOrder/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"1"');
    expect((await client.get(`/productOrder/${r.body.id}`)).body).toEqual(r.body);
    // the create event is what starts the flow: it carries the acknowledged order
    const created = (await events()).find((e) => e.event_type === 'ProductOrderCreateEvent' && e.resource_id === r.body.id);
    expect(created?.payload.event['productOrder']?.['state']).toBe('acknowledged');
  });

  it('stores a refused order as rejected, with the reasons and the items they concern', async () => {
    const r = await client.post<ProductOrder>('/productOrder', order([item('1'), item('2', { productOffering: { id: 'po-retired' } }), item('3', { action: 'modify', product: { id: 'prod-stolen' } })]));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.state).toBe('rejected');
    expect(r.body.productOrderItem.map((i) => i.state)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(r.body.completionDate).toBe(r.body.orderDate);
    expect(r.body.expectedCompletionDate).toBeUndefined();
    expect(r.body.productOrderErrorMessage).toEqual([
      expect.objectContaining({
        code: 'offeringNotSold', reason: 'The offering is no longer sold', message: 'productOrderItem[1].productOffering.id: offering po-retired is Retired',
        '@type': 'ProductOrderErrorMessage', productOrderItem: [{ productOrderId: r.body.id, productOrderItemId: '2', '@referredType': 'ProductOrderItem' }],
      }),
      expect.objectContaining({ code: 'unknownProduct', productOrderItem: [expect.objectContaining({ productOrderItemId: '3' })] }),
    ]);
    expect(Date.parse(String(r.body.productOrderErrorMessage![0]!['timestamp']))).not.toBeNaN();
    // a rejected order is closed: nothing moves it any more
    await refusedBy(ordering.start(r.body.id, system), 422, 'state');
    const cancel = await client.post('/cancelProductOrder', { productOrder: { id: r.body.id } });
    refused(cancel, 422, 'productOrder.id');
    const rejected = await client.get<ProductOrder[]>('/productOrder?state=rejected');
    expect(rejected.body.map((o) => o.id)).toEqual([r.body.id]);
  });

  it('refuses malformed orders with 400 or 422, stores nothing and does not ask the validator', async () => {
    const count = (await client.get<ProductOrder[]>('/productOrder')).body.length;
    const n = asked.length;
    refused(await client.post('/productOrder', { relatedParty: [customer()] }), 400, 'productOrderItem');
    refused(await client.post('/productOrder', order([])), 400, 'productOrderItem');
    // TMF622's conformance profile makes the parties mandatory: an order names who places it
    refused(await client.post('/productOrder', { productOrderItem: [item('1')] }), 400, 'relatedParty');
    refused(await client.post('/productOrder', order(undefined, { relatedParty: [] })), 400, 'relatedParty');
    refused(await client.post('/productOrder', order([{ id: '1' }])), 400, 'productOrderItem[0].action');
    refused(await client.post('/productOrder', order([item('1', { action: 'replace' })])), 400, 'productOrderItem[0].action');
    refused(await client.post('/productOrder', order([item('1', { state: 'completed' })])), 400, 'productOrderItem[0].state');
    refused(await client.post('/productOrder', order(undefined, { state: 'completed' })), 400, 'state');
    refused(await client.post('/productOrder', order(undefined, { orderDate: '2024-01-01T00:00:00Z' })), 400, 'orderDate');
    refused(await client.post('/productOrder', order(undefined, { productOrderMilestone: [] })), 400, 'productOrderMilestone');
    refused(await client.post('/productOrder', order(undefined, { colour: 'red' })), 400, 'colour');
    refused(await client.post('/productOrder', order(undefined, { relatedParty: [{ id: 'x' }] })), 400, 'relatedParty[0].@referredType');
    refused(await client.post('/productOrder', order([item('1'), item('1')])), 422, 'productOrderItem[1].id');
    refused(await client.post('/productOrder', order([item('1', { productOrderItemRelationship: [{ id: '9', relationshipType: 'reliesOn' }] })])), 422, 'productOrderItem[0].productOrderItemRelationship[0].id');
    refused(await client.post('/productOrder', order([item('1', { action: 'delete' })])), 422, 'productOrderItem[0].product.id');
    const deep = item('1', { productOrderItem: [item('1.1', { productOrderItem: [item('1.1.1', { productOrderItem: [item('1.1.1.1')] })] })] });
    refused(await client.post('/productOrder', order([deep])), 400, 'productOrderItem[0].productOrderItem[0].productOrderItem[0].productOrderItem');
    const bad = await client.call('POST', '/productOrder', order(), { 'content-type': 'text/plain' });
    expect(bad.status).toBe(415);
    expect((await client.get<ProductOrder[]>('/productOrder')).body.length).toBe(count);
    expect(asked.length).toBe(n);
  });

  it('stamps the states of sub-items and checks their ids across the whole order', async () => {
    const bundle = item('1', { productOrderItem: [item('1.1'), item('1.2', { productOrderItem: [item('1.2.1')] })] });
    const r = await client.create<ProductOrder>('/productOrder', order([bundle]));
    const sub = r.productOrderItem[0]!.productOrderItem!;
    expect(sub.map((i) => i.state)).toEqual(['acknowledged', 'acknowledged']);
    expect(sub[1]!.productOrderItem![0]!.state).toBe('acknowledged');
    refused(await client.post('/productOrder', order([item('1', { productOrderItem: [item('1')] })])), 422, 'productOrderItem[0].productOrderItem[0].id');
  });

  it('filters orders as a console does: customer, reference, state, dates, ordered product', async () => {
    const a = await client.create<ProductOrder>('/productOrder', order([item('1', { action: 'modify', product: { id: 'prod-owned' } })], { externalId: 'CRM-2001', relatedParty: [customer('ind-filter')] }));
    const b = await client.create<ProductOrder>('/productOrder', order(undefined, { externalId: 'CRM-2002', relatedParty: [customer('ind-filter')] }));
    const ids = async (q: string) => (await client.get<ProductOrder[]>(`/productOrder?${q}`)).body.map((o) => o.id);
    expect(await ids('relatedParty.id=ind-filter&sort=orderDate')).toEqual([a.id, b.id]);
    expect(await ids('relatedParty.id=ind-filter&sort=-orderDate')).toEqual([b.id, a.id]);
    expect(await ids('externalId=CRM-2002')).toEqual([b.id]);
    expect(await ids('productOrderItem.product.id=prod-owned')).toEqual([a.id]);
    expect(await ids(`relatedParty.id=ind-filter&orderDate.gte=${a.orderDate}&orderDate.lt=${b.orderDate}`)).toEqual(a.orderDate === b.orderDate ? [] : [a.id]);
    expect(await ids(`relatedParty.id=ind-filter&orderDate=${b.orderDate}`)).toContain(b.id);
    expect(await ids('relatedParty.id=ind-filter&state=acknowledged,inProgress')).toHaveLength(2);
    expect(await ids('relatedParty.id=ind-filter&orderDate.gt=2099-01-01T00:00:00Z')).toEqual([]);
    const page = await client.get<ProductOrder[]>('/productOrder?relatedParty.id=ind-filter&fields=state,orderDate&limit=1');
    expect(page.status).toBe(206);
    expect(Object.keys(page.body[0]!).sort()).toEqual(['@type', 'href', 'id', 'orderDate', 'state']);
  });
});

describe('a customer credential', () => {
  const self = (partyId: string) => ({ ...system, principal: { id: `user-${partyId}`, roles: ['customer'], partyId } });

  it('places, sees and cancels only its own orders', async () => {
    const mine = await ordering.capture(order(undefined, { relatedParty: [customer('ind-me')] }), self('ind-me'));
    expect(mine.doc.state).toBe('acknowledged');
    await refusedBy(ordering.capture(order(undefined, { relatedParty: [customer('ind-other')] }), self('ind-me')), 403, 'relatedParty');
    const theirs = await ordering.capture(order(undefined, { relatedParty: [customer('ind-other')] }), system);

    const seen = await ordering.orders.listPresented(self('ind-me'), ordering.orders.parseQuery({}));
    expect(seen.items.map((o) => o.id)).toEqual([mine.doc.id]);
    await refusedBy(ordering.orders.retrieveFor(self('ind-me'), theirs.doc.id), 404);

    // another party's order is answered like a missing one
    await refusedBy(ordering.requestCancellation({ productOrder: { id: theirs.doc.id } }, self('ind-me')), 422, 'productOrder.id');
    expect((await ordering.orders.retrieve(theirs.doc.id)).doc.state).toBe('acknowledged');
    const asking = await ordering.requestCancellation({ productOrder: { id: mine.doc.id }, cancellationReason: 'moving abroad' }, self('ind-me'));
    expect(asking.doc.relatedParty).toEqual([customer('ind-me')]);
    await ordering.requestCancellation({ productOrder: { id: theirs.doc.id }, cancellationReason: 'private' }, system);
    const requests = await ordering.cancellations.listPresented(self('ind-me'), ordering.cancellations.parseQuery({}));
    expect(requests.items.map((c) => (c as CancelProductOrder).productOrder.id)).toEqual([mine.doc.id]);
    expect((await op.db.query('SELECT 1 FROM product_order_cancel')).rowCount).toBeGreaterThanOrEqual(2);
  });
});
