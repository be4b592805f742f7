import { describe, expect, it } from 'vitest';
import { loadSpec } from '@operon/tmf/testing';
import { client, customer, eventsOf, item, op, pricer, quoteOf, withQuoteOperon, type Quote } from './test-api.ts';

withQuoteOperon(pricer);

/** A quote with every part TMF648 defines, so that each is checked against the specification. */
function complete(extra: Record<string, unknown> = {}) {
  return quoteOf([
    item('1', 'po-fibre-1g', {
      quantity: 1,
      note: [{ text: 'ground floor', author: 'sales-7', date: '2026-11-20T10:00:00Z' }],
      appointment: [{ id: 'apt-1', description: 'installation visit' }],
      attachment: [{ name: 'floor plan', mimeType: 'application/pdf', url: 'https://example.com/plan.pdf' }],
      productOfferingQualificationItem: { id: '1', productOfferingQualificationId: 'poq-1' },
      quoteItemAuthorization: [{ name: 'technical survey', state: 'approved' }],
      relatedParty: [customer()],
      product: {
        productSpecification: { id: 'ps-fibre', version: '1.0' }, productCharacteristic: [{ name: 'downloadSpeed', valueType: 'string', value: '1 Gbps' }],
        place: [{ id: 'addr-42', role: 'installationAddress', '@referredType': 'GeographicAddress' }],
      },
      quoteItem: [item('1.1', 'po-router-rental')],
    }),
    item('2', 'po-mobile-20gb', { quantity: 2, quoteItemRelationship: [{ id: '1', relationshipType: 'bundledWith' }] }),
    { id: '3', action: 'delete', product: { id: 'prod-old', name: 'ADSL 8M' } },
  ], {
    category: 'residential', externalId: 'CRM-77', requestedQuoteCompletionDate: '2030-01-01T00:00:00Z', expectedFulfillmentStartDate: '2030-01-15T00:00:00Z',
    agreement: [{ id: 'ag-1', name: 'Consumer terms' }], productOfferingQualification: [{ id: 'poq-1' }],
    contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'jeanne@example.com' } }],
    note: [{ text: 'move-in on 15 January' }], ...extra,
  });
}

describe('the official TMF648 specification', () => {
  it('validates every response and every event, in every state', async () => {
    const spec = loadSpec('TMF648');
    expect(spec.basePath).toBe('/tmf-api/quoteManagement/v4');
    const bodies: unknown[] = [];
    const q = await client.post<Quote>('/quote', complete());
    expect(q.status).toBe(201);
    bodies.push(q.body);
    for (const state of ['pending', 'inProgress', 'approved', 'accepted']) bodies.push((await client.patch(`/quote/${q.body.id}`, { state })).body);
    const instant = await client.post<Quote>('/quote', complete({ instantSyncQuote: true }));
    expect(instant.status).toBe(200);
    bodies.push(instant.body, (await client.patch(`/quote/${instant.body.id}`, { state: 'rejected' })).body);
    const unpriced = await client.post<Quote>('/quote', quoteOf([item('1', 'po-dark-fibre')]));
    bodies.push(unpriced.body, (await client.jsonPatch(`/quote/${unpriced.body.id}`, [{ op: 'add', path: '/quoteItem/-', value: item('2', 'po-tv-option') }])).body);
    bodies.push((await client.patch(`/quote/${unpriced.body.id}`, { state: 'cancelled' })).body);
    bodies.push(...(await client.get<Quote[]>('/quote')).body, (await client.get(`/quote/${q.body.id}`)).body);
    for (const b of bodies) expect(spec.errors('Quote', b)).toEqual([]);
    expect((await client.del(`/quote/${unpriced.body.id}`)).status).toBe(204);

    for (const [status, reply] of [
      [400, await client.post('/quote', { quoteItem: 'none' })],
      [404, await client.get('/quote/none')],
      [412, await client.patch(`/quote/${q.body.id}`, { description: 'x' }, { 'if-match': '"1"' })],
      [415, await client.call('POST', '/quote', 'x', { 'content-type': 'text/plain' })],
      [422, await client.patch(`/quote/${q.body.id}`, { state: 'inProgress' })],
      [422, await client.post('/quote', quoteOf([item('1', 'po-isdn')]))],
    ] as const) {
      expect(reply.status).toBe(status);
      expect(spec.errors('Error', reply.body)).toEqual([]);
    }
    const hub = await client.post<{ id: string }>('/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=QuoteStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);

    const events = await eventsOf();
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ['QuoteCreateEvent', 'QuoteStateChangeEvent', 'QuoteAttributeValueChangeEvent', 'QuoteDeleteEvent']) expect(types).toContain(t);
    for (const e of events) {
      expect(spec.definitions).toContain(e.event_type);
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
      expect(spec.errors('Quote', e.payload.event.quote), e.event_type).toEqual([]);
    }
  });

  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF648');
    const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/listener/')) continue;
      const served = doc.paths[`${spec.basePath}${path}`];
      expect(served, path).toBeDefined();
      for (const method of Object.keys(ops)) expect(Object.keys(served!), `${method} ${path}`).toContain(method);
    }
  });
});
