import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TObject } from 'typebox';
import { loadSpec, specFile } from '@operon/tmf/testing';
import { CancelServiceOrderCreate, ServiceOrderCreate } from './index.ts';
import { client, events, op, ordering, requester, system, withServiceOrderOperon, type CancelServiceOrder, type ServiceOrder } from './test-api.ts';

withServiceOrderOperon();

type Resource = { id: string } & Record<string, unknown>;
type Definition = { properties?: Record<string, unknown>; required?: string[] };

const ref = (id: string, extra: Record<string, unknown> = {}) => ({ id, href: `https://example.com/${id}`, name: `Name of ${id}`, '@referredType': 'Thing', ...extra });
const characteristic = { id: 'c1', name: 'speed', valueType: 'string', value: '1G', characteristicRelationship: [{ id: 'c2', href: 'https://example.com/c2', relationshipType: 'dependsOn' }] };

/** A service by value using every attribute of ServiceRefOrValue, one level of nesting. */
const service = {
  category: 'CustomerFacingService', description: 'Home internet', endDate: '2032-01-01T00:00:00Z', hasStarted: false, isBundle: true, isServiceEnabled: true,
  isStateful: true, name: 'Internet access', serviceDate: '2030-01-01', serviceType: 'internet', startDate: '2030-01-02T00:00:00Z', startMode: 'automatically',
  feature: [{ id: 'f1', isBundle: false, isEnabled: true, name: 'ipv6', constraint: [ref('k1', { version: '1' })], featureCharacteristic: [characteristic], featureRelationship: [{ id: 'f2', name: 'dual stack', relationshipType: 'requires', validFor: { startDateTime: '2030-01-01T00:00:00Z' } }] }],
  note: [{ author: 'designer', date: '2030-01-01T00:00:00Z', text: 'Standard design' }],
  place: [{ id: 'addr-1', role: 'installationAddress', name: 'Home' }],
  relatedEntity: [{ id: 'e1', role: 'contract', name: 'Contract 1' }],
  relatedParty: [{ ...requester(), '@type': 'RelatedParty' }],
  serviceCharacteristic: [characteristic],
  serviceOrderItem: [{ id: 'x', itemId: '1', role: 'creator', serviceOrderId: 'so-0', serviceOrderHref: 'https://example.com/so-0', itemAction: 'add' }],
  serviceRelationship: [{ relationshipType: 'reliesOn', service: { id: 'svc-line-1', href: 'https://example.com/svc-line-1' }, serviceRelationshipCharacteristic: [characteristic] }],
  serviceSpecification: ref('cfs-internet', { version: '1.0' }),
  state: 'designed',
  supportingResource: [ref('res-1')],
  supportingService: [{ name: 'FTTH access', serviceSpecification: ref('rfs-ftth') }],
  '@type': 'Service',
};

/** A service order using every attribute of the TMF641 ServiceOrder_Create and ServiceOrderItem definitions. */
const fullOrder = {
  cancellationDate: '2030-03-01T00:00:00Z', cancellationReason: 'none yet', category: 'residential', description: 'A complete order', externalId: 'PO-FULL-1',
  notificationContact: 'noc@example.com', priority: '2', requestedCompletionDate: '2030-02-01T08:00:00Z', requestedStartDate: '2030-01-20T08:00:00Z',
  externalReference: [{ id: 'po-1', href: 'https://example.com/po-1', externalReferenceType: 'ProductOrder', name: 'PO-FULL-1' }],
  note: [{ author: 'com', date: '2030-01-01T00:00:00Z', text: 'From product order PO-FULL-1' }],
  orderRelationship: [ref('so-0', { relationshipType: 'follows' })],
  relatedParty: [requester()],
  serviceOrderItem: [
    {
      id: '1', quantity: 1, action: 'add', appointment: { id: 'app-1', href: 'https://example.com/app-1', description: 'Installation' },
      service, serviceOrderItem: [{ id: '1.1', action: 'add', service: { serviceSpecification: ref('rfs-ip') } }],
      serviceOrderItemRelationship: [{ relationshipType: 'dependsOn', orderItem: { itemId: '2' } }], state: 'acknowledged', '@type': 'ServiceOrderItem',
    },
    { id: '2', action: 'modify', service: { id: 'svc-line-1', serviceCharacteristic: [{ name: 'speed', value: '1G' }] } },
  ],
  '@type': 'ServiceOrder',
};

