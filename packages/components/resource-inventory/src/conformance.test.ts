import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { client, op, pools, spec, withResourceOperon, type Resource } from './test-api.ts';

withResourceOperon();

const period = { startDateTime: '2024-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' };

/** Every attribute of Resource_Create, and those of the subclass. */
function complete(name: string, subclass: 'PhysicalResource' | 'LogicalResource') {
  return {
    '@type': subclass, name, category: 'equipment', description: `${name}, fully described`, resourceVersion: '2',
    startOperatingDate: '2024-02-01T00:00:00Z', endOperatingDate: '2034-02-01T00:00:00Z',
    administrativeState: 'unlocked', operationalState: 'enable', usageState: 'idle', resourceStatus: 'available',
    attachment: [{ name: 'Datasheet', url: 'https://example.com/olt.pdf', mimeType: 'application/pdf', attachmentType: 'document', size: { amount: 2, units: 'MB' }, validFor: period }],
    note: [{ author: 'noc', date: '2024-02-02T10:00:00Z', text: 'Installed in rack 4' }],
    place: { id: 'site-1', href: 'https://example.com/geographicSite/site-1', role: 'installationSite', '@referredType': 'GeographicSite' },
    relatedParty: [{ id: 'org-vendor', name: 'Vendor', role: 'manufacturer', '@referredType': 'Organization' }],
    resourceCharacteristic: [{ name: 'ports', valueType: 'integer', value: 16 }, { name: 'optics', value: { class: 'B+' }, characteristicRelationship: [{ id: 'c1', relationshipType: 'dependsOn' }] }],
    resourceRelationship: [{ id: 'res-rack-4', href: 'https://example.com/resource/res-rack-4', relationshipType: 'isContainedIn', resourceRelationshipCharacteristic: [{ name: 'slot', value: 3 }] }],
    resourceSpecification: { ...spec('rs-olt', 'OLT'), version: '1.0', '@referredType': 'PhysicalResourceSpecification' },
    ...(subclass === 'PhysicalResource'
      ? { manufactureDate: '2023-11-01T00:00:00Z', powerState: 'on', serialNumber: `SN-${name}`, versionNumber: 'rev B' }
      : { value: `value-${name}` }),
  };
}

describe('the official TMF639 specification', () => {
  it('validates every response and every event', async () => {
    const oracle = loadSpec('TMF639');
    expect(oracle.basePath).toBe('/tmf-api/resourceInventoryManagement/v4');
    const phys = await client.create<Resource>('/physicalResource', complete('OLT-FULL', 'PhysicalResource'));
    const logi = await client.create<Resource>('/logicalResource', complete('IP-FULL', 'LogicalResource'));
    const base = await client.create<Resource>('/resource', { name: 'RouterXX', '@type': 'Resource' });
    for (const [path, r] of [['/physicalResource', phys], ['/logicalResource', logi], ['/resource', base]] as const) {
      expect((await client.get(`${path}/${r.id}`)).status).toBe(200);
      expect((await client.patch(`${path}/${r.id}`, { description: 'changed' })).status).toBe(200);
      expect((await client.jsonPatch(`${path}/${r.id}`, [{ op: 'replace', path: '/resourceStatus', value: 'standby' }])).status).toBe(200);
    }
    expect((await client.call('PUT', `/logicalResource/${logi.id}`, complete('IP-FULL', 'LogicalResource'))).status).toBe(200);
    for (const path of ['/resource', '/physicalResource', '/logicalResource', '/resource?fields=name,resourceStatus', '/resource?sort=-name&limit=2']) {
      const r = await client.get<Resource[]>(path);
      expect([200, 206]).toContain(r.status);
    }
    // what the pools hand out is a TMF639 resource too
    const pool = await pools.createPool({ name: 'Spec', kind: 'sim', simCards: [{ iccid: '8949020000000000991', imsi: '262020000000991' }], resourceSpecification: spec('rs-sim') }, { baseUrl: op.url });
    const a = await client.post<{ resource: Resource[] }>('/resourcePool/reserve', { resourcePool: { id: pool.doc['id'] }, reservationKey: 'spec-1' });
    for (const r of a.body.resource) expect(oracle.errors('PhysicalResource', r)).toEqual([]);
    const rel = await client.post<{ resource: Resource[] }>('/resourcePool/release', { reservationKey: 'spec-1' });
    for (const r of rel.body.resource) expect(oracle.errors('Resource', r)).toEqual([]);
    expect((await client.get(`/physicalResource/${a.body.resource[0]!.id}`)).status).toBe(200);

    for (const err of [
      await client.post('/resource', { '@type': 7 }),
      await client.get('/resource/none'),
      await client.patch(`/resource/${base.id}`, { resourceStatus: 'reserved' }),
      await client.patch(`/resource/${base.id}`, { description: 'x' }, { 'if-match': '"99"' }),
      await client.call('POST', '/resource', undefined, { 'content-type': 'text/plain' }),
      await client.post('/resourcePool', { name: 'bad', kind: 'ipv4', resourceSpecification: spec('rs') }),
      await client.post('/resourcePool/reserve', { resourcePool: { id: pool.doc['id'] }, count: 2 }),
    ]) {
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(err.status).toBeLessThan(500);
      expect(oracle.errors('Error', err.body)).toEqual([]);
    }
    expect((await client.del(`/resource/${base.id}`)).status).toBe(204);
    const hub = await client.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ResourceStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await op.db.query<{ event_type: string; payload: { event: { resource: unknown } } }>(`SELECT event_type, payload FROM outbox WHERE api = 'resourceInventoryManagement' AND event_type LIKE 'Resource%' AND event_type NOT LIKE 'ResourcePool%'`);
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['ResourceCreateEvent', 'ResourceStateChangeEvent', 'ResourceAttributeValueChangeEvent', 'ResourceDeleteEvent']) expect(types).toContain(t);
    for (const e of events.rows) {
      expect(oracle.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(oracle.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(oracle.errors('Resource', e.payload.event.resource), e.event_type).toEqual([]);
    }
  });

  it('serves every path of the specification and documents it, pools included, at /docs', async () => {
    const oracle = loadSpec('TMF639');
    const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(oracle.paths)) {
      if (path.startsWith('/listener/')) continue;
      const served = doc.paths[`${oracle.basePath}${path}`];
      expect(served, path).toBeDefined();
      for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
    }
    for (const path of ['/resourcePool', '/resourcePool/{id}', '/resourcePool/reserve', '/resourcePool/release', '/resourcePool/capacity']) {
      expect(doc.paths[`${oracle.basePath}${path}`], path).toBeDefined();
    }
  });
});
