import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { serviceLifecycle } from './index.ts';
import { client, op, refused, withServiceOperon, type Service } from './test-api.ts';

withServiceOperon();

const customer = (id: string) => ({ id, name: `Customer ${id}`, role: 'customer', '@referredType': 'Individual' });
const spec = (id: string, name: string) => ({ id, name, version: '1.0', href: `https://operon.example/tmf-api/serviceCatalogManagement/v4/serviceSpecification/${id}` });

/** The customer-facing service of a fibre product, as the lead-to-cash flow records it. */
function internet(party: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'Internet access', category: 'CFS', serviceType: 'broadband', state: 'reserved', isServiceEnabled: true, isStateful: true,
    serviceDate: '2025-03-01', startMode: '1',
    serviceSpecification: spec('cfs-internet', 'Internet access'),
    serviceCharacteristic: [{ name: 'downloadSpeed', valueType: 'number', value: 1000 }, { name: 'ipv4', value: '192.0.2.10' }],
    relatedParty: [customer(party)],
    place: [{ role: 'serviceAddress', id: `addr-${party}`, '@referredType': 'GeographicAddress' }],
    serviceOrderItem: [{ serviceOrderId: `so-${party}`, itemId: '1', itemAction: 'add' }],
    supportingService: [{ id: `rfs-ftth-${party}`, name: 'FTTH access', '@referredType': 'Service' }, { id: `rfs-ip-${party}`, name: 'IP connectivity' }],
    serviceRelationship: [{ relationshipType: 'dependsOn', service: { id: `svc-voip-${party}` } }],
    supportingResource: [{ id: `res-port-${party}`, name: 'OLT-1/1/3', '@referredType': 'PhysicalResource' }],
    feature: [{ id: 'f1', name: 'parentalControl', isEnabled: false, featureCharacteristic: [{ name: 'level', value: 'strict' }] }],
    relatedEntity: [{ role: 'realizes', id: `prod-${party}`, '@referredType': 'Product' }],
    ...extra,
  };
}

