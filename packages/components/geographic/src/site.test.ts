import { beforeAll, describe, expect, it } from 'vitest';
import { addresses, op, refused, sites, withGeographicOperon, type Served } from './test-api.ts';

withGeographicOperon();

let torstrasse: Served;
let bergstrasse: Served;

beforeAll(async () => {
  torstrasse = await addresses.create<Served>('/geographicAddress', { streetName: 'Torstraße', streetNr: '1', postcode: '10119', city: 'Berlin', country: 'DE', accessArea: 'BER-MITTE-OLT01' });
  bergstrasse = await addresses.create<Served>('/geographicAddress', { streetName: 'Große Bergstraße', streetNr: '2', postcode: '22767', city: 'Hamburg', country: 'DE', accessArea: 'HAM-ALTONA-OLT02' });
});

const owner = (id: string) => ({ id, name: `Customer ${id}`, role: 'owner', '@referredType': 'Organization' });
const at = (a: Served) => ({ id: a.id, href: a.href, '@referredType': 'GeographicAddress' });

describe('geographic site', () => {
  it('is created at an address and served from that address\'s access area', async () => {
    const r = await sites.post<Served>('/geographicSite', {
      name: 'Acme Berlin office', code: 'ACME-BER', status: 'active', place: [at(torstrasse)], relatedParty: [owner('org-acme')],
      calendar: [{ day: 'weekdays', status: 'open', timeZone: 'Europe/Berlin', hourPeriod: [{ startHour: '08:00', endHour: '18:00' }] }],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'GeographicSite', accessArea: 'BER-MITTE-OLT01', code: 'ACME-BER' });
    expect(r.body.href).toBe(`${sites.baseUrl}/geographicSite/${r.body.id}`);
    // an address by value that the referential knows gives its area too
    const byValue = await sites.create<Served>('/geographicSite', {
      name: 'Acme Hamburg shop', status: 'planned', relatedParty: [owner('org-acme')],
      place: [{ '@type': 'GeographicAddress', streetName: 'Grosse Bergstr.', streetNr: '2', city: 'Hamburg' }],
    });
    expect(byValue['accessArea']).toBe('HAM-ALTONA-OLT02');
    const elsewhere = await sites.create<Served>('/geographicSite', { name: 'Federated', place: [{ id: 'addr-in-another-system' }], relatedParty: [owner('org-other')] });
    expect(elsewhere['accessArea']).toBeUndefined();

    const inBerlin = await sites.get<Served[]>('/geographicSite?accessArea=BER-MITTE-OLT01');
    expect(inBerlin.body.map((s) => s.id)).toEqual([r.body.id]);
    const acme = await sites.get<Served[]>('/geographicSite?relatedParty.id=org-acme&sort=name&fields=name,status');
    expect(acme.body.map((s) => s['name'])).toEqual(['Acme Berlin office', 'Acme Hamburg shop']);
    expect((await sites.get<Served[]>('/geographicSite?status=planned')).body.map((s) => s.id)).toEqual([byValue.id]);
    expect((await sites.get<Served[]>(`/geographicSite?place.id=${torstrasse.id}`)).body.map((s) => s.id)).toEqual([r.body.id]);
  });

  it('refuses an access area that is not the one serving its place', async () => {
    refused(await sites.post('/geographicSite', { name: 'Wrong', place: [at(torstrasse)], accessArea: 'HAM-ALTONA-OLT02' }), 422, 'accessArea');
    refused(await sites.post('/geographicSite', { name: 'Bad', accessArea: 'a b' }), 400, 'accessArea');
    refused(await sites.post('/geographicSite', { name: 'Bad party', relatedParty: [{ id: 'x' }] }), 400, 'relatedParty[0].@referredType');
    refused(await sites.post('/geographicSite', { name: 'Bad calendar', calendar: [{ day: 'monday' }] }), 400, 'calendar[0].status');
    // a site without a known place may name its area itself
    const own = await sites.create<Served>('/geographicSite', { name: 'Cabinet', accessArea: 'BER-MITTE-OLT01' });
    expect(own['accessArea']).toBe('BER-MITTE-OLT01');
    refused(await sites.post('/geographicSite', { name: 'Loop', siteRelationship: [{ id: 'x', relationshipType: 'parent', validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }] }), 422, 'siteRelationship[0].validFor');
  });

  it('moves with its place, and publishes its status changes as TMF674 names them', async () => {
    const s = await sites.create<Served>('/geographicSite', { name: 'Moving', status: 'planned', place: [at(torstrasse)] });
    expect(s['accessArea']).toBe('BER-MITTE-OLT01');
    const moved = await sites.patch<Served>(`/geographicSite/${s.id}`, { place: [at(bergstrasse)] });
    expect(moved.status).toBe(200);
    expect(moved.body['accessArea']).toBe('HAM-ALTONA-OLT02');
    const active = await sites.patch<Served>(`/geographicSite/${s.id}`, { status: 'active' });
    expect(active.body['status']).toBe('active');
    const events = await op.db.query<{ event_type: string; payload: { event: { geographicSite: Served } } }>(
      `SELECT event_type, payload FROM outbox WHERE resource_id = $1 ORDER BY seq`, [s.id],
    );
    expect(events.rows.map((e) => e.event_type)).toEqual([
      'GeographicSiteCreateEvent', 'GeographicSiteAttributeValueChangeEvent', 'GeographicSiteStatusChangeEvent', 'GeographicSiteAttributeValueChangeEvent',
    ]);
    const statusEvent = events.rows[2]!.payload;
    expect(statusEvent.event.geographicSite).toMatchObject({ id: s.id, status: 'active', href: s.href });
    expect(sites.oracle!.errors('GeographicSiteStatusChangeEvent', statusEvent)).toEqual([]);
    expect((await sites.del(`/geographicSite/${s.id}`)).status).toBe(204);
    expect((await sites.get(`/geographicSite/${s.id}`)).status).toBe(404);
  });
});
