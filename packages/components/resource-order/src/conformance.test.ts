import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TObject } from 'typebox';
import { loadSpec, specFile } from '@operon/tmf/testing';
import { CancelResourceOrderCreate, ResourceOrderCreate } from './index.ts';
import { client, events, op, ordering, requester, resource, system, withResourceOrderOperon, type CancelResourceOrder, type ResourceOrder } from './test-api.ts';

withResourceOrderOperon();

type Resource = { id: string } & Record<string, unknown>;
type Definition = { properties?: Record<string, unknown>; required?: string[] };

const characteristic = { id: 'c1', name: 'vlanId', valueType: 'integer', value: 1042, characteristicRelationship: [{ id: 'c2', relationshipType: 'dependsOn' }] };

/** A resource using every attribute of ResourceRefOrValue. */
const fullResource = {
  ...resource('port-7-1-3'), category: 'physical', description: 'GPON port', endOperatingDate: '2040-01-01T00:00:00Z', resourceVersion: '1',
  startOperatingDate: '2030-01-01T00:00:00Z', administrativeState: 'unlocked', operationalState: 'enable', resourceStatus: 'reserved', usageState: 'idle',
  attachment: [{ id: 'att-1', name: 'port map', mimeType: 'image/png', url: 'https://example.com/port.png', size: { amount: 10, units: 'KB' } }],
  note: [{ author: 'planner', date: '2030-01-01T00:00:00Z', text: 'Reserved for order' }],
  place: { id: 'site-olt-7', role: 'installation site', name: 'OLT 7' },
  relatedParty: [requester()],
  resourceCharacteristic: [characteristic],
  resourceRelationship: [{ id: 'olt-7', href: 'https://example.com/olt-7', relationshipType: 'isContainedIn', resourceRelationshipCharacteristic: [characteristic] }],
  resourceSpecification: { id: 'gpon-port', href: 'https://example.com/gpon-port', name: 'GPON port', version: '1' },
};

/** A resource order using every attribute of the TMF652 ResourceOrder_Create and ResourceOrderItem definitions (but the server's). */
const fullOrder = {
  category: 'provisioning', description: 'A complete order', expectedCompletionDate: '2030-02-02T08:00:00Z', externalId: 'SO-FULL-1', name: 'FTTH for SO-FULL-1',
  orderDate: '2030-01-01T08:00:00Z', orderType: 'provisioning', priority: 2, requestedCompletionDate: '2030-02-01T08:00:00Z', requestedStartDate: '2030-01-20T08:00:00Z',
  externalReference: [{ id: 'so-1', entityType: 'ServiceOrder', owner: 'Operon SOM' }],
  note: [{ author: 'som', date: '2030-01-01T00:00:00Z', text: 'From service order SO-FULL-1' }],
  relatedParty: [requester()],
  orderItem: [
    {
      id: '1', action: 'add', quantity: 1, state: 'acknowledged', appointment: { id: 'app-1', href: 'https://example.com/app-1', description: 'Splicing' },
      orderItemRelationship: [{ relationshipType: 'dependsOn', orderItem: { itemId: '2' } }], resource: fullResource,
      resourceSpecification: { id: 'gpon-port', name: 'GPON port' }, '@type': 'ResourceOrderItem',
    },
    { id: '2', action: 'modify', resource: resource('vlan-1042'), orderItemRelationship: [{ relationshipType: 'follows', orderItem: { itemId: '3', resourceOrderId: 'ro-0', resourceOrderHref: 'https://example.com/ro-0' } }] },
    // numbered by the server
    { action: 'noChange', resource: resource('ip-1') },
  ],
  '@type': 'ResourceOrder',
};

