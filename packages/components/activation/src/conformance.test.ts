/**
 * Every response and every event of the two APIs against the official TMF640
 * and TMF702 v4 specifications: resources, monitors (in progress, completed,
 * in error), errors, the hub, and the paths documented at /docs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, type SpecOracle, type TmfClient } from '@operon/tmf/testing';
import { char, monitorDone, ontPort, simulatedConfig, startActivationOperon, vlan, type ActivationOperon } from './test-api.ts';

type Doc = Record<string, unknown> & { id: string; href: string };

let a: ActivationOperon;
beforeAll(async () => {
  a = await startActivationOperon(simulatedConfig({}, 200));
});
afterAll(async () => a?.op.close());

const inInventory = <T extends { id: string }>(r: T) => ({ ...r, href: `https://inventory.example/resource/${r.id}` });

function valid(spec: SpecOracle, definition: string, body: unknown): void {
  expect(spec.errors(definition, body), `${definition}: ${JSON.stringify(body)}`).toEqual([]);
}

/** Every list and monitor of an API, and each error status, against its specification. */
async function walkReads(spec: SpecOracle, client: TmfClient, collection: string, definition: string): Promise<void> {
  const list = await client.get<Doc[]>(`/${collection}`);
  expect(list.body.length).toBeGreaterThan(0);
  for (const item of list.body) valid(spec, definition, item);
  const monitors = await client.get<Doc[]>('/monitor');
  expect(new Set(monitors.body.map((m) => m['state']))).toEqual(new Set(['Completed', 'InError']));
  for (const m of monitors.body) {
    valid(spec, 'Monitor', m);
    valid(spec, 'Monitor', (await client.get(`/monitor/${m.id}`)).body);
  }
  for (const [path, fields] of [[`/${collection}?fields=id`, 'id'], ['/monitor?fields=state', 'state']] as const) {
    for (const item of (await client.get<Doc[]>(path)).body) expect(Object.keys(item)).toContain(fields);
  }
  const hub = await client.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=MonitorStateChangeEvent' });
  expect(hub.status).toBe(201);
  valid(spec, 'EventSubscription', hub.body);
  expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
}

async function walkEvents(spec: SpecOracle, api: string, resource: string, types: string[]): Promise<void> {
  const events = await a.op.db.query<{ event_type: string; payload: { event: Record<string, unknown> } }>(`SELECT event_type, payload FROM outbox WHERE api = $1`, [api]);
  expect(new Set(events.rows.map((e) => e.event_type))).toEqual(new Set(types));
  for (const e of events.rows) {
    valid(spec, e.event_type, e.payload);
    valid(spec, `${e.event_type}Payload`, e.payload.event);
    const inner = e.event_type.startsWith('Monitor') ? 'monitor' : resource;
    valid(spec, inner === 'monitor' ? 'Monitor' : resource[0]!.toUpperCase() + resource.slice(1), e.payload.event[inner]);
  }
}

