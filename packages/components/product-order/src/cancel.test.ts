import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { client, customer, events, item, order, ordering, refused, refusedBy, system, withProductOrderOperon, type CancelProductOrder, type ProductOrder } from './test-api.ts';

withProductOrderOperon();

async function placed(items = [item('1'), item('2')]): Promise<ProductOrder> {
  return client.create<ProductOrder>('/productOrder', order(items));
}

const stored = async (id: string) => (await client.get<ProductOrder>(`/productOrder/${id}`)).body;
const request = async (id: string) => (await client.get<CancelProductOrder>(`/cancelProductOrder/${id}`)).body;

describe('cancelProductOrder', () => {
  it('moves an open order to assessingCancellation and is acknowledged', async () => {
    const o = await placed();
    const r = await client.post<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: o.id }, cancellationReason: 'Found a cheaper offer', requestedCancellationDate: '2030-01-01T10:00:00+01:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      '@type': 'CancelProductOrder', state: 'acknowledged', cancellationReason: 'Found a cheaper offer', requestedCancellationDate: '2030-01-01T09:00:00.000Z',
      productOrder: { id: o.id, href: o.href }, relatedParty: [customer()],
    });
    expect(r.headers.get('location')).toBe(`${client.baseUrl}/cancelProductOrder/${r.body.id}`);
    const got = await stored(o.id);
    expect(got).toMatchObject({ state: 'assessingCancellation', cancellationReason: 'Found a cheaper offer' });
    expect(got.productOrderItem.map((i) => i.state)).toEqual(['acknowledged', 'acknowledged']);
    expect((await client.get<CancelProductOrder[]>(`/cancelProductOrder?productOrder.id=${o.id}`)).body.map((c) => c.id)).toEqual([r.body.id]);
    expect((await client.get<ProductOrder[]>('/productOrder?state=assessingCancellation')).body.map((x) => x.id)).toContain(o.id);
  });

  it('refuses what cannot be cancelled, and malformed requests, without touching the order', async () => {
    const o = await placed();
    await client.create('/cancelProductOrder', { productOrder: { id: o.id } });
    refused(await client.post('/cancelProductOrder', { productOrder: { id: o.id } }), 409, 'already being cancelled');
    refused(await client.post('/cancelProductOrder', { productOrder: { id: 'no-such-order' } }), 422, 'productOrder.id');
    refused(await client.post('/cancelProductOrder', { cancellationReason: 'which one?' }), 400, 'productOrder');
    refused(await client.post('/cancelProductOrder', { productOrder: { id: o.id }, state: 'done' }), 400, 'state');
    refused(await client.post('/cancelProductOrder', { productOrder: { id: o.id }, relatedParty: [customer('ind-x')] }), 400, 'relatedParty');

    const done = await placed([item('1')]);
    await ordering.start(done.id, system);
    await ordering.moveItems(done.id, { 1: 'completed' }, system);
    await ordering.close(done.id, system);
    const e = refused(await client.post('/cancelProductOrder', { productOrder: { id: done.id } }), 422, 'productOrder.id');
    expect(e.code).toBe('notCancellable');
    expect((await stored(done.id)).state).toBe('completed');
    // the collection has no PATCH or DELETE (TMF622 defines none)
    expect((await client.del(`/cancelProductOrder/${(await client.get<CancelProductOrder[]>('/cancelProductOrder')).body[0]!.id}`)).status).toBe(404);
  });

  it('is carried out by the flow: pendingCancellation, then cancelled and done', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    // one item already delivered: it is undone with the rest
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    const c = await client.create<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: o.id }, cancellationReason: 'Moving abroad' });
    const accepted = await ordering.acceptCancellation(c.id, system);
    expect(accepted.order.doc.state).toBe('pendingCancellation');
    expect(accepted.order.doc.productOrderItem.map((i) => i.state)).toEqual(['pendingCancellation', 'pendingCancellation']);
    expect(accepted.request.doc.state).toBe('inProgress');
    // the request is done only once the order is cancelled
    await refusedBy(ordering.cancellations.transition(c.id, 'done', system), 422, 'state');
    const done = await ordering.completeCancellation(c.id, system);
    expect(done.order.doc.state).toBe('cancelled');
    const got = await stored(o.id);
    expect(got.productOrderItem.map((i) => i.state)).toEqual(['cancelled', 'cancelled']);
    expect(got.cancellationDate).toBeDefined();
    expect(got.completionDate).toBe(got.cancellationDate);
    const req = await request(c.id);
    expect(req.state).toBe('done');
    expect(Date.parse(String(req.effectiveCancellationDate))).not.toBeNaN();

    const spec = loadSpec('TMF622');
    const evs = (await events()).filter((e) => e.resource_id === c.id);
    expect(evs.map((e) => e.event_type)).toEqual(['CancelProductOrderCreateEvent', 'CancelProductOrderStateChangeEvent', 'CancelProductOrderStateChangeEvent']);
    for (const e of evs) {
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors('CancelProductOrder', e.payload.event['cancelProductOrder']), e.event_type).toEqual([]);
    }
  });

  it('cancels an order not yet started in one step', async () => {
    const o = await placed();
    const c = await client.create<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: o.id } });
    const done = await ordering.completeCancellation(c.id, system);
    expect(done.order.doc.state).toBe('cancelled');
    expect(done.request.doc.state).toBe('done');
  });

  it('may be declined while assessed: the order resumes and the request ends in error', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const c = await client.create<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: o.id } });
    const declined = await ordering.declineCancellation(c.id, 'the line is already being spliced', system);
    expect(declined.order.doc.state).toBe('inProgress');
    expect(declined.request.doc.state).toBe('terminatedWithError');
    const got = await stored(o.id);
    expect(got['note']).toEqual([expect.objectContaining({ text: `Cancellation request ${c.id} declined: the line is already being spliced` })]);
    // the order can be asked again later
    const again = await client.create<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: o.id } });
    await ordering.acceptCancellation(again.id, system);
    // past the point of no return
    await refusedBy(ordering.declineCancellation(again.id, 'too late', system), 422, 'state');

    const fresh = await placed();
    const c2 = await client.create<CancelProductOrder>('/cancelProductOrder', { productOrder: { id: fresh.id } });
    expect((await ordering.declineCancellation(c2.id, 'contract term', system)).order.doc.state).toBe('acknowledged');
  });
});
