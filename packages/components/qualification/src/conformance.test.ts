import { describe, expect, it } from 'vitest';
import { loadSpec, type SpecOracle } from '@operon/tmf/testing';
import { customer, eventsOf, installation, op, poqs, settled, sq, withQualificationOperon, type OutboxRow, type Served } from './test-api.ts';
import { productOfferingQualifier, serviceQualifier } from './test-qualifiers.ts';

withQualificationOperon({ productOfferingQualifier, serviceQualifier });

/** Every event is one the specification defines, valid as it writes it, and carries a valid resource. */
function expectEventsValid(spec: SpecOracle, rows: OutboxRow[]): void {
  expect(rows.length).toBeGreaterThan(0);
  for (const e of rows) {
    expect(spec.definitions, e.event_type).toContain(e.event_type);
    expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
    expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
    const [property, resource] = Object.entries(e.payload.event)[0]!;
    expect(spec.errors(property[0]!.toUpperCase() + property.slice(1), resource), e.event_type).toEqual([]);
  }
}

async function expectEveryPathServed(spec: SpecOracle): Promise<void> {
  const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (path.startsWith('/listener/')) continue;
    const served = doc.paths[`${spec.basePath}${path}`];
    expect(served, path).toBeDefined();
    for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
  }
}

async function expectErrorsValid(spec: SpecOracle, replies: Array<[number, { status: number; body: unknown }]>): Promise<void> {
  for (const [status, reply] of replies) {
    expect(reply.status).toBe(status);
    expect(spec.errors('Error', reply.body)).toEqual([]);
  }
}

const offering = (id: string, offeringId: string) => ({
  id, action: 'add', expectedActivationDate: '2030-05-01T08:00:00Z', productOffering: { id: offeringId, name: offeringId },
  note: [{ text: 'asked by phone', author: 'sales-7', date: '2030-04-01T10:00:00Z' }],
  product: {
    productSpecification: { id: 'ps-fibre', version: '1.0' }, productCharacteristic: [{ name: 'downloadSpeed', valueType: 'string', value: '1 Gbps' }],
    place: [installation()], relatedParty: [customer()],
  },
});

describe('the official TMF679 specification', () => {
  it('validates every response and every event, whatever the answer', async () => {
    const spec = loadSpec('TMF679');
    expect(spec.basePath).toBe('/tmf-api/productOfferingQualification/v4');
    const bodies: Served[] = [];
    for (const [place, offerings, instant] of [
      ['addr-served', ['po-fibre-1g', 'po-fibre-10g', 'po-isdn'], true],
      ['addr-full', ['po-fibre-1g', 'po-unheard-of'], true],
      ['addr-nowhere', ['po-fibre-1g'], true],
      ['addr-served', ['po-mobile'], false],
    ] as const) {
      const r = await poqs.post<Served>('/productOfferingQualification', {
        instantSyncQualification: instant, description: `at ${place}`, provideAlternative: true, provideUnavailabilityReason: true,
        requestedPOQCompletionDate: '2030-04-02T00:00:00Z', place: [installation(place)], relatedParty: [customer()],
        channel: { id: 'ch-shop', name: 'Shop' }, category: { id: 'cat-internet', name: 'Internet' }, note: [{ text: 'walk-in customer' }],
        productOfferingQualificationItem: offerings.map((o, i) => offering(String(i + 1), o)),
      });
      expect(r.status).toBe(instant ? 200 : 201);
      expect(spec.errors('ProductOfferingQualification', r.body)).toEqual([]);
      bodies.push(instant ? r.body : await settled(poqs, `/productOfferingQualification/${r.body.id}`));
    }
    expect(bodies.map((b) => [b.state, b['qualificationResult']])).toEqual([
      ['done', 'unqualified'], ['done', 'unqualified'], ['terminatedWithError', undefined], ['done', 'qualified'],
    ]);
    for (const b of bodies) expect(spec.errors('ProductOfferingQualification', b)).toEqual([]);
    const patched = await poqs.patch<Served>(`/productOfferingQualification/${bodies[0]!.id}`, { description: 'reviewed' });
    expect(spec.errors('ProductOfferingQualification', patched.body)).toEqual([]);
    for (const b of (await poqs.get<Served[]>('/productOfferingQualification')).body) expect(spec.errors('ProductOfferingQualification', b)).toEqual([]);
    expect((await poqs.del(`/productOfferingQualification/${bodies[2]!.id}`)).status).toBe(204);

    await expectErrorsValid(spec, [
      [400, await poqs.post('/productOfferingQualification', { productOfferingQualificationItem: [{}] })],
      [404, await poqs.get('/productOfferingQualification/none')],
      [415, await poqs.call('POST', '/productOfferingQualification', 'x', { 'content-type': 'text/plain' })],
      [422, await poqs.post('/productOfferingQualification', { productOfferingQualificationItem: [offering('1', 'a'), offering('1', 'b')] })],
    ]);
    const hub = await poqs.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ProductOfferingQualificationStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await poqs.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await eventsOf({ api: 'productOfferingQualification' });
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ['Create', 'StateChange', 'AttributeValueChange', 'Delete']) expect(types).toContain(`ProductOfferingQualification${t}Event`);
    expectEventsValid(spec, events);
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    await expectEveryPathServed(loadSpec('TMF679'));
  });
});

