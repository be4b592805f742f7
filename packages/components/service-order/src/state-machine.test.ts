import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { ORDER_STATES, type OrderState } from '@operon/tmf';
import { serviceOrderItemLifecycle, serviceOrderLifecycle } from './index.ts';
import { cfs, client, events, op, order, ordering, refused, refusedBy, rfs, system, withServiceOrderOperon, type CancelServiceOrder, type ServiceOrder } from './test-api.ts';

withServiceOrderOperon();

const placed = () => client.create<ServiceOrder>('/serviceOrder', order());
const stored = async (id: string) => (await client.get<ServiceOrder>(`/serviceOrder/${id}`)).body;
const itemStates = (o: ServiceOrder) => o.serviceOrderItem.map((i) => i.state);

describe('the service order state machine', () => {
  it('is the transition table of the TMF641 state diagram, over the TMF641 enumerations', () => {
    const next = (s: OrderState) => [...serviceOrderLifecycle.next(s)].sort();
    expect([...serviceOrderLifecycle.states].sort()).toEqual([...ORDER_STATES].sort());
    expect(next('acknowledged')).toEqual(['assessingCancellation', 'inProgress', 'rejected']);
    expect(next('inProgress')).toEqual(['assessingCancellation', 'completed', 'failed', 'held', 'partial', 'pending']);
    expect(next('assessingCancellation')).toEqual(['acknowledged', 'held', 'inProgress', 'pending', 'pendingCancellation']);
    expect(next('pendingCancellation')).toEqual(['cancelled']);
    for (const s of ['rejected', 'cancelled', 'completed', 'failed', 'partial'] as const) expect(serviceOrderLifecycle.isTerminal(s), s).toBe(true);
    const spec = loadSpec('TMF641');
    for (const s of serviceOrderLifecycle.states) expect(spec.errors('ServiceOrderStateType', s), s).toEqual([]);
    // TMF641 items have all eleven states, partial included
    for (const s of serviceOrderItemLifecycle.states) expect(spec.errors('ServiceOrderItemStateType', s), s).toEqual([]);
    expect(serviceOrderItemLifecycle.states).toHaveLength(11);
  });

  it('runs an order to completed, items in dependency order, stamping start and completion dates', async () => {
    const o = await placed();
    expect(await ordering.readyItems(o.id)).toEqual(['2']);
    const started = await ordering.start(o.id, system);
    expect(started.doc.state).toBe('inProgress');
    expect(itemStates(started.doc)).toEqual(['inProgress', 'inProgress']);
    expect(Date.parse(String(started.doc.startDate))).not.toBeNaN();
    // the CFS depends on the RFS: it cannot complete first
    const early = ordering.moveItems(o.id, { 1: 'completed' }, system);
    await refusedBy(early, 422, 'serviceOrderItem[0].state');
    await expect(early).rejects.toMatchObject({ code: 'dependencyNotCompleted' });
    await ordering.moveItems(o.id, { 2: 'completed' }, system);
    expect(await ordering.readyItems(o.id)).toEqual(['1']);
    await ordering.transition(o.id, 'pending', system);
    await ordering.transition(o.id, 'inProgress', system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    const done = await ordering.close(o.id, system);
    expect(done.doc.state).toBe('completed');
    const got = await stored(o.id);
    expect(itemStates(got)).toEqual(['completed', 'completed']);
    expect(Date.parse(String(got.completionDate))).toBeGreaterThanOrEqual(Date.parse(String(got.startDate)));
    const changes = (await events()).filter((e) => e.resource_id === o.id && e.event_type === 'ServiceOrderStateChangeEvent');
    expect(changes.map((e) => e.payload.event['serviceOrder']?.['state'])).toEqual(['inProgress', 'pending', 'inProgress', 'completed']);
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const o = await placed();
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'held', system), 422, 'state');
    await refusedBy(ordering.transition(o.id, 'shipped' as OrderState, system), 400, 'state');
    // items move only while their order does, along their own machine
    await refusedBy(ordering.moveItems(o.id, { 2: 'inProgress' }, system), 422, 'state');
    await ordering.start(o.id, system);
    await refusedBy(ordering.moveItems(o.id, { 2: 'acknowledged' }, system), 422, 'serviceOrderItem[1].state');
    await refusedBy(ordering.moveItems(o.id, { 2: 'pendingCancellation' }, system), 422, 'serviceOrderItem[1].state');
    await refusedBy(ordering.moveItems(o.id, { 9: 'completed' }, system), 422, 'serviceOrderItem');
    await refusedBy(ordering.transition(o.id, 'completed', system), 422, 'state');
    expect((await stored(o.id)).state).toBe('inProgress');
  });

  it('moves orders inside the caller’s transaction: a rollback leaves nothing, not even events', async () => {
    const o = await placed();
    const before = (await events()).length;
    await expect(op.db.tx(async (tx) => {
      await ordering.start(o.id, system, tx);
      await ordering.moveItems(o.id, { 2: 'completed' }, system, {}, tx);
      throw new Error('the flow failed after moving the order');
    })).rejects.toThrow('the flow failed');
    expect((await stored(o.id)).state).toBe('acknowledged');
    expect((await events()).length).toBe(before);
    // and commits with it otherwise
    await op.db.tx(async (tx) => {
      await ordering.start(o.id, system, tx);
      await ordering.moveItems(o.id, { 2: 'completed' }, system, {}, tx);
    });
    expect(itemStates(await stored(o.id))).toEqual(['inProgress', 'completed']);
  });

  it('fails an order with the error on the order and on the items concerned', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const failed = await ordering.fail(o.id, { code: 'noCapacity', reason: 'No free GPON port', message: 'pool olt-7 exhausted', itemIds: ['2'] }, system);
    expect(failed.doc.state).toBe('failed');
    expect(itemStates(failed.doc)).toEqual(['failed', 'failed']);
    expect(failed.doc.errorMessage).toEqual([expect.objectContaining({
      code: 'noCapacity', reason: 'No free GPON port', '@type': 'ServiceOrderErrorMessage',
      serviceOrderItem: [{ id: '2', itemId: '2', serviceOrderId: o.id, serviceOrderHref: o.href, '@referredType': 'ServiceOrderItem' }],
    })]);
    expect(failed.doc.serviceOrderItem[1]!.errorMessage).toEqual([expect.objectContaining({ code: 'noCapacity', '@type': 'ServiceOrderItemErrorMessage' })]);
    expect(failed.doc.serviceOrderItem[0]!.errorMessage).toBeUndefined();
    // closed: a record, only notes change
    refused(await client.patch(`/serviceOrder/${o.id}`, { description: 'too late' }), 422, 'description');
    expect((await client.del(`/serviceOrder/${o.id}`)).status).toBe(204);
  });

  it('ends partial when independent items were delivered and others failed', async () => {
    const o = await client.create<ServiceOrder>('/serviceOrder', order([rfs('1'), rfs('2')]));
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    const r = await ordering.fail(o.id, { reason: 'Line test failed' }, system, { keepDelivered: true });
    expect(r.doc.state).toBe('partial');
    expect(itemStates(r.doc)).toEqual(['completed', 'failed']);
  });
});

