import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { ORDER_STATES, productOrderItemLifecycle, productOrderLifecycle, type OrderState } from './index.ts';
import { client, events, item, order, ordering, refused, refusedBy, system, withProductOrderOperon, type ProductOrder } from './test-api.ts';

// no validator: a component on its own acknowledges every well-formed order
withProductOrderOperon();

async function placed(items = [item('1'), item('2')]): Promise<ProductOrder> {
  const o = await client.create<ProductOrder>('/productOrder', order(items));
  expect(o.state).toBe('acknowledged');
  return o;
}

const stored = async (id: string) => (await client.get<ProductOrder>(`/productOrder/${id}`)).body;
const itemStates = (o: ProductOrder) => o.productOrderItem.map((i) => i.state);

describe('the order state machine', () => {
  it('is the transition table of the TMF622 state diagram', () => {
    const next = (s: OrderState) => [...productOrderLifecycle.next(s)].sort();
    expect([...productOrderLifecycle.states].sort()).toEqual([...ORDER_STATES].sort());
    expect(next('acknowledged')).toEqual(['assessingCancellation', 'inProgress', 'rejected']);
    expect(next('inProgress')).toEqual(['assessingCancellation', 'completed', 'failed', 'held', 'partial', 'pending']);
    expect(next('pending')).toEqual(['assessingCancellation', 'inProgress']);
    expect(next('held')).toEqual(['assessingCancellation', 'inProgress']);
    expect(next('assessingCancellation')).toEqual(['acknowledged', 'held', 'inProgress', 'pending', 'pendingCancellation']);
    expect(next('pendingCancellation')).toEqual(['cancelled']);
    for (const s of ['rejected', 'cancelled', 'completed', 'failed', 'partial'] as const) expect(productOrderLifecycle.isTerminal(s), s).toBe(true);
    // the order and item enumerations are those of TMF622 (whose items have no partial state)
    const spec = loadSpec('TMF622');
    for (const s of productOrderLifecycle.states) expect(spec.errors('ProductOrderStateType', s), s).toEqual([]);
    for (const s of productOrderItemLifecycle.states) expect(spec.errors('ProductOrderItemStateType', s), s).toEqual([]);
    expect(productOrderItemLifecycle.states).toHaveLength(10);
    expect(productOrderItemLifecycle.isState('partial')).toBe(false);
  });

  it('runs an order from acknowledged to completed, stamping the completion date', async () => {
    const o = await placed();
    const started = await ordering.start(o.id, system);
    expect(started.doc.state).toBe('inProgress');
    expect(itemStates(started.doc)).toEqual(['inProgress', 'inProgress']);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    // held while the installer cannot get in, then back in progress
    await ordering.transition(o.id, 'held', system);
    await ordering.transition(o.id, 'inProgress', system);
    await ordering.transition(o.id, 'pending', system);
    await ordering.transition(o.id, 'inProgress', system);
    await ordering.moveItems(o.id, { 2: 'completed' }, system);
    const done = await ordering.close(o.id, system);
    expect(done.doc.state).toBe('completed');
    const got = await stored(o.id);
    expect(got.state).toBe('completed');
    expect(itemStates(got)).toEqual(['completed', 'completed']);
    expect(Date.parse(String(got.completionDate))).toBeGreaterThanOrEqual(Date.parse(o.orderDate));
    const changes = (await events()).filter((e) => e.resource_id === o.id && e.event_type === 'ProductOrderStateChangeEvent');
    expect(changes.map((e) => e.payload.event['productOrder']?.['state'])).toEqual(['inProgress', 'held', 'inProgress', 'pending', 'inProgress', 'completed']);
  });

  it('refuses forbidden jumps with 422', async () => {
    const o = await placed();
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'held', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'pendingCancellation', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'shipped' as OrderState, system), 400, 'state');
    await ordering.start(o.id, system);
    await ordering.transition(o.id, 'held', system);
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'acknowledged', system), 422, 'state');
    expect((await stored(o.id)).state).toBe('held');
  });

  it('keeps the order consistent with its items', async () => {
    const o = await placed();
    // an item cannot progress while its order is only acknowledged
    await refusedBy(ordering.moveItems(o.id, { 1: 'inProgress' }, system), 422, 'state');
    await ordering.start(o.id, system);
    // completed only when every item is
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await refusedBy(ordering.close(o.id, system), 422, 'productOrderItem');
    // an item moves along its own state machine
    await refusedBy(ordering.moveItems(o.id, { 2: 'acknowledged' }, system), 422, 'productOrderItem[1].state');
    await refusedBy(ordering.moveItems(o.id, { 2: 'partial' }, system), 400, 'productOrderItem[1].state');
    await refusedBy(ordering.moveItems(o.id, { 9: 'completed' }, system), 422, 'productOrderItem');
    // cancellation states of items belong to a cancellation of the order
    await refusedBy(ordering.moveItems(o.id, { 2: 'pendingCancellation' }, system), 422, 'productOrderItem[1].state');
    // partial when some items were delivered and some failed
    await refusedBy(ordering.moveItems(o.id, { 2: 'failed' }, system, { state: 'completed' }), 422, 'state');
    const partial = await ordering.moveItems(o.id, { 2: 'failed' }, system, { state: 'partial' });
    expect(partial.doc.state).toBe('partial');
    expect(partial.doc.completionDate).toBeDefined();
    // items cannot be added or removed once the order is placed
    const other = await placed();
    await refusedBy(ordering.orders.update(other.id, (d) => ({ ...d, productOrderItem: d.productOrderItem.concat([{ id: '3', action: 'add', state: 'acknowledged' }]) }), system), 422, 'productOrderItem');
  });

  it('closes an order as failed or partial from its items', async () => {
    const all = await placed();
    await ordering.start(all.id, system);
    await ordering.moveItems(all.id, { 1: 'failed', 2: 'failed' }, system);
    expect((await ordering.close(all.id, system)).doc.state).toBe('failed');

    const some = await placed();
    await ordering.start(some.id, system);
    await ordering.moveItems(some.id, { 1: 'completed', 2: 'failed' }, system);
    expect((await ordering.close(some.id, system)).doc.state).toBe('partial');
  });

  it('fails an order with the reason on it, undoing what was delivered unless the items are independent', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    const failed = await ordering.fail(o.id, { code: 'noCapacity', reason: 'No free GPON port', message: 'pool olt-7 exhausted', itemIds: ['2'] }, system);
    expect(failed.doc.state).toBe('failed');
    expect(itemStates(failed.doc)).toEqual(['failed', 'failed']);
    expect(failed.doc.productOrderErrorMessage).toEqual([expect.objectContaining({
      code: 'noCapacity', reason: 'No free GPON port', '@type': 'ProductOrderErrorMessage',
      productOrderItem: [{ productOrderId: o.id, productOrderItemId: '2', '@referredType': 'ProductOrderItem' }],
    })]);
    const announced = (await events()).filter((e) => e.resource_id === o.id && e.event_type === 'ProductOrderErrorMessageEvent');
    expect(announced).toHaveLength(1);

    const independent = await placed();
    await ordering.start(independent.id, system);
    await ordering.moveItems(independent.id, { 1: 'completed' }, system);
    const partial = await ordering.fail(independent.id, { reason: 'Line test failed' }, system, { keepDelivered: true });
    expect(partial.doc.state).toBe('partial');
    expect(itemStates(partial.doc)).toEqual(['completed', 'failed']);

    // an order not yet started fails too (it is started first)
    const early = await placed();
    expect((await ordering.fail(early.id, { reason: 'Decomposition found no service' }, system)).doc.state).toBe('failed');
  });
});