describe('conformance to the official TMF641 v4.1 specification', () => {
  it('renders ServiceOrder_Create, ServiceOrderItem and CancelServiceOrder_Create attribute for attribute', () => {
    const spec = JSON.parse(fs.readFileSync(specFile('TMF641'), 'utf8')) as { definitions: Record<string, Definition> };
    const same = (mine: TObject, name: string) => {
      const theirs = spec.definitions[name]!;
      expect(Object.keys(mine.properties).sort(), name).toEqual(Object.keys(theirs.properties ?? {}).sort());
      expect([...(mine.required ?? [])].sort(), name).toEqual([...(theirs.required ?? [])].sort());
    };
    same(ServiceOrderCreate, 'ServiceOrder_Create');
    same(CancelServiceOrderCreate, 'CancelServiceOrder_Create');
    same(ServiceOrderCreate.properties.serviceOrderItem.items as TObject, 'ServiceOrderItem');
    const item = ServiceOrderCreate.properties.serviceOrderItem.items as TObject;
    same(item.properties['service'] as TObject, 'ServiceRefOrValue');
  });

  it('every response body and event validates', async () => {
    const spec = loadSpec('TMF641');
    expect(spec.basePath).toBe('/tmf-api/serviceOrdering/v4');
    const created = await client.post<ServiceOrder>('/serviceOrder', fullOrder);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect((await client.patch<ServiceOrder>(`/serviceOrder/${id}`, { description: 'changed' })).status).toBe(200);
    await ordering.start(id, system);
    await ordering.addMilestone(id, { name: 'Design done', status: 'Completed', itemIds: ['1'] }, system);
    await ordering.addJeopardyAlert(id, { name: 'Late', jeopardyType: 'Normal', itemIds: ['2'] }, system);
    await ordering.requireInformation(id, { fieldPath: 'serviceOrderItem[0].service.place', message: 'which floor?' }, system);
    await ordering.transition(id, 'inProgress', system);
    const c = await client.post<CancelServiceOrder>('/cancelServiceOrder', { serviceOrder: { id, href: created.body.href }, cancellationReason: 'test', requestedCancellationDate: '2030-01-01T00:00:00Z', '@type': 'CancelServiceOrder' });
    expect(c.status).toBe(201);
    await ordering.declineCancellation(c.body.id, 'installation under way', system);
    await ordering.fail(id, { code: 'e1', reason: 'Activation failed', referenceError: 'https://example.com/errors/e1', itemIds: ['1'] }, system);
    const full = (await client.get<ServiceOrder>(`/serviceOrder/${id}`)).body;
    for (const a of ['milestone', 'jeopardyAlert', 'errorMessage', 'startDate', 'completionDate', 'orderDate', 'expectedCompletionDate']) expect(full, a).toHaveProperty(a);
    expect((await client.get('/serviceOrder?fields=state,serviceOrderItem.state')).status).toBe(200);
    expect((await client.get<CancelServiceOrder[]>('/cancelServiceOrder')).body.length).toBeGreaterThan(0);
    const c2 = await client.create<CancelServiceOrder>('/cancelServiceOrder', { serviceOrder: { id: (await client.create<Resource>('/serviceOrder', { serviceOrderItem: [{ id: '1', action: 'add', service: {} }] })).id } });
    await ordering.completeCancellation(c2.id, system);
    expect((await client.get(`/cancelServiceOrder/${c2.id}`)).status).toBe(200);

    for (const status of [400, 404, 409, 415, 422]) {
      const err =
        status === 400 ? await client.post('/serviceOrder', { relatedParty: [] })
        : status === 404 ? await client.get('/serviceOrder/none')
        : status === 409 ? await (async () => {
          const o = await client.create<Resource>('/serviceOrder', { serviceOrderItem: [{ id: '1', action: 'add', service: {} }] });
          await client.create('/cancelServiceOrder', { serviceOrder: { id: o.id } });
          return client.post('/cancelServiceOrder', { serviceOrder: { id: o.id } });
        })()
        : status === 415 ? await client.call('POST', '/serviceOrder', fullOrder, { 'content-type': 'text/plain' })
        : await client.post('/cancelServiceOrder', { serviceOrder: { id } });
      expect(err.status).toBe(status);
      expect(spec.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<Resource>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ServiceOrderStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
    expect((await client.del(`/serviceOrder/${id}`)).status).toBe(204);

    const all = await events();
    const types = new Set(all.map((e) => e.event_type));
    const published = [
      'ServiceOrderCreateEvent', 'ServiceOrderAttributeValueChangeEvent', 'ServiceOrderStateChangeEvent', 'ServiceOrderDeleteEvent',
      'ServiceOrderMilestoneEvent', 'ServiceOrderJeopardyEvent', 'ServiceOrderInformationRequiredEvent', 'CancelServiceOrderCreateEvent', 'CancelServiceOrderStateChangeEvent',
    ];
    for (const t of published) expect(types, t).toContain(t);
    for (const e of all) {
      const property = e.event_type.startsWith('Cancel') ? 'cancelServiceOrder' : 'serviceOrder';
      // every event type is one of the specification's, envelope and payload valid
      expect(spec.definitions, e.event_type).toContain(e.event_type);
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(spec.errors(property === 'serviceOrder' ? 'ServiceOrder' : 'CancelServiceOrder', e.payload.event[property]), e.event_type).toEqual([]);
    }
  });
});

describe('API surface', () => {
  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF641');
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