describe('milestones, jeopardy alerts and information requests', () => {
  it('are recorded on the order and announced with the TMF641 events', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const m = await ordering.addMilestone(o.id, { id: 'm-design', name: 'Design done', status: 'Completed', itemIds: ['1'] }, system);
    expect(m.doc.milestone).toEqual([expect.objectContaining({ id: 'm-design', '@type': 'ServiceOrderMilestone', serviceOrderItem: [expect.objectContaining({ itemId: '1', serviceOrderId: o.id })] })]);
    const j = await ordering.addJeopardyAlert(o.id, { name: 'Activation late', jeopardyType: 'Hazard', itemIds: ['2'] }, system);
    expect(j.doc.jeopardyAlert).toEqual([expect.objectContaining({ name: 'Activation late', '@type': 'ServiceOrderJeopardyAlert' })]);
    await refusedBy(ordering.addJeopardyAlert(o.id, { name: 'x', itemIds: ['nope'] }, system), 422, 'serviceOrderItem');
    const held = await ordering.requireInformation(o.id, { fieldPath: 'serviceOrderItem[0].service.place', message: 'installation address missing' }, system);
    expect(held.doc.state).toBe('held');
    expect(held.doc['note']).toEqual([expect.objectContaining({ text: 'Information required (serviceOrderItem[0].service.place): installation address missing' })]);
    await ordering.transition(o.id, 'inProgress', system);

    const spec = loadSpec('TMF641');
    const extra = (await events()).filter((e) => e.resource_id === o.id && ['ServiceOrderMilestoneEvent', 'ServiceOrderJeopardyEvent', 'ServiceOrderInformationRequiredEvent'].includes(e.event_type));
    expect(extra.map((e) => e.event_type)).toEqual(['ServiceOrderMilestoneEvent', 'ServiceOrderJeopardyEvent', 'ServiceOrderInformationRequiredEvent']);
    for (const e of extra) {
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(e.payload).toMatchObject({ eventType: e.event_type, domain: 'serviceOrdering' });
    }
    expect(extra[2]!.payload['fieldPath']).toBe('serviceOrderItem[0].service.place');
  });
});

