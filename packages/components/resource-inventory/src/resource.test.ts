import { describe, expect, it } from 'vitest';
import { administrativeStateLifecycle, resourceLifecycle } from './index.ts';
import { client, op, refused, spec, withResourceOperon, type Resource } from './test-api.ts';

withResourceOperon();

const olt = (name: string, extra: Record<string, unknown> = {}) => ({
  '@type': 'PhysicalResource', name, category: 'olt', serialNumber: `SN-${name}`, manufactureDate: '2024-05-01T00:00:00Z',
  resourceStatus: 'available', administrativeState: 'unlocked', operationalState: 'enable', usageState: 'active',
  resourceSpecification: spec('rs-olt', 'GPON OLT'),
  place: { id: 'site-ber-1', href: 'https://operon.example/tmf-api/geographicSiteManagement/v4/geographicSite/site-ber-1', role: 'installationSite' },
  ...extra,
});

describe('resource', () => {
  it('is created, retrieved, listed and filtered, physical and logical alike', async () => {
    const o = await client.post<Resource>('/resource', olt('OLT-A'));
    expect(o.status, JSON.stringify(o.body)).toBe(201);
    expect(o.body).toMatchObject({ '@type': 'PhysicalResource', name: 'OLT-A', resourceStatus: 'available' });
    expect(o.body.href).toBe(`${client.baseUrl}/resource/${o.body.id}`);
    expect(o.headers.get('location')).toBe(o.body.href);
    const ip = await client.post<Resource>('/logicalResource', { value: '192.0.2.77', category: 'ipv4' });
    expect(ip.status, JSON.stringify(ip.body)).toBe(201);
    expect(ip.body).toMatchObject({ '@type': 'LogicalResource', name: '192.0.2.77', resourceStatus: 'available' });
    expect(ip.body.href).toBe(`${client.baseUrl}/logicalResource/${ip.body.id}`);
    // one collection: every resource under /resource, each subclass under its own path only
    expect((await client.get<Resource>(`/resource/${ip.body.id}`)).status).toBe(200);
    expect((await client.get(`/physicalResource/${ip.body.id}`)).status).toBe(404);
    expect((await client.get<Resource[]>('/physicalResource')).body.map((r) => r.id)).toEqual([o.body.id]);
    const ids = async (q: string) => (await client.get<Resource[]>(`/resource?${q}`)).body.map((r) => r.id);
    expect(await ids('value=192.0.2.77')).toEqual([ip.body.id]);
    expect(await ids('serialNumber=SN-OLT-A')).toEqual([o.body.id]);
    expect(await ids('category=olt,ipv4&sort=name')).toEqual([ip.body.id, o.body.id]);
    expect(await ids('resourceStatus=available&resourceSpecification.id=rs-olt')).toEqual([o.body.id]);
    expect(await ids('place.id=site-ber-1')).toEqual([o.body.id]);
    const page = await client.get<Resource[]>('/resource?limit=1&sort=-name');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect((await client.get<Resource[]>(`/resource?fields=name&value=192.0.2.77`)).body).toEqual([{ id: ip.body.id, href: `${client.baseUrl}/resource/${ip.body.id}`, '@type': 'LogicalResource', name: '192.0.2.77' }]);
    refused(await client.get('/resource?colour=red'), 400, 'colour');
    refused(await client.get('/resource/nope'), 404, 'nope');
  });

  it('refuses what the specification or the rules do not allow', async () => {
    refused(await client.post('/resource', { category: 'olt' }), 400, 'name');
    refused(await client.post('/resource', { name: 'x', resourceStatus: 'inUse' }), 400, 'resourceStatus');
    refused(await client.post('/resource', { name: 'x', usageState: 'full' }), 400, 'usageState');
    refused(await client.post('/resource', { name: 'x', relatedParty: [{ id: 'p' }] }), 400, '@referredType');
    refused(await client.post('/resource', { name: 'x', '@type': 'PhysicalResource', value: '1' }), 422, 'value');
    refused(await client.post('/physicalResource', { name: 'x', value: '1' }), 400, 'value');
    refused(await client.post('/logicalResource', { name: 'x', serialNumber: '1' }), 400, 'serialNumber');
    refused(await client.post('/logicalResource', { category: 'vlan' }), 400, 'name');
    refused(await client.post('/resource', olt('x', { startOperatingDate: '2025-02-01T00:00:00Z', endOperatingDate: '2025-01-01T00:00:00Z' })), 422, 'endOperatingDate');
    refused(await client.post('/resource', olt('x', { administrativeState: 'locked', usageState: 'busy' })), 422, 'usageState');
    refused(await client.post('/resource', olt('x', { operationalState: 'disable', usageState: 'active' })), 422, 'usageState');
    refused(await client.post('/resource', olt('x', { administrativeState: 'locked', resourceStatus: 'reserved', usageState: 'idle' })), 422, 'reserved');
    const r = await client.call('POST', '/resource', undefined, { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    const o = await client.create<Resource>('/resource', olt('OLT-R'));
    refused(await client.patch(`/resource/${o.id}`, { resourceRelationship: [{ id: o.id, relationshipType: 'dependsOn' }] }), 422, 'itself');
    refused(await client.patch(`/resource/${o.id}`, { '@type': 'LogicalResource' }), 400, '@type');
    refused(await client.patch(`/resource/${o.id}`, { description: 'x' }, { 'if-match': '"9"' }), 412, 'version');
  });

  it('relates resources: an ONT port contained in its OLT, found from either side', async () => {
    const o = await client.create<Resource>('/physicalResource', olt('OLT-B'));
    const port = await client.create<Resource>('/physicalResource', {
      name: 'OLT-B/1/1/4', category: 'ponPort', resourceSpecification: spec('rs-gpon-port'),
      resourceRelationship: [{ id: o.id, href: o.href, relationshipType: 'isContainedIn' }],
    });
    const vlan = await client.create<Resource>('/logicalResource', {
      value: '101', name: 'VLAN 101', category: 'vlan',
      resourceRelationship: [{ id: port.id, relationshipType: 'dependsOn', resourceRelationshipCharacteristic: [{ name: 'tagging', value: 'C-VLAN' }] }],
    });
    const contains = await client.jsonPatch<Resource>(`/physicalResource/${o.id}`, [{ op: 'add', path: '/resourceRelationship', value: [{ id: port.id, relationshipType: 'contains' }] }]);
    expect(contains.status, JSON.stringify(contains.body)).toBe(200);
    const ids = async (q: string) => (await client.get<Resource[]>(`/resource?${q}`)).body.map((r) => r.id);
    expect(await ids(`resourceRelationship.id=${o.id}`)).toEqual([port.id]);
    expect(await ids(`resourceRelationship.id=${port.id}&sort=name`)).toEqual([o.id, vlan.id]);
    expect(await ids(`resourceRelationship.relationshipType=dependsOn`)).toEqual([vlan.id]);
  });

  it('is replaced with PUT on /logicalResource, keeping its class and status', async () => {
    const ip = await client.create<Resource>('/logicalResource', { value: '192.0.2.88', description: 'old', resourceStatus: 'standby' });
    const put = await client.call<Resource>('PUT', `/logicalResource/${ip.id}`, { value: '192.0.2.88', category: 'ipv4' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ '@type': 'LogicalResource', resourceStatus: 'standby', category: 'ipv4' });
    expect(put.body['description']).toBeUndefined();
  });
});

describe('resource lifecycle', () => {
  it('standby → available → reserved → in use → released (available) → standby, each a state change event', async () => {
    const ip = await client.create<Resource>('/logicalResource', { value: '192.0.2.99', resourceStatus: 'standby', usageState: 'idle' });
    const steps: Array<Record<string, unknown>> = [
      { resourceStatus: 'available' },
      { resourceStatus: 'reserved', relatedParty: [{ id: 'c-1', role: 'user', '@referredType': 'Individual' }] },
      { usageState: 'active' },
      { usageState: 'idle', resourceStatus: 'available', relatedParty: null },
      { resourceStatus: 'standby' },
    ];
    for (const s of steps) {
      const r = await client.patch<Resource>(`/resource/${ip.id}`, s);
      expect(r.status, `${JSON.stringify(s)} → ${JSON.stringify(r.body)}`).toBe(200);
    }
    const events = await op.db.query<{ event_type: string; payload: { event: { resource: Resource } } }>(
      `SELECT event_type, payload FROM outbox WHERE resource_id = $1 ORDER BY seq`, [ip.id],
    );
    expect(events.rows.filter((e) => e.event_type === 'ResourceStateChangeEvent').map((e) => e.payload.event.resource.resourceStatus)).toEqual(['available', 'reserved', 'available', 'standby']);
    expect(events.rows.filter((e) => e.event_type === 'ResourceAttributeValueChangeEvent').map((e) => e.payload.event.resource['usageState'])).toEqual(['idle', 'active', 'idle']);
    expect(events.rows[0]!.event_type).toBe('ResourceCreateEvent');
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const ip = await client.create<Resource>('/logicalResource', { value: '192.0.2.98', resourceStatus: 'standby' });
    // a resource in standby is made available before it is reserved; a reserved one is released before standby
    expect(refused(await client.patch(`/resource/${ip.id}`, { resourceStatus: 'reserved' }), 422, 'resourceStatus').code).toBe('forbiddenTransition');
    expect((await client.patch(`/resource/${ip.id}`, { resourceStatus: 'available' })).status).toBe(200);
    expect((await client.patch(`/resource/${ip.id}`, { resourceStatus: 'reserved' })).status).toBe(200);
    refused(await client.patch(`/resource/${ip.id}`, { resourceStatus: 'standby' }), 422, 'resourceStatus');
    refused(await client.patch(`/resource/${ip.id}`, { resourceStatus: 'terminated' }), 400, 'resourceStatus');
    // reserved: it serves someone, so it is not deleted
    refused(await client.del(`/resource/${ip.id}`), 422, 'resourceStatus');
    expect((await client.patch(`/resource/${ip.id}`, { resourceStatus: 'alarm' })).status).toBe(200);
    expect((await client.patch(`/resource/${ip.id}`, { resourceStatus: 'available' })).status).toBe(200);
    expect((await client.del(`/resource/${ip.id}`)).status).toBe(204);
    expect((await client.get(`/resource/${ip.id}`)).status).toBe(404);
    expect(resourceLifecycle.next('reserved')).toEqual(['available', 'alarm', 'suspended', 'unknown']);
  });

  it('moves the administrative state along ITU X.731: locked only back to unlocked; a locked resource is not in use', async () => {
    const o = await client.create<Resource>('/resource', olt('OLT-X'));
    refused(await client.patch(`/resource/${o.id}`, { administrativeState: 'locked' }), 422, 'usageState');
    for (const s of [{ administrativeState: 'shutdown' }, { administrativeState: 'locked', usageState: 'idle' }]) {
      expect((await client.patch(`/resource/${o.id}`, s)).status).toBe(200);
    }
    expect(refused(await client.patch(`/resource/${o.id}`, { administrativeState: 'shutdown' }), 422, 'administrativeState').code).toBe('forbiddenTransition');
    refused(await client.patch(`/resource/${o.id}`, { usageState: 'active' }), 422, 'locked');
    refused(await client.patch(`/resource/${o.id}`, { administrativeState: 'frozen' }), 400, 'administrativeState');
    expect((await client.patch(`/resource/${o.id}`, { administrativeState: 'unlocked', operationalState: 'disable' })).status).toBe(200);
    refused(await client.patch(`/resource/${o.id}`, { usageState: 'busy' }), 422, 'disable');
    expect(administrativeStateLifecycle.next('locked')).toEqual(['unlocked']);
  });

  it('publishes create, attribute change, state change and delete events', async () => {
    const o = await client.create<Resource>('/resource', olt('OLT-E'));
    await client.patch(`/resource/${o.id}`, { description: 'moved rack' });
    await client.patch(`/resource/${o.id}`, { resourceStatus: 'standby' });
    await client.del(`/resource/${o.id}`);
    const events = await op.db.query<{ event_type: string; payload: { event: { resource: Resource }; fieldPath?: string } }>(`SELECT event_type, payload FROM outbox WHERE resource_id = $1 ORDER BY seq`, [o.id]);
    expect(events.rows.map((e) => e.event_type)).toEqual(['ResourceCreateEvent', 'ResourceAttributeValueChangeEvent', 'ResourceStateChangeEvent', 'ResourceDeleteEvent']);
    expect(events.rows[1]!.payload.event.resource['description']).toBe('moved rack');
  });
});