describe('what clients may change', () => {
  it('may not set states, items or server dates, but may patch the rest', async () => {
    const o = await placed();
    refused(await client.patch(`/productOrder/${o.id}`, { state: 'completed' }), 400, 'state');
    refused(await client.patch(`/productOrder/${o.id}`, { state: 'inProgress' }), 400, 'state');
    refused(await client.patch(`/productOrder/${o.id}`, { productOrderItem: [{ ...o.productOrderItem[0], state: 'completed' }, o.productOrderItem[1]] }), 400, 'productOrderItem');
    refused(await client.patch(`/productOrder/${o.id}`, { completionDate: '2030-01-01T00:00:00Z' }), 400, 'completionDate');
    refused(await client.patch(`/productOrder/${o.id}`, { orderDate: '2020-01-01T00:00:00Z' }), 400, 'orderDate');
    refused(await client.jsonPatch(`/productOrder/${o.id}`, [{ op: 'replace', path: '/productOrderItem/0/state', value: 'completed' }]), 400, 'productOrderItem');
    const ok = await client.patch<ProductOrder>(`/productOrder/${o.id}`, { description: 'Ground floor, ring twice', priority: '1', note: [{ text: 'Customer prefers mornings' }] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: 'Ground floor, ring twice', priority: '1', state: 'acknowledged' });
  });

  it('keeps a closed order as a record: notes only, and deletable', async () => {
    const o = await placed([item('1')]);
    refused(await client.del(`/productOrder/${o.id}`), 422, 'state');
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    await ordering.close(o.id, system);
    refused(await client.patch(`/productOrder/${o.id}`, { description: 'too late' }), 422, 'description');
    expect((await client.patch(`/productOrder/${o.id}`, { note: [{ text: 'Customer happy' }] })).status).toBe(200);
    expect((await client.del(`/productOrder/${o.id}`)).status).toBe(204);
    expect((await client.get(`/productOrder/${o.id}`)).status).toBe(404);
  });
});