describe('service', () => {
  it('is created, retrieved, listed and filtered on its customer, state and what supports it', async () => {
    const r = await client.post<Service>('/service', internet('c1'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'Service', state: 'reserved', category: 'CFS' });
    expect(r.body.href).toBe(`${client.baseUrl}/service/${r.body.id}`);
    const got = await client.get<Service>(`/service/${r.body.id}`);
    expect(got.body).toEqual(r.body);

    const rfs = await client.post<Service>('/service', {
      name: 'FTTH access', category: 'RFS', state: 'designed', serviceSpecification: spec('rfs-ftth', 'FTTH access'),
      relatedParty: [customer('c1')],
      supportingResource: [{ id: 'res-port-c1', href: 'https://operon.example/tmf-api/resourceInventoryManagement/v4/resource/res-port-c1' }, { id: 'res-vlan-c1', name: 'VLAN 101' }],
    });
    expect(rfs.status, JSON.stringify(rfs.body)).toBe(201);
    await client.create('/service', internet('c2', { state: 'active' }));
    const ids = async (q: string) => (await client.get<Service[]>(`/service?${q}`)).body.map((s) => s.id);
    expect(await ids('relatedParty.id=c1&sort=name')).toEqual([rfs.body.id, r.body.id]);
    expect(await ids('state=designed')).toEqual([rfs.body.id]);
    expect(await ids('category=CFS&state=reserved,active')).toHaveLength(2);
    expect(await ids('supportingService.id=rfs-ftth-c1')).toEqual([r.body.id]);
    expect(await ids('supportingResource.id=res-port-c1&sort=name')).toEqual([rfs.body.id, r.body.id]);
    expect(await ids('serviceRelationship.service.id=svc-voip-c1')).toEqual([r.body.id]);
    expect(await ids('serviceSpecification.id=rfs-ftth')).toEqual([rfs.body.id]);
    expect(await ids('serviceCharacteristic.value=192.0.2.10&relatedParty.id=c2')).toHaveLength(1);
    expect(await ids('serviceCharacteristic.value.gte=500')).toHaveLength(2);
    const page = await client.get<Service[]>('/service?fields=name,state&sort=-name&limit=2');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.body[0]).toEqual({ id: page.body[0]!.id, href: page.body[0]!.href, '@type': 'Service', name: 'Internet access', state: page.body[0]!.state });
    expect((await client.get('/service?colour=red')).status).toBe(400);
    expect((await client.get('/service/nope')).status).toBe(404);
  });

  it('is patched with a merge patch or a JSON Patch, honouring If-Match; its serviceDate is set once', async () => {
    const s = await client.create<Service>('/service', internet('c3'));
    const merged = await client.patch<Service>(`/service/${s.id}`, { description: 'Upgraded', serviceCharacteristic: [{ name: 'downloadSpeed', value: 2000 }] });
    expect(merged.status).toBe(200);
    expect(merged.body['description']).toBe('Upgraded');
    const json = await client.jsonPatch<Service>(`/service/${s.id}`, [{ op: 'add', path: '/supportingResource/-', value: { id: 'res-ip-c3', name: '192.0.2.33' } }]);
    expect(json.status).toBe(200);
    expect((await client.get<Service[]>('/service?supportingResource.id=res-ip-c3')).body.map((x) => x.id)).toEqual([s.id]);
    refused(await client.patch(`/service/${s.id}`, { serviceDate: '2026-01-01' }), 400, 'serviceDate');
    refused(await client.patch(`/service/${s.id}`, { description: 'stale' }, { 'if-match': '"1"' }), 412, 'version');
  });

  it('refuses what the specification or the rules do not allow', async () => {
    refused(await client.post('/service', { name: 'no spec', state: 'designed' }), 400, 'serviceSpecification');
    refused(await client.post('/service', internet('c4', { serviceSpecification: { id: 'x', href: 'not a uri' } })), 400, 'serviceSpecification.href');
    refused(await client.post('/service', internet('c4', { supportingService: [{ name: 'no id' }] })), 400, 'supportingService[0].id');
    refused(await client.post('/service', internet('c4', { note: [{ text: 'who wrote this?' }] })), 400, 'author');
    refused(await client.post('/service', internet('c4', { feature: [{ id: 'f', name: 'x' }] })), 400, 'featureCharacteristic');
    refused(await client.post('/service', internet('c4', { serviceOrderItem: [{ serviceOrderId: 'so', itemId: '1', itemAction: 'replace' }] })), 400, 'itemAction');
    refused(await client.post('/service', internet('c4', { startDate: '2025-03-02T00:00:00Z', endDate: '2025-03-01T00:00:00Z' })), 422, 'endDate');
    const s = await client.create<Service>('/service', internet('c4'));
    refused(await client.patch(`/service/${s.id}`, { supportingService: [{ id: s.id }] }), 422, 'supportingService[0].id');
    refused(await client.patch(`/service/${s.id}`, { serviceRelationship: [{ relationshipType: 'dependsOn', service: { id: s.id } }] }), 422, 'serviceRelationship[0].service.id');
  });
});

