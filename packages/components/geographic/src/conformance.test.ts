import { describe, expect, it } from 'vitest';
import { loadSpec, type SpecOracle } from '@operon/tmf/testing';
import { addresses, op, sites, withGeographicOperon, type Served } from './test-api.ts';

withGeographicOperon();

type OutboxRow = { api: string; event_type: string; payload: { event: Record<string, unknown> } & Record<string, unknown> };

/** The served OpenAPI paths, with every path parameter written `{}` so that names do not matter. */
async function servedPaths(): Promise<Record<string, Record<string, unknown>>> {
  const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries(doc.paths).map(([p, ops]) => [p.replace(/\{[^}]+\}/g, '{}'), ops]));
}

function expectEveryPathServed(spec: SpecOracle, served: Record<string, Record<string, unknown>>, extraMethods: Record<string, string[]> = {}): void {
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (path.startsWith('/listener/')) continue;
    const found = served[`${spec.basePath}${path}`.replace(/\{[^}]+\}/g, '{}')];
    expect(found, path).toBeDefined();
    for (const method of [...Object.keys(ops), ...(extraMethods[path] ?? [])]) expect(Object.keys(found!), `${method} ${path}`).toContain(method);
  }
}

/**
 * An event the specification defines is checked as the specification writes it;
 * one it does not (Operon publishes the referential's changes too) carries a
 * resource that must still be valid as the specification's.
 */
function expectEventsValid(spec: SpecOracle, rows: OutboxRow[], property: Record<string, string>): void {
  for (const e of rows) {
    if (spec.definitions.includes(e.event_type)) {
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
    }
    const [key, definition] = Object.entries(property).find(([k]) => k in e.payload.event) ?? [];
    expect(key, `${e.event_type} carries its resource`).toBeDefined();
    expect(spec.errors(definition!, e.payload.event[key!]), e.event_type).toEqual([]);
  }
}

describe('the official TMF673 specification', () => {
  it('validates every response and every event of addresses, sub-addresses and validations', async () => {
    const spec = loadSpec('TMF673');
    expect(spec.basePath).toBe('/tmf-api/geographicAddressManagement/v4');
    const a = await addresses.create<Served>('/geographicAddress', {
      streetName: 'Rue de Rivoli', streetType: 'rue', streetNr: '99', postcode: '75001', city: 'Paris', country: 'FR', locality: 'Louvre',
      accessArea: 'PAR-01-NRO2', geographicLocation: { '@type': 'GeoJsonPoint', geoJson: { type: 'Point', coordinates: [2.33, 48.86] } },
      geographicSubAddress: [{ subUnitType: 'FLAT', subUnitNumber: '3', levelType: 'floor', levelNumber: '2', buildingName: 'A' }],
    });
    await addresses.create('/geographicAddress', { streetName: 'Rue de Rivoli', streetNr: '101', postcode: '75001', city: 'Paris', country: 'FR', accessArea: 'PAR-01-NRO2' });
    const patched = await addresses.patch<Served>(`/geographicAddress/${a.id}`, { accessArea: 'PAR-01-NRO3' });
    expect(patched.status).toBe(200);
    for (const item of (await addresses.get<Served[]>('/geographicAddress')).body) expect(spec.errors('GeographicAddress', item)).toEqual([]);
    expect(spec.errors('GeographicAddress', (await addresses.get(`/geographicAddress/${a.id}`)).body)).toEqual([]);
    const subs = await addresses.get<Served[]>(`/geographicAddress/${a.id}/geographicSubAddress`);
    expect(subs.body).toHaveLength(1);
    for (const s of subs.body) expect(spec.errors('GeographicSubAddress', s)).toEqual([]);
    expect(spec.errors('GeographicSubAddress', (await addresses.get(`/geographicAddress/${a.id}/geographicSubAddress/${subs.body[0]!.id}`)).body)).toEqual([]);

    // the three answers a validation can give, each as the specification defines the task
    const results: string[] = [];
    let validationId = '';
    for (const submitted of [
      { streetName: 'rue de rivoli', streetNr: '99', city: 'PARIS' },
      { streetName: 'Rue de Rivolli', streetNr: '99', city: 'Paris' },
      { streetName: 'Rue de Rivoli', streetNr: '1', city: 'Paris' },
    ]) {
      const v = await addresses.post<Served>('/geographicAddressValidation', { submittedGeographicAddress: submitted, provideAlternative: true });
      expect(v.status).toBe(201);
      expect(spec.errors('GeographicAddressValidation', v.body)).toEqual([]);
      results.push(String(v.body['validationResult']));
      validationId = v.body.id;
      const again = await addresses.patch(`/geographicAddressValidation/${v.body.id}`, { '@type': 'GeographicAddressValidation' });
      expect(again.status).toBe(200);
      expect(spec.errors('GeographicAddressValidation', again.body)).toEqual([]);
    }
    expect(results).toEqual(['success', 'partial', 'fails']);
    for (const v of (await addresses.get<Served[]>('/geographicAddressValidation')).body) expect(spec.errors('GeographicAddressValidation', v)).toEqual([]);

    for (const [status, reply] of [
      [400, await addresses.post('/geographicAddressValidation', { submittedGeographicAddress: 'Rue de Rivoli' })],
      [400, await addresses.patch(`/geographicAddressValidation/${validationId}`, { validationResult: 'success' })],
      [404, await addresses.get('/geographicAddress/none')],
      [404, await addresses.get(`/geographicAddress/${a.id}/geographicSubAddress/none`)],
      [415, await addresses.call('POST', '/geographicAddressValidation', 'x', { 'content-type': 'text/plain' })],
    ] as const) {
      expect(reply.status).toBe(status);
      expect(spec.errors('Error', reply.body)).toEqual([]);
    }
    const hub = await addresses.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=GeographicAddressValidationStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await addresses.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await op.db.query<OutboxRow>(`SELECT api, event_type, payload FROM outbox WHERE api = 'geographicAddressManagement' ORDER BY seq`);
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['GeographicAddressCreateEvent', 'GeographicAddressAttributeValueChangeEvent', 'GeographicAddressValidationCreateEvent']) expect(types).toContain(t);
    expectEventsValid(spec, events.rows, { geographicAddress: 'GeographicAddress', geographicAddressValidation: 'GeographicAddressValidation' });
  });

  it('serves every path of the specification (and maintains the referential) and documents it at /docs', async () => {
    const spec = loadSpec('TMF673');
    // the referential's maintenance is an Operon extension on the same paths
    expectEveryPathServed(spec, await servedPaths(), { '/geographicAddress': ['post'], '/geographicAddress/{id}': ['patch', 'delete'] });
  });
});