describe('milestones and jeopardy alerts', () => {
  it('are recorded on the order and announced with the v5 events', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const m = await ordering.addMilestone(o.id, { id: 'm-install', name: 'Installation booked', status: 'Yet-To-Reach', itemIds: ['1'] }, system);
    expect(m.doc.productOrderMilestone).toEqual([expect.objectContaining({
      id: 'm-install', name: 'Installation booked', status: 'Yet-To-Reach', '@type': 'ProductOrderMilestone',
      productOrderItem: [{ productOrderId: o.id, productOrderItemId: '1', '@referredType': 'ProductOrderItem' }],
    })]);
    // the same milestone, reached: a new version replaces the first
    await ordering.addMilestone(o.id, { id: 'm-install', name: 'Installation booked', status: 'Completed' }, system);
    const j = await ordering.addJeopardyAlert(o.id, { name: 'Activation late', jeopardyType: 'Hazard', message: 'activate-resource past its expected duration', itemIds: ['2'] }, system);
    expect(j.doc.productOrderJeopardyAlert).toEqual([expect.objectContaining({ name: 'Activation late', jeopardyType: 'Hazard', '@type': 'ProductOrderJeopardyAlert' })]);
    await refusedBy(ordering.addMilestone(o.id, { name: 'x', itemIds: ['nope'] }, system), 422, 'productOrderItem');

    const got = await stored(o.id);
    expect(got.productOrderMilestone).toEqual([expect.objectContaining({ id: 'm-install', status: 'Completed' })]);
    // clients read them but do not write them
    refused(await client.patch(`/productOrder/${o.id}`, { productOrderJeopardyAlert: [] }), 400, 'productOrderJeopardyAlert');

    const spec = loadSpec('TMF622');
    const extra = (await events()).filter((e) => e.resource_id === o.id && ['ProductOrderMilestoneEvent', 'ProductOrderJeopardyAlertEvent'].includes(e.event_type));
    expect(extra.map((e) => e.event_type)).toEqual(['ProductOrderMilestoneEvent', 'ProductOrderMilestoneEvent', 'ProductOrderJeopardyAlertEvent']);
    for (const e of extra) {
      // v4 has no such events: the envelope is the one its events share, the order a v4 ProductOrder
      expect(spec.errors('ProductOrderStateChangeEvent', e.payload), e.event_type).toEqual([]);
      expect(spec.errors('ProductOrder', e.payload.event['productOrder']), e.event_type).toEqual([]);
      expect(e.payload).toMatchObject({ eventType: e.event_type, domain: 'productOrderingManagement' });
      expect(e.payload.event['productOrder']?.['href']).toBe(`${client.baseUrl}/productOrder/${o.id}`);
    }
  });
});
