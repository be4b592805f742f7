import { describe, expect, it } from 'vitest';
import { addresses, op, refused, sites, withGeographicOperon, type Served } from './test-api.ts';

withGeographicOperon();

const berlin = (streetNr: string, extra: Record<string, unknown> = {}) => ({
  streetName: 'Torstraße', streetNr, postcode: '10119', city: 'Berlin', country: 'DE', accessArea: 'BER-MITTE-OLT01', ...extra,
});
const hamburg = (streetNr: string, extra: Record<string, unknown> = {}) => ({
  streetName: 'Große Bergstraße', streetNr, postcode: '22767', city: 'Hamburg', country: 'DE', accessArea: 'HAM-ALTONA-OLT02', ...extra,
});

describe('geographic address referential', () => {
  it('adds addresses (Operon extension), serves them as TMF673 and filters by access area', async () => {
    const r = await addresses.post<Served>('/geographicAddress', berlin('12', { geographicLocation: { '@type': 'GeoJsonPoint', geoJson: { type: 'Point', coordinates: [13.4, 52.53] } } }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'GeographicAddress', streetName: 'Torstraße', accessArea: 'BER-MITTE-OLT01' });
    expect(r.body.href).toBe(`${addresses.baseUrl}/geographicAddress/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    await addresses.create('/geographicAddress', hamburg('7'));
    await addresses.create('/geographicAddress', hamburg('9'));

    const got = await addresses.get<Served>(`/geographicAddress/${r.body.id}`);
    expect(got.body).toEqual(r.body);
    const inHamburg = await addresses.get<Served[]>('/geographicAddress?accessArea=HAM-ALTONA-OLT02&sort=-streetNr');
    expect(inHamburg.body.map((a) => a['streetNr'])).toEqual(['9', '7']);
    const byCity = await addresses.get<Served[]>('/geographicAddress?city=Berlin&fields=accessArea');
    expect(byCity.body).toEqual([{ id: r.body.id, href: r.body.href, '@type': 'GeographicAddress', accessArea: 'BER-MITTE-OLT01' }]);
    const page = await addresses.get<Served[]>('/geographicAddress?limit=1');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect((await addresses.get('/geographicAddress?colour=red')).status).toBe(400);
  });

  it('checks what an address must have: a city or postcode, a well-formed access area, known attributes', async () => {
    refused(await addresses.post('/geographicAddress', { streetName: 'Nowhere', streetNr: '1' }), 422, 'city');
    refused(await addresses.post('/geographicAddress', berlin('1', { accessArea: 'no spaces allowed' })), 400, 'accessArea');
    refused(await addresses.post('/geographicAddress', berlin('1', { colour: 'red' })), 400, 'colour');
    refused(await addresses.post('/geographicAddress', berlin('1', { id: 'mine' })), 400, 'id');
    refused(await addresses.post('/geographicAddress', berlin('1', { geographicLocation: { '@type': 'Circle' } })), 400, 'geographicLocation');
    expect((await addresses.call('POST', '/geographicAddress', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await addresses.get('/geographicAddress?streetNr=1')).body).toEqual([]);
  });

  it('changes an address (its access area) and deletes it, unless a site is at it', async () => {
    const a = await addresses.create<Served>('/geographicAddress', berlin('30'));
    const moved = await addresses.patch<Served>(`/geographicAddress/${a.id}`, { accessArea: 'BER-MITTE-OLT02' });
    expect(moved.status).toBe(200);
    expect(moved.body['accessArea']).toBe('BER-MITTE-OLT02');
    expect(moved.headers.get('etag')).toBe('"2"');
    refused(await addresses.patch(`/geographicAddress/${a.id}`, { city: null, postcode: null }), 422, 'city');
    expect((await addresses.patch(`/geographicAddress/${a.id}`, { streetNr: '31' }, { 'if-match': '"1"' })).status).toBe(412);
    expect((await addresses.patch('/geographicAddress/nope', { streetNr: '31' })).status).toBe(404);

    const site = await sites.create<Served>('/geographicSite', { name: 'Shop', place: [{ id: a.id, '@referredType': 'GeographicAddress' }] });
    refused(await addresses.del(`/geographicAddress/${a.id}`), 409, 'site');
    expect((await sites.del(`/geographicSite/${site.id}`)).status).toBe(204);
    expect((await addresses.del(`/geographicAddress/${a.id}`)).status).toBe(204);
    expect((await addresses.get(`/geographicAddress/${a.id}`)).status).toBe(404);
    const keys = await op.db.query(`SELECT 1 FROM geographic_address_key WHERE address_id = $1`, [a.id]);
    expect(keys.rowCount).toBe(0);
    const events = await op.db.query<{ event_type: string }>(`SELECT event_type FROM outbox WHERE resource_id = $1 ORDER BY seq`, [a.id]);
    expect(events.rows.map((e) => e.event_type)).toEqual(['GeographicAddressCreateEvent', 'GeographicAddressAttributeValueChangeEvent', 'GeographicAddressDeleteEvent']);
  });

  it('serves sub-addresses as TMF673 sub-resources, with ids given by the server', async () => {
    const a = await addresses.create<Served>('/geographicAddress', berlin('44', {
      geographicSubAddress: [
        { subUnitType: 'FLAT', subUnitNumber: '1', levelType: 'floor', levelNumber: '0' },
        { id: 'flat-2', subUnitType: 'FLAT', subUnitNumber: '2', levelType: 'floor', levelNumber: '1' },
        { subUnitType: 'SHOP', subUnitNumber: 'A' },
      ],
    }));
    const subs = a['geographicSubAddress'] as Served[];
    expect(subs.every((s) => typeof s.id === 'string')).toBe(true);
    expect(subs[1]!.id).toBe('flat-2');

    const list = await addresses.get<Served[]>(`/geographicAddress/${a.id}/geographicSubAddress`);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(3);
    for (const s of list.body) expect(addresses.oracle!.errors('GeographicSubAddress', s)).toEqual([]);
    expect(list.body[1]!.href).toBe(`${addresses.baseUrl}/geographicAddress/${a.id}/geographicSubAddress/flat-2`);
    const flats = await addresses.get<Served[]>(`/geographicAddress/${a.id}/geographicSubAddress?subUnitType=FLAT&fields=subUnitNumber&limit=1`);
    expect(flats.status).toBe(206);
    expect(flats.headers.get('x-total-count')).toBe('2');
    expect(flats.body).toEqual([{ id: subs[0]!.id, href: `${a.href}/geographicSubAddress/${subs[0]!.id}`, subUnitNumber: '1' }]);
    expect((await addresses.get(`/geographicAddress/${a.id}/geographicSubAddress?colour=red`)).status).toBe(400);

    const one = await addresses.get<Served>(`/geographicAddress/${a.id}/geographicSubAddress/flat-2`);
    expect(one.status).toBe(200);
    expect(addresses.oracle!.errors('GeographicSubAddress', one.body)).toEqual([]);
    expect(one.body).toMatchObject({ id: 'flat-2', subUnitNumber: '2' });
    refused(await addresses.get(`/geographicAddress/${a.id}/geographicSubAddress/nope`), 404, 'nope');
    refused(await addresses.get(`/geographicAddress/nope/geographicSubAddress`), 404, 'nope');

    refused(await addresses.patch(`/geographicAddress/${a.id}`, { geographicSubAddress: [{ id: 'x' }, { id: 'x' }] }), 422, 'geographicSubAddress[1].id');
  });
});