describe('the official TMF674 specification', () => {
  it('validates every response and every event of sites', async () => {
    const spec = loadSpec('TMF674');
    expect(spec.basePath).toBe('/tmf-api/geographicSiteManagement/v4');
    const address = await addresses.create<Served>('/geographicAddress', { streetName: 'Kungsgatan', streetNr: '4', postcode: '11143', city: 'Stockholm', country: 'SE', accessArea: 'STO-NORRMALM-OLT1' });
    const site = await sites.create<Served>('/geographicSite', {
      name: 'Head office', code: 'HQ-STO', description: 'Main building', status: 'planned',
      place: [{ id: address.id, href: address.href, '@referredType': 'GeographicAddress' }],
      relatedParty: [{ id: 'org-1', name: 'Nordic AB', role: 'owner', '@referredType': 'Organization' }],
      calendar: [{ day: 'weekdays', status: 'open', timeZone: 'Europe/Stockholm', hourPeriod: [{ startHour: '08:00', endHour: '17:00' }] }],
      siteRelationship: [{ id: 'site-campus', relationshipType: 'parent', validFor: { startDateTime: '2025-01-01T00:00:00Z' } }],
    });
    expect(site['accessArea']).toBe('STO-NORRMALM-OLT1');
    for (const change of [{ description: 'Main building, 4th floor' }, { status: 'active' }]) {
      const r = await sites.patch<Served>(`/geographicSite/${site.id}`, change);
      expect(r.status).toBe(200);
      expect(spec.errors('GeographicSite', r.body)).toEqual([]);
    }
    const other = await sites.create<Served>('/geographicSite', { name: 'Street cabinet', accessArea: 'STO-NORRMALM-OLT1' });
    for (const s of (await sites.get<Served[]>('/geographicSite?accessArea=STO-NORRMALM-OLT1')).body) expect(spec.errors('GeographicSite', s)).toEqual([]);
    expect((await sites.del(`/geographicSite/${other.id}`)).status).toBe(204);

    for (const [status, reply] of [
      [400, await sites.post('/geographicSite', { name: 'Bad', relatedParty: [{ id: 'x' }] })],
      [404, await sites.get('/geographicSite/none')],
      [412, await sites.patch(`/geographicSite/${site.id}`, { name: 'stale' }, { 'if-match': '"1"' })],
      [422, await sites.post('/geographicSite', { name: 'Elsewhere', place: [{ id: address.id }], accessArea: 'HAM-ALTONA-OLT02' })],
    ] as const) {
      expect(reply.status).toBe(status);
      expect(spec.errors('Error', reply.body)).toEqual([]);
    }
    const hub = await sites.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=GeographicSiteStatusChangeEvent' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await sites.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await op.db.query<OutboxRow>(`SELECT api, event_type, payload FROM outbox WHERE api = 'geographicSiteManagement' ORDER BY seq`);
    const types = new Set(events.rows.map((e) => e.event_type));
    // every event a site publishes is one the specification defines
    for (const t of types) expect(spec.definitions).toContain(t);
    for (const t of ['GeographicSiteCreateEvent', 'GeographicSiteAttributeValueChangeEvent', 'GeographicSiteStatusChangeEvent', 'GeographicSiteDeleteEvent']) expect(types).toContain(t);
    expectEventsValid(spec, events.rows, { geographicSite: 'GeographicSite' });
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    expectEveryPathServed(loadSpec('TMF674'), await servedPaths());
  });
});