describe('cancelServiceOrder', () => {
  const request = async (id: string) => (await client.get<CancelServiceOrder>(`/cancelServiceOrder/${id}`)).body;

  it('is accepted, moves the order to assessingCancellation, and is carried out to cancelled', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 2: 'completed' }, system);
    const r = await client.post<CancelServiceOrder>('/cancelServiceOrder', { serviceOrder: { id: o.id }, cancellationReason: 'Customer withdrew', requestedCancellationDate: '2030-01-01T10:00:00+01:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'CancelServiceOrder', state: 'accepted', serviceOrder: { id: o.id, href: o.href }, requestedCancellationDate: '2030-01-01T09:00:00.000Z' });
    expect(await stored(o.id)).toMatchObject({ state: 'assessingCancellation', cancellationReason: 'Customer withdrew' });
    refused(await client.post('/cancelServiceOrder', { serviceOrder: { id: o.id } }), 409, 'already being cancelled');

    const accepted = await ordering.acceptCancellation(r.body.id, system);
    expect(accepted.order.doc.state).toBe('pendingCancellation');
    // the delivered RFS is to be undone with the rest
    expect(itemStates(accepted.order.doc)).toEqual(['pendingCancellation', 'pendingCancellation']);
    expect(accepted.request.doc.state).toBe('inProgress');
    await refusedBy(ordering.cancellations.transition(r.body.id, 'done', system), 422, 'state');
    const done = await ordering.completeCancellation(r.body.id, system);
    expect(done.order.doc.state).toBe('cancelled');
    const got = await stored(o.id);
    expect(itemStates(got)).toEqual(['cancelled', 'cancelled']);
    expect(got.cancellationDate).toBeDefined();
    const req = await request(r.body.id);
    expect(req).toMatchObject({ state: 'done', completionMessage: 'The service order is cancelled' });
    expect(Date.parse(String(req.effectiveCancellationDate))).not.toBeNaN();

    const spec = loadSpec('TMF641');
    const evs = (await events()).filter((e) => e.resource_id === r.body.id);
    expect(evs.map((e) => e.event_type)).toEqual(['CancelServiceOrderCreateEvent', 'CancelServiceOrderStateChangeEvent', 'CancelServiceOrderStateChangeEvent']);
    for (const e of evs) expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
  });

  it('may be declined while assessed: the order resumes and the request ends in error', async () => {
    const o = await placed();
    await ordering.start(o.id, system);
    const c = await client.create<CancelServiceOrder>('/cancelServiceOrder', { serviceOrder: { id: o.id } });
    const declined = await ordering.declineCancellation(c.id, 'splicing under way', system);
    expect(declined.order.doc.state).toBe('inProgress');
    expect(declined.request.doc).toMatchObject({ state: 'terminatedWithError', errorMessage: { code: 'cancellationDeclined', reason: 'splicing under way' } });
    // an order not started is cancelled in one step
    const fresh = await placed();
    const c2 = await client.create<CancelServiceOrder>('/cancelServiceOrder', { serviceOrder: { id: fresh.id } });
    expect((await ordering.completeCancellation(c2.id, system)).order.doc.state).toBe('cancelled');
  });

  it('refuses what cannot be cancelled and malformed requests', async () => {
    refused(await client.post('/cancelServiceOrder', { serviceOrder: { id: 'no-such-order' } }), 422, 'serviceOrder.id');
    refused(await client.post('/cancelServiceOrder', { cancellationReason: 'which one?' }), 400, 'serviceOrder');
    const o = await placed();
    refused(await client.post('/cancelServiceOrder', { serviceOrder: { id: o.id }, state: 'done' }), 400, 'state');
    await ordering.start(o.id, system);
    await ordering.moveItems(o.id, { 2: 'completed' }, system);
    await ordering.moveItems(o.id, { 1: 'completed' }, system);
    await ordering.close(o.id, system);
    const e = refused(await client.post('/cancelServiceOrder', { serviceOrder: { id: o.id } }), 422, 'serviceOrder.id');
    expect(e.code).toBe('notCancellable');
    expect((await stored(o.id)).state).toBe('completed');
  });
});
