import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { ORDER_STATES, type OrderState } from '@operon/tmf';
import { resourceOrderItemLifecycle, resourceOrderLifecycle } from './index.ts';
import { client, events, item, op, order, ordering, refused, refusedBy, requester, resource, system, withResourceOrderOperon, type CancelResourceOrder, type ResourceOrder } from './test-api.ts';

withResourceOrderOperon();

const placed = () => client.create<ResourceOrder>('/resourceOrder', order());
const stored = async (id: string) => (await client.get<ResourceOrder>(`/resourceOrder/${id}`)).body;
const itemStates = (o: ResourceOrder) => o.orderItem.map((i) => i.state);

describe('resource order capture', () => {
  it('acknowledges a valid order, numbering items given without an id', async () => {
    const before = Date.now();
    const r = await client.post<ResourceOrder>('/resourceOrder', order([item(undefined, 'gpon-port'), item('7', 'ipv4-address'), item(undefined, 'customer-vlan', ['7'])], { requestedCompletionDate: '2030-01-15T09:00:00+01:00' }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'ResourceOrder', state: 'acknowledged', externalId: 'SO-1', orderType: 'provisioning', expectedCompletionDate: '2030-01-15T08:00:00.000Z' });
    expect(r.body.orderItem.map((i) => [i.id, i.state])).toEqual([['1', 'acknowledged'], ['7', 'acknowledged'], ['2', 'acknowledged']]);
    expect(Date.parse(r.body.orderDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(r.body.href).toBe(`${client.baseUrl}/resourceOrder/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect((await client.get(`/resourceOrder/${r.body.id}`)).body).toEqual(r.body);
    // a requester may say when it placed the order (TMF652 has orderDate among the create attributes)
    const dated = await client.create<ResourceOrder>('/resourceOrder', order(undefined, { orderDate: '2029-12-31T23:00:00-01:00' }));
    expect(dated.orderDate).toBe('2030-01-01T00:00:00.000Z');
    const created = (await events()).find((e) => e.event_type === 'ResourceOrderCreateEvent' && e.resource_id === r.body.id);
    expect(created?.payload.event['resourceOrder']?.['state']).toBe('acknowledged');
  });

  it('refuses malformed orders with 400 or 422 and stores nothing', async () => {
    const count = (await client.get<ResourceOrder[]>('/resourceOrder')).body.length;
    refused(await client.post('/resourceOrder', { relatedParty: [requester()] }), 400, 'orderItem');
    refused(await client.post('/resourceOrder', order([])), 400, 'orderItem');
    refused(await client.post('/resourceOrder', order([{ id: '1', resourceSpecification: { id: 'x' } }])), 400, 'orderItem[0].action');
    refused(await client.post('/resourceOrder', order([item('1', 'gpon-port', [], { resource: { id: 'r1' } })])), 400, 'orderItem[0].resource.href');
    refused(await client.post('/resourceOrder', order([item('1', 'gpon-port', [], { state: 'inProgress' })])), 422, 'orderItem[0].state');
    refused(await client.post('/resourceOrder', order(undefined, { state: 'acknowledged' })), 400, 'state');
    refused(await client.post('/resourceOrder', order(undefined, { startDate: '2030-01-01T00:00:00Z' })), 400, 'startDate');
    refused(await client.post('/resourceOrder', order(undefined, { priority: 'high' })), 400, 'priority');
    refused(await client.post('/resourceOrder', order(undefined, { externalReference: [{ id: 'so-1' }] })), 400, 'externalReference[0]');
    refused(await client.post('/resourceOrder', order([item('1', 'a'), item('1', 'b')])), 422, 'orderItem[1].id');
    refused(await client.post('/resourceOrder', order([item('1', 'a', ['9'])])), 422, 'orderItem[0].orderItemRelationship[0].orderItem.itemId');
    refused(await client.post('/resourceOrder', order([{ id: '1', action: 'delete', resourceSpecification: { id: 'a' } }])), 422, 'orderItem[0].resource.id');
    expect((await client.get<ResourceOrder[]>('/resourceOrder')).body.length).toBe(count);
  });
});

describe('the resource order state machine', () => {
  it('is the shared transition table over the TMF652 item states', () => {
    expect([...resourceOrderLifecycle.states].sort()).toEqual([...ORDER_STATES].sort());
    expect([...resourceOrderLifecycle.next('acknowledged')].sort()).toEqual(['assessingCancellation', 'inProgress', 'rejected']);
    expect(resourceOrderItemLifecycle.isState('partial')).toBe(false);
    expect(resourceOrderItemLifecycle.states).toHaveLength(10);
  });

  it('runs an order to completed in dependency order, stamping start and completion dates', async () => {
    const o = await placed();
    expect(await ordering.readyItems(o.id)).toEqual(['1']);
    const started = await ordering.start(o.id, system);
    expect(started.doc).toMatchObject({ state: 'inProgress' });
    expect(Date.parse(String(started.doc.startDate))).not.toBeNaN();
    await refusedBy(ordering.moveItems(o.id, { 2: 'completed' }, system), 422, 'orderItem[1].state');
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    await ordering.transition(o.id, 'held', system);
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await ordering.transition(o.id, 'inProgress', system);
    await ordering.moveItems(o.id, { 2: 'completed' }, system);
    expect((await ordering.close(o.id, system)).doc.state).toBe('completed');
    const got = await stored(o.id);
    expect(itemStates(got)).toEqual(['completed', 'completed']);
    expect(got.completionDate).toBeDefined();
    const changes = (await events()).filter((e) => e.resource_id === o.id && e.event_type === 'ResourceOrderStateChangeEvent');
    expect(changes.map((e) => e.payload.event['resourceOrder']?.['state'])).toEqual(['inProgress', 'held', 'inProgress', 'completed']);
  });

  it('refuses forbidden jumps and client state changes', async () => {
    const o = await placed();
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'shipped' as OrderState, system), 400, 'state');
    await refusedBy(ordering.moveItems(o.id, { 1: 'inProgress' }, system), 422, 'state');
    refused(await client.patch(`/resourceOrder/${o.id}`, { state: 'inProgress' }), 400, 'state');
    refused(await client.patch(`/resourceOrder/${o.id}`, { orderItem: [] }), 400, 'orderItem');
    const ok = await client.patch<ResourceOrder>(`/resourceOrder/${o.id}`, { priority: 1, note: [{ text: 'field team booked' }] });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('acknowledged');
  });

  it('moves orders inside the caller’s transaction', async () => {
    const o = await placed();
    await expect(op.db.tx(async (tx) => {
      await ordering.start(o.id, system, tx);
      throw new Error('allocation failed');
    })).rejects.toThrow('allocation failed');
    expect((await stored(o.id)).state).toBe('acknowledged');
  });

  it('fails an order with the reason as a note (TMF652 has no error message), or ends partial', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const failed = await ordering.fail(o.id, { code: 'poolExhausted', reason: 'No free VLAN', message: 'pool vlan-olt7 exhausted' }, system);
    expect(failed.doc.state).toBe('failed');
    expect(failed.doc.note).toEqual([expect.objectContaining({ text: 'No free VLAN: pool vlan-olt7 exhausted' })]);

    const p = await client.create<ResourceOrder>('/resourceOrder', order([item('1', 'sim'), item('2', 'msisdn')]));
    await ordering.start(p.id, system);
    await ordering.moveItems(p.id, { 1: 'completed' }, system);
    expect((await ordering.fail(p.id, { reason: 'number port-in refused' }, system, { keepDelivered: true })).doc.state).toBe('partial');
  });

  it('holds an order that needs information and announces it', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const r = await ordering.requireInformation(o.id, { fieldPath: 'orderItem[0].appointment', message: 'no access to the building' }, system);
    expect(r.doc.state).toBe('held');
    const e = (await events()).find((x) => x.resource_id === o.id && x.event_type === 'ResourceOrderInformationRequiredEvent');
    expect(e?.payload['fieldPath']).toBe('orderItem[0].appointment');
    expect(loadSpec('TMF652').errors('ResourceOrderInformationRequiredEvent', e?.payload)).toEqual([]);
  });
});

describe('cancelResourceOrder', () => {
  it('moves the order to assessingCancellation, then is carried out to cancelled and done', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    const r = await client.post<CancelResourceOrder>('/cancelResourceOrder', { resourceOrder: { id: o.id }, cancellationReason: 'Service order cancelled' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ state: 'acknowledged', resourceOrder: { id: o.id, href: o.href } });
    expect((await stored(o.id)).state).toBe('assessingCancellation');
    refused(await client.post('/cancelResourceOrder', { resourceOrder: { id: o.id } }), 409, 'already being cancelled');
    const accepted = await ordering.acceptCancellation(r.body.id, system);
    // the port already configured is to be released with the rest
    expect(itemStates(accepted.order.doc)).toEqual(['pendingCancellation', 'pendingCancellation']);
    const done = await ordering.completeCancellation(r.body.id, system);
    expect(done.order.doc.state).toBe('cancelled');
    expect(done.request.doc.state).toBe('done');
    expect(Date.parse(String(done.request.doc.effectiveCancellationDate))).not.toBeNaN();
    const evs = (await events()).filter((e) => e.resource_id === r.body.id).map((e) => e.event_type);
    expect(evs).toEqual(['CancelResourceOrderCreateEvent', 'CancelResourceOrderStateChangeEvent', 'CancelResourceOrderStateChangeEvent']);
  });

  it('may be declined, and refuses closed or unknown orders', async () => {
    const o = await placed();
    const c = await client.create<CancelResourceOrder>('/cancelResourceOrder', { resourceOrder: { id: o.id } });
    const declined = await ordering.declineCancellation(c.id, 'already dispatched', system);
    expect(declined.order.doc.state).toBe('acknowledged');
    expect(declined.request.doc.state).toBe('terminatedWithError');
    refused(await client.post('/cancelResourceOrder', { resourceOrder: { id: 'nope' } }), 422, 'resourceOrder.id');
    refused(await client.post('/cancelResourceOrder', {}), 400, 'resourceOrder');
    const closed = await client.create<ResourceOrder>('/resourceOrder', order([item('1', 'ip', [], { resource: resource('ip-1') })]));
    await ordering.start(closed.id, system);
    await ordering.moveItems(closed.id, { 1: 'completed' }, system);
    await ordering.close(closed.id, system);
    expect(refused(await client.post('/cancelResourceOrder', { resourceOrder: { id: closed.id } }), 422, 'resourceOrder.id').code).toBe('notCancellable');
  });
});