describe('conformance to the official TMF652 v4 specification', () => {
  it('renders ResourceOrder_Create, ResourceOrderItem, ResourceRefOrValue and CancelResourceOrder_Create attribute for attribute', () => {
    const spec = JSON.parse(fs.readFileSync(specFile('TMF652'), 'utf8')) as { definitions: Record<string, Definition> };
    /** Same attributes; required: the specification's, and `extra` where Operon requires more. */
    const same = (mine: TObject, name: string, extra: string[] = []) => {
      const theirs = spec.definitions[name]!;
      expect(Object.keys(mine.properties).sort(), name).toEqual(Object.keys(theirs.properties ?? {}).sort());
      expect([...(mine.required ?? [])].sort(), name).toEqual([...(theirs.required ?? []), ...extra].sort());
    };
    // an order without items, or an item without an action, orders nothing
    same(ResourceOrderCreate, 'ResourceOrder_Create', ['orderItem']);
    const item = ResourceOrderCreate.properties.orderItem.items as TObject;
    same(item, 'ResourceOrderItem', ['action']);
    same(item.properties['resource'] as TObject, 'ResourceRefOrValue');
    same(CancelResourceOrderCreate, 'CancelResourceOrder_Create');
  });

  it('every response body and event validates', async () => {
    const spec = loadSpec('TMF652');
    expect(spec.basePath).toBe('/tmf-api/resourceOrderingManagement/v4');
    const created = await client.post<ResourceOrder>('/resourceOrder', fullOrder);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body.orderItem.map((i) => i.id)).toEqual(['1', '2', '3']);
    expect((await client.patch(`/resourceOrder/${id}`, { description: 'changed' })).status).toBe(200);
    await ordering.start(id, system);
    await ordering.requireInformation(id, { fieldPath: 'orderItem[0].appointment', message: 'which day?' }, system);
    await ordering.transition(id, 'inProgress', system);
    const c = await client.post<CancelResourceOrder>('/cancelResourceOrder', { resourceOrder: { id, href: created.body.href }, cancellationReason: 'test', requestedCancellationDate: '2030-01-01T00:00:00Z', '@type': 'CancelResourceOrder' });
    expect(c.status).toBe(201);
    await ordering.declineCancellation(c.body.id, 'splicing under way', system);
    await ordering.moveItems(id, { 2: 'completed', 3: 'completed' }, system);
    await ordering.fail(id, { code: 'e1', reason: 'Activation failed' }, system);
    const full = (await client.get<ResourceOrder>(`/resourceOrder/${id}`)).body;
    for (const a of ['startDate', 'completionDate', 'orderDate', 'expectedCompletionDate', 'note']) expect(full, a).toHaveProperty(a);
    expect((await client.get('/resourceOrder?fields=state,orderItem.state')).status).toBe(200);
    const other = await client.create<Resource>('/resourceOrder', { orderItem: [{ action: 'add' }] });
    const c2 = await client.create<CancelResourceOrder>('/cancelResourceOrder', { resourceOrder: { id: other.id } });
    await ordering.completeCancellation(c2.id, system);
    expect((await client.get<CancelResourceOrder[]>('/cancelResourceOrder')).body.length).toBe(2);
    expect((await client.get(`/cancelResourceOrder/${c2.id}`)).status).toBe(200);

    for (const status of [400, 404, 409, 415, 422]) {
      const err =
        status === 400 ? await client.post('/resourceOrder', { relatedParty: [] })
        : status === 404 ? await client.get('/resourceOrder/none')
        : status === 409 ? await (async () => {
          const o = await client.create<Resource>('/resourceOrder', { orderItem: [{ action: 'add' }] });
          await client.create('/cancelResourceOrder', { resourceOrder: { id: o.id } });
          return client.post('/cancelResourceOrder', { resourceOrder: { id: o.id } });
        })()
        : status === 415 ? await client.call('POST', '/resourceOrder', fullOrder, { 'content-type': 'text/plain' })
        : await client.post('/cancelResourceOrder', { resourceOrder: { id } });
      expect(err.status).toBe(status);
      expect(spec.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<Resource>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ResourceOrderStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
    expect((await client.del(`/resourceOrder/${id}`)).status).toBe(204);

    const all = await events();
    const published = [
      'ResourceOrderCreateEvent', 'ResourceOrderAttributeValueChangeEvent', 'ResourceOrderStateChangeEvent', 'ResourceOrderDeleteEvent',
      'ResourceOrderInformationRequiredEvent', 'CancelResourceOrderCreateEvent', 'CancelResourceOrderStateChangeEvent',
    ];
    expect(new Set(all.map((e) => e.event_type))).toEqual(new Set(published));
    for (const e of all) {
      const property = e.event_type.startsWith('Cancel') ? 'cancelResourceOrder' : 'resourceOrder';
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(spec.errors(property === 'resourceOrder' ? 'ResourceOrder' : 'CancelResourceOrder', e.payload.event[property]), e.event_type).toEqual([]);
    }
  });
});

describe('API surface', () => {
  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF652');
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
