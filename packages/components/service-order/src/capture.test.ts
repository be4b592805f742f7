import { describe, expect, it } from 'vitest';
import { cfs, client, events, item, order, refused, requester, rfs, withServiceOrderOperon, type ServiceOrder } from './test-api.ts';

withServiceOrderOperon();

describe('service order capture', () => {
  it('acknowledges a valid order with its items, dates and dependencies', async () => {
    const before = Date.now();
    const r = await client.post<ServiceOrder>('/serviceOrder', order(undefined, { requestedCompletionDate: '2030-01-15T09:00:00+01:00' }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'ServiceOrder', state: 'acknowledged', externalId: 'PO-1', expectedCompletionDate: '2030-01-15T08:00:00.000Z' });
    expect(r.body.serviceOrderItem.map((i) => i.state)).toEqual(['acknowledged', 'acknowledged']);
    expect(Date.parse(r.body.orderDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(r.body.startDate).toBeUndefined();
    expect(r.body.completionDate).toBeUndefined();
    // TMF641 requires @type on parties and id on item references: the server completes them
    expect(r.body.relatedParty).toEqual([{ ...requester(), '@type': 'RelatedParty' }]);
    expect(r.body.serviceOrderItem[0]!.serviceOrderItemRelationship).toEqual([{ relationshipType: 'dependsOn', orderItem: { itemId: '2', id: '2' } }]);
    expect(r.body.href).toBe(`${client.baseUrl}/serviceOrder/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"1"');
    expect((await client.get(`/serviceOrder/${r.body.id}`)).body).toEqual(r.body);
    const created = (await events()).find((e) => e.event_type === 'ServiceOrderCreateEvent' && e.resource_id === r.body.id);
    expect(created?.payload.event['serviceOrder']?.['state']).toBe('acknowledged');
  });

  it('accepts items stated acknowledged, sub-items, references to items of other orders and modify items naming their service', async () => {
    const r = await client.post<ServiceOrder>('/serviceOrder', order([
      cfs('1', [], { state: 'acknowledged', serviceOrderItem: [rfs('1.1')] }),
      item('2', 'rfs-ftth', [], { action: 'modify', service: { id: 'svc-9', serviceCharacteristic: [{ name: 'speed', value: '2G' }] } }),
      rfs('3', [], { serviceOrderItemRelationship: [{ relationshipType: 'dependsOn', orderItem: { itemId: '7', serviceOrderId: 'so-elsewhere' } }] }),
    ]));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.serviceOrderItem[0]!.serviceOrderItem![0]!.state).toBe('acknowledged');
  });

  it('refuses malformed orders with 400 or 422 and stores nothing', async () => {
    const count = (await client.get<ServiceOrder[]>('/serviceOrder')).body.length;
    refused(await client.post('/serviceOrder', { relatedParty: [requester()] }), 400, 'serviceOrderItem');
    refused(await client.post('/serviceOrder', order([])), 400, 'serviceOrderItem');
    refused(await client.post('/serviceOrder', order([{ id: '1', action: 'add' }])), 400, 'serviceOrderItem[0].service');
    refused(await client.post('/serviceOrder', order([cfs('1', [], { action: 'replace' })])), 400, 'serviceOrderItem[0].action');
    refused(await client.post('/serviceOrder', order([cfs('1', [], { state: 'completed' })])), 422, 'serviceOrderItem[0].state');
    refused(await client.post('/serviceOrder', order(undefined, { state: 'completed' })), 400, 'state');
    refused(await client.post('/serviceOrder', order(undefined, { orderDate: '2024-01-01T00:00:00Z' })), 400, 'orderDate');
    refused(await client.post('/serviceOrder', order(undefined, { milestone: [] })), 400, 'milestone');
    refused(await client.post('/serviceOrder', order(undefined, { colour: 'red' })), 400, 'colour');
    refused(await client.post('/serviceOrder', order(undefined, { relatedParty: [{ id: 'x' }] })), 400, 'relatedParty[0].@referredType');
    refused(await client.post('/serviceOrder', order(undefined, { relatedParty: [{ ...requester(), href: 'not a uri' }] })), 400, 'relatedParty[0].href');
    refused(await client.post('/serviceOrder', order([cfs('1'), rfs('1')])), 422, 'serviceOrderItem[1].id');
    refused(await client.post('/serviceOrder', order([cfs('1', ['9'])])), 422, 'serviceOrderItem[0].serviceOrderItemRelationship[0].orderItem.itemId');
    refused(await client.post('/serviceOrder', order([cfs('1', [], { serviceOrderItemRelationship: [{ orderItem: { id: '2', itemId: '3' } }] }), rfs('2'), rfs('3')])), 422, 'orderItem.itemId');
    refused(await client.post('/serviceOrder', order([item('1', 'rfs-ftth', [], { action: 'delete', service: {} })])), 422, 'serviceOrderItem[0].service.id');
    const deep = cfs('1', [], { serviceOrderItem: [rfs('1.1', [], { serviceOrderItem: [rfs('1.1.1', [], { serviceOrderItem: [rfs('1.1.1.1')] })] })] });
    refused(await client.post('/serviceOrder', order([deep])), 400, 'serviceOrderItem[0].serviceOrderItem[0].serviceOrderItem[0].serviceOrderItem');
    const bad = await client.call('POST', '/serviceOrder', order(), { 'content-type': 'text/plain' });
    expect(bad.status).toBe(415);
    expect((await client.get<ServiceOrder[]>('/serviceOrder')).body.length).toBe(count);
  });

  it('filters orders by reference, state and date', async () => {
    const a = await client.create<ServiceOrder>('/serviceOrder', order(undefined, { externalId: 'PO-FILTER-1' }));
    const b = await client.create<ServiceOrder>('/serviceOrder', order(undefined, { externalId: 'PO-FILTER-2' }));
    const ids = async (q: string) => (await client.get<ServiceOrder[]>(`/serviceOrder?${q}`)).body.map((o) => o.id);
    expect(await ids('externalId=PO-FILTER-2')).toEqual([b.id]);
    expect(await ids('externalId=PO-FILTER-1,PO-FILTER-2&sort=orderDate')).toEqual([a.id, b.id]);
    expect(await ids('externalId=PO-FILTER-1,PO-FILTER-2&state=inProgress')).toEqual([]);
    expect(await ids('serviceOrderItem.service.serviceSpecification.id=cfs-internet&externalId=PO-FILTER-1')).toEqual([a.id]);
    const page = await client.get<ServiceOrder[]>('/serviceOrder?externalId=PO-FILTER-1,PO-FILTER-2&fields=state&limit=1');
    expect(page.status).toBe(206);
    expect(Object.keys(page.body[0]!).sort()).toEqual(['@type', 'href', 'id', 'state']);
  });

  it('lets the requester patch what is not the server’s', async () => {
    const o = await client.create<ServiceOrder>('/serviceOrder', order());
    refused(await client.patch(`/serviceOrder/${o.id}`, { state: 'inProgress' }), 400, 'state');
    refused(await client.patch(`/serviceOrder/${o.id}`, { serviceOrderItem: [] }), 400, 'serviceOrderItem');
    refused(await client.patch(`/serviceOrder/${o.id}`, { startDate: '2030-01-01T00:00:00Z' }), 400, 'startDate');
    const ok = await client.patch<ServiceOrder>(`/serviceOrder/${o.id}`, { priority: '1', relatedParty: [requester(), { id: 'ind-7', role: 'customer', '@referredType': 'Individual' }] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.relatedParty![1]).toMatchObject({ id: 'ind-7', '@type': 'RelatedParty' });
  });
});