async function servesEveryPath(spec: SpecOracle): Promise<void> {
  const doc = (await (await fetch(`${a.op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (path.startsWith('/listener/')) continue;
    const served = doc.paths[`${spec.basePath}${path}`];
    expect(served, path).toBeDefined();
    for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
  }
}

describe('the official TMF640 specification', () => {
  const spec = loadSpec('TMF640');

  it('validates every response and every event, through the whole life of services', async () => {
    expect(spec.basePath).toBe('/tmf-api/ServiceActivationAndConfiguration/v4');
    const c = a.services;
    const base = {
      name: 'Internet access', description: 'FTTH 1 Gbps', category: 'CFS', serviceType: 'broadband', isBundle: false, isStateful: true, startMode: '1',
      serviceSpecification: { id: 'cfs-internet', name: 'Internet access', version: '1.0', '@referredType': 'ServiceSpecification' },
      serviceCharacteristic: [{ name: 'downloadMbps', valueType: 'integer', value: 1000 }],
      feature: [{ name: 'IPv6', isEnabled: true, featureCharacteristic: [{ name: 'prefixLength', value: 56 }] }],
      place: [{ id: 'addr-1', role: 'installationAddress', '@referredType': 'GeographicAddress' }],
      relatedParty: [{ id: 'ind-1', role: 'customer', '@referredType': 'Individual' }],
      relatedEntity: [{ id: 'po-1', role: 'productOffering', '@referredType': 'ProductOffering' }],
      serviceOrderItem: [{ serviceOrderId: 'so-1', itemId: '1', itemAction: 'add' }],
      note: [{ text: 'first line', author: 'ops' }],
    };
    const s = await c.create<Doc>('/service', { ...base, state: 'designed' });
    valid(spec, 'Service', s);
    for (const state of ['reserved', 'active', 'inactive', 'active']) {
      const r = await c.patch<Doc>(`/service/${s.id}`, { state });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      valid(spec, 'Service', r.body);
    }
    valid(spec, 'Service', (await c.patch(`/service/${s.id}`, { serviceCharacteristic: [{ name: 'downloadMbps', valueType: 'integer', value: 2000 }] })).body);
    valid(spec, 'Service', (await c.patch(`/service/${s.id}`, { state: 'terminated' })).body);

    const slow = await c.post<Doc>('/service', { ...base, state: 'active', serviceCharacteristic: [char('simulateLatencyMs', 400)] });
    expect(slow.status).toBe(202);
    valid(spec, 'Service', slow.body);
    valid(spec, 'Monitor', (await c.get(`/monitor/${slow.headers.get('monitorid')}`)).body);
    valid(spec, 'Monitor', await monitorDone(c, slow.headers.get('monitorid')!));

    for (const [status, r] of [
      [400, await c.post('/service', { state: 'active' })],
      [404, await c.get('/service/none')],
      [409, await c.patch(`/service/${(await c.post<Doc>('/service', { ...base, state: 'active', serviceCharacteristic: [char('simulateLatencyMs', 1500)] })).body.id}`, { state: 'inactive' })],
      [412, await c.patch(`/service/${s.id}`, { description: 'x' }, { 'if-match': '"1"' })],
      [415, await c.call('POST', '/service', 'x', { 'content-type': 'text/plain' })],
      [422, await c.post('/service', { ...base, state: 'active', supportingResource: [{ id: 'nowhere' }] })],
      [503, await c.post('/service', { ...base, state: 'active', serviceCharacteristic: [char('simulateFailure', 'unavailable')] })],
    ] as const) {
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      valid(spec, 'Error', r.body);
    }
    expect((await c.del(`/service/${s.id}`)).status).toBe(204);
    // wait for the monitors still open, so that every one is finished below
    for (const m of (await c.get<Doc[]>('/monitor?state=InProgress')).body) await monitorDone(c, m.id);
    await walkReads(spec, c, 'service', 'Service');
    await walkEvents(spec, 'ServiceActivationAndConfiguration', 'service', [
      'ServiceCreateEvent', 'ServiceStateChangeEvent', 'ServiceAttributeValueChangeEvent', 'ServiceDeleteEvent', 'MonitorCreateEvent', 'MonitorStateChangeEvent', 'MonitorAttributeValueChangeEvent',
    ]);
  });

  it('serves every path of the specification and documents it at /docs', () => servesEveryPath(spec));
});

describe('the official TMF702 specification', () => {
  const spec = loadSpec('TMF702');

  it('validates every response and every event, through the whole life of resources', async () => {
    expect(spec.basePath).toBe('/tmf-api/ResourceActivationAndConfiguration/v4');
    const c = a.resources;
    const port = {
      ...inInventory(ontPort('conf-port', 'OLT-CONF', '1/1/1')),
      category: 'access', description: 'GPON port', resourceVersion: '1', serialNumber: 'ALCL0001',
      place: { id: 'site-1', role: 'installation', '@referredType': 'GeographicSite' },
      relatedParty: [{ id: 'org-1', role: 'owner', '@referredType': 'Organization' }],
      activationFeature: [{ name: 'igmpSnooping', isEnabled: true, featureCharacteristic: [{ name: 'version', value: 3 }] }],
      resourceRelationship: [{ relationshipType: 'contains', resource: { id: 'olt-conf', href: 'https://inventory.example/resource/olt-conf' } }],
    };
    const r = await c.create<Doc>('/resource', port);
    valid(spec, 'Resource', r);
    for (const administrativeState of ['locked', 'unlocked', 'shutdown', 'locked']) {
      const p = await c.patch<Doc>('/resource/conf-port', { administrativeState });
      expect(p.status, JSON.stringify(p.body)).toBe(200);
      valid(spec, 'Resource', p.body);
    }
    valid(spec, 'Resource', (await c.patch('/resource/conf-port', { usageState: 'idle', resourceStatus: 'available' })).body);

    const slow = await c.post<Doc>('/resource', inInventory(vlan('conf-vlan', 700, [char('simulateLatencyMs', 400)])));
    expect(slow.status).toBe(202);
    valid(spec, 'Resource', slow.body);
    valid(spec, 'Monitor', (await c.get(`/monitor/${slow.headers.get('monitorid')}`)).body);
    valid(spec, 'Monitor', await monitorDone(c, slow.headers.get('monitorid')!));

    await c.create('/resource', inInventory(vlan('conf-vlan-2', 701)));
    for (const [status, r2] of [
      [400, await c.post('/resource', { id: 'no-href' })],
      [404, await c.get('/resource/none')],
      [409, await c.post('/resource', inInventory(vlan('conf-vlan-3', 701)))],
      [412, await c.patch('/resource/conf-vlan-2', { name: 'x' }, { 'if-match': '"7"' })],
      [415, await c.call('PATCH', '/resource/conf-vlan-2', 'x', { 'content-type': 'text/plain' })],
      [422, await c.del('/resource/conf-vlan-2')],
      [503, await c.post('/resource', inInventory(vlan('conf-vlan-4', 702, [char('simulateFailure', 'partial')])))],
    ] as const) {
      expect(r2.status, JSON.stringify(r2.body)).toBe(status);
      valid(spec, 'Error', r2.body);
    }
    expect((await c.del('/resource/conf-port')).status).toBe(204);
    await walkReads(spec, c, 'resource', 'Resource');
    await walkEvents(spec, 'ResourceActivationAndConfiguration', 'resource', [
      'ResourceCreateEvent', 'ResourceStateChangeEvent', 'ResourceAttributeValueChangeEvent', 'ResourceDeleteEvent', 'MonitorCreateEvent', 'MonitorStateChangeEvent', 'MonitorAttributeValueChangeEvent',
    ]);
  });

  it('serves every path of the specification and documents it at /docs', () => servesEveryPath(spec));
});