describe('service lifecycle', () => {
  it('goes designed → reserved → active → inactive → active → terminated, stamping its start and end', async () => {
    const s = await client.create<Service>('/service', internet('l1', { state: 'designed' }));
    for (const state of ['reserved', 'active', 'inactive', 'active', 'terminated']) {
      const r = await client.patch<Service>(`/service/${s.id}`, { state });
      expect(r.status, `${state}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.state).toBe(state);
      if (state === 'active') expect(r.body['hasStarted']).toBe(true);
    }
    const ended = (await client.get<Service>(`/service/${s.id}`)).body;
    expect(Date.parse(String(ended['endDate']))).toBeGreaterThanOrEqual(Date.parse(String(ended['startDate'])));
    for (const state of ['active', 'inactive', 'reserved']) expect(refused(await client.patch(`/service/${s.id}`, { state }), 422, 'state').code).toBe('forbiddenTransition');
    refused(await client.patch(`/service/${s.id}`, { name: 'Renamed' }), 422, 'name');
    const noted = await client.patch<Service>(`/service/${s.id}`, { note: [{ author: 'noc', date: '2025-04-01T08:00:00Z', text: 'terminated at the customer request' }] });
    expect(noted.status).toBe(200);
    const events = await op.db.query<{ payload: { event: { service: { state: string } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'ServiceStateChangeEvent' AND resource_id = $1 ORDER BY seq`, [s.id],
    );
    expect(events.rows.map((e) => e.payload.event.service.state)).toEqual(['reserved', 'active', 'inactive', 'active', 'terminated']);
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const s = await client.create<Service>('/service', internet('l2', { state: 'feasibilityChecked' }));
    for (const state of ['active', 'inactive']) refused(await client.patch(`/service/${s.id}`, { state }), 422, 'state');
    refused(await client.patch(`/service/${s.id}`, { state: 'running' }), 400, 'state');
    refused(await client.post('/service', internet('l2', { state: 'terminated' })), 422, 'state');
    const active = await client.create<Service>('/service', internet('l2', { state: 'active' }));
    expect(active['hasStarted']).toBe(true);
    for (const state of ['designed', 'reserved', 'feasibilityChecked']) refused(await client.patch(`/service/${active.id}`, { state }), 422, 'state');
    const defaulted = await client.create<Service>('/service', { serviceSpecification: spec('cfs-internet', 'Internet access') });
    expect(defaulted.state).toBe('feasibilityChecked');
    expect(serviceLifecycle.next('reserved')).toEqual(['inactive', 'active', 'terminated']);
  });

  it('deletes only services that hold nothing yet or are terminated', async () => {
    const designed = await client.create<Service>('/service', internet('d1', { state: 'designed' }));
    const reserved = await client.create<Service>('/service', internet('d1'));
    refused(await client.del(`/service/${reserved.id}`), 422, 'state');
    expect((await client.del(`/service/${designed.id}`)).status).toBe(204);
    expect((await client.patch(`/service/${reserved.id}`, { state: 'terminated' })).status).toBe(200);
    expect((await client.del(`/service/${reserved.id}`)).status).toBe(204);
  });
});

describe('the official TMF638 specification', () => {
  it('validates every response and every event', async () => {
    const oracle = loadSpec('TMF638');
    expect(oracle.basePath).toBe('/tmf-api/serviceInventory/v4');
    for (const item of (await client.get<Service[]>('/service')).body) expect(oracle.errors('Service', item)).toEqual([]);
    for (const status of [400, 404, 422]) {
      const err =
        status === 400 ? await client.post('/service', { state: 'designed' })
        : status === 404 ? await client.get('/service/none')
        : await client.post('/service', internet('e', { state: 'terminated' }));
      expect(err.status).toBe(status);
      expect(oracle.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb' });
    expect(hub.status).toBe(201);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
    const events = await op.db.query<{ event_type: string; payload: { event: { service: unknown } } }>(`SELECT event_type, payload FROM outbox WHERE api = 'serviceInventory'`);
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['ServiceCreateEvent', 'ServiceStateChangeEvent', 'ServiceAttributeValueChangeEvent', 'ServiceDeleteEvent']) expect(types).toContain(t);
    for (const e of events.rows) {
      expect(oracle.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(oracle.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(oracle.errors('Service', e.payload.event.service), e.event_type).toEqual([]);
    }
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    const oracle = loadSpec('TMF638');
    const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(oracle.paths)) {
      if (path.startsWith('/listener/')) continue;
      const served = doc.paths[`${oracle.basePath}${path}`];
      expect(served, path).toBeDefined();
      for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
    }
  });
});