describe('the official TMF645 specification', () => {
  it('validates every response and every event of checks and queries', async () => {
    const spec = loadSpec('TMF645');
    expect(spec.basePath).toBe('/tmf-api/serviceQualificationManagement/v4');
    const service = (specId: string, address: string) => ({
      serviceSpecification: { id: specId, name: specId, version: '1' }, serviceType: 'broadband', category: 'CFS',
      serviceCharacteristic: [{ name: 'downloadSpeed', value: '1 Gbps' }], place: [installation(address)],
      relatedParty: [customer()], feature: [{ name: 'staticIp', isEnabled: true, featureCharacteristic: [{ name: 'count', value: 1 }] }],
    });
    const checks: Served[] = [];
    for (const [instant, items] of [
      [true, [service('ss-internet-access', 'addr-served'), service('ss-internet-access', 'addr-full'), service('ss-internet-access', 'addr-remote'), service('ss-iptv', 'addr-served')]],
      [true, [service('ss-iptv', 'addr-served')]],
      [false, [service('ss-voip', 'addr-full')]],
    ] as const) {
      const r = await sq.post<Served>('/checkServiceQualification', {
        instantSyncQualification: instant, externalId: 'CRM-9', description: 'neighbourhood check', provideAlternative: true,
        expectedQualificationDate: '2030-04-02T00:00:00Z', relatedParty: [customer()],
        serviceQualificationItem: items.map((s, i) => ({ id: String(i + 1), expectedServiceAvailabilityDate: '2030-05-01T00:00:00Z', category: { id: 'sc-broadband' }, service: s })),
      });
      expect(r.status).toBe(instant ? 200 : 201);
      checks.push(instant ? r.body : await settled(sq, `/checkServiceQualification/${r.body.id}`));
    }
    expect(checks.map((c) => [c.state, c['qualificationResult']])).toEqual([['done', 'unqualified'], ['terminatedWithError', undefined], ['done', 'qualified']]);
    for (const c of [...checks, ...(await sq.get<Served[]>('/checkServiceQualification')).body]) expect(spec.errors('CheckServiceQualification', c)).toEqual([]);
    expect(spec.errors('CheckServiceQualification', (await sq.patch(`/checkServiceQualification/${checks[0]!.id}`, { description: 'reviewed' })).body)).toEqual([]);
    expect((await sq.del(`/checkServiceQualification/${checks[1]!.id}`)).status).toBe(204);

    const queries: Served[] = [];
    for (const [instant, address] of [[true, 'addr-served'], [true, 'addr-nowhere'], [false, 'addr-full']] as const) {
      const r = await sq.post<Served>('/queryServiceQualification', {
        instantSyncQualification: instant, externalId: 'Q-9', relatedParty: [customer()],
        searchCriteria: { category: { id: 'sc-broadband' }, service: { place: [installation(address)] } },
      });
      expect(r.status).toBe(instant ? 200 : 201);
      queries.push(instant ? r.body : await settled(sq, `/queryServiceQualification/${r.body.id}`));
    }
    expect(queries.map((q) => q.state)).toEqual(['done', 'terminatedWithError', 'done']);
    for (const q of [...queries, ...(await sq.get<Served[]>('/queryServiceQualification')).body]) expect(spec.errors('QueryServiceQualification', q)).toEqual([]);
    expect(spec.errors('QueryServiceQualification', (await sq.patch(`/queryServiceQualification/${queries[0]!.id}`, { description: 'reviewed' })).body)).toEqual([]);
    expect((await sq.del(`/queryServiceQualification/${queries[1]!.id}`)).status).toBe(204);

    await expectErrorsValid(spec, [
      [400, await sq.post('/checkServiceQualification', { serviceQualificationItem: 'all' })],
      [400, await sq.post('/queryServiceQualification', {})],
      [404, await sq.get('/checkServiceQualification/none')],
      [404, await sq.get('/queryServiceQualification/none')],
      [415, await sq.call('POST', '/queryServiceQualification', 'x', { 'content-type': 'text/plain' })],
      [422, await sq.post('/checkServiceQualification', { serviceQualificationItem: [] })],
    ]);
    const hub = await sq.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await sq.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await eventsOf({ api: 'serviceQualificationManagement' });
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ['Create', 'StateChange', 'AttributeValueChange', 'Delete']) expect(types).toContain(`CheckServiceQualification${t}Event`);
    for (const t of ['Create', 'StateChange', 'Delete']) expect(types).toContain(`QueryServiceQualification${t}Event`);
    expectEventsValid(spec, events);
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    await expectEveryPathServed(loadSpec('TMF645'));
  });
});
