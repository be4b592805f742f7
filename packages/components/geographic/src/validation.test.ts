import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentChanges } from '@operon/store';
import { accessAreaOf } from './index.ts';
import { addresses, op, refused, sites, withGeographicOperon, type Served } from './test-api.ts';

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

withGeographicOperon();

type Validation = Served & {
  state: string;
  validationResult: string;
  validationDate: string;
  validGeographicAddress?: Served;
  alternateGeographicAddress?: Served[];
};

const known: Served[] = [];

beforeAll(async () => {
  for (const a of [
    { streetName: 'Hauptstraße', streetNr: '5', streetNrSuffix: 'a', postcode: '10827', city: 'Berlin', country: 'DE', accessArea: 'BER-SCHOENEBERG-OLT03' },
    { streetName: 'Hauptstraße', streetNr: '7', postcode: '10827', city: 'Berlin', country: 'DE', accessArea: 'BER-SCHOENEBERG-OLT03' },
    { streetName: 'Hauptstraße', streetNr: '12', postcode: '10827', city: 'Berlin', country: 'DE', accessArea: 'BER-SCHOENEBERG-OLT03' },
    { streetName: 'Mönckebergstraße', streetNr: '1', postcode: '20095', city: 'Hamburg', country: 'DE', accessArea: 'HAM-MITTE-OLT01' },
    { streetName: 'Champs-Élysées', streetType: 'avenue', streetNr: '10', postcode: '75008', city: 'Paris', country: 'FR', accessArea: 'PAR-08-NRO1' },
  ]) known.push(await addresses.create<Served>('/geographicAddress', a));
});

async function validate(submitted: Record<string, unknown>, provideAlternative = true): Promise<Validation> {
  const r = await addresses.post<Validation>('/geographicAddressValidation', { submittedGeographicAddress: submitted, provideAlternative });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.state).toBe('done');
  expect(Date.parse(r.body.validationDate)).not.toBeNaN();
  return r.body;
}

describe('geographic address validation', () => {
  it('knows an address whatever its case, spacing, diacritics or street abbreviation', async () => {
    for (const submitted of [
      { streetName: 'Hauptstraße', streetNr: '5', streetNrSuffix: 'a', postcode: '10827', city: 'Berlin', country: 'DE' },
      { streetName: '  HAUPTSTR. ', streetNr: '5a', postcode: '10827', city: 'berlin' },
      { streetName: 'hauptstrasse', streetNr: '5 A', city: 'BERLIN' },
      { streetName: 'Haupt Straße', streetNr: '5', streetNrSuffix: 'A', postcode: ' 10827 ' },
    ]) {
      const v = await validate(submitted);
      expect(v.validationResult, JSON.stringify(submitted)).toBe('success');
      expect(v.validGeographicAddress).toMatchObject({ id: known[0]!.id, href: known[0]!.href, accessArea: 'BER-SCHOENEBERG-OLT03' });
      expect(v.alternateGeographicAddress).toBeUndefined();
      expect(v.submittedGeographicAddress).toEqual(submitted);
    }
    const paris = await validate({ streetName: 'champs elysees', streetType: 'Ave', streetNr: '10', city: 'PARIS', country: 'fr' });
    expect(paris.validationResult).toBe('success');
    expect(paris.validGeographicAddress?.id).toBe(known[4]!.id);
    const hamburg = await validate({ streetName: 'Moenckebergstrasse', streetNr: '1', city: 'Hamburg' });
    // oe for ö is a transliteration, not a diacritic: one edit away, so a near match
    expect(hamburg.validationResult).toBe('partial');
    expect(hamburg.alternateGeographicAddress?.map((a) => a.id)).toEqual([known[3]!.id]);
  });

  it('answers partial with the near matches: a typo in the street, a wrong postcode or country', async () => {
    const typo = await validate({ streetName: 'Hauptsraße', streetNr: '7', city: 'Berlin' });
    expect(typo.validationResult).toBe('partial');
    expect(typo.validGeographicAddress).toBeUndefined();
    expect(typo.alternateGeographicAddress?.map((a) => a.id)).toEqual([known[1]!.id]);
    expect(typo.alternateGeographicAddress?.[0]).toMatchObject({ href: known[1]!.href, accessArea: 'BER-SCHOENEBERG-OLT03' });

    const postcode = await validate({ streetName: 'Hauptstraße', streetNr: '7', postcode: '10823', city: 'Berlin' });
    expect(postcode.validationResult).toBe('partial');
    expect(postcode.alternateGeographicAddress?.map((a) => a.id)).toEqual([known[1]!.id]);

    const withoutAlternatives = await validate({ streetName: 'Hauptsraße', streetNr: '7', city: 'Berlin' }, false);
    expect(withoutAlternatives.validationResult).toBe('partial');
    expect(withoutAlternatives.alternateGeographicAddress).toBeUndefined();
  });

  it('fails an unknown address, offering the nearest numbers on the same street', async () => {
    const v = await validate({ streetName: 'Hauptstraße', streetNr: '11', postcode: '10827', city: 'Berlin' });
    expect(v.validationResult).toBe('fails');
    expect(v.alternateGeographicAddress?.map((a) => a['streetNr'])).toEqual(['12', '7', '5']);
    expect((await validate({ streetName: 'Hauptstraße', streetNr: '7', city: 'München' })).validationResult).toBe('fails');
    expect((await validate({ streetName: 'Nirgendwo', streetNr: '1', city: 'Berlin' })).alternateGeographicAddress).toBeUndefined();
    expect((await validate({ city: 'Berlin' })).validationResult).toBe('fails');
  });

  it('is a task: created done, listed, filtered; its answer is the server\'s', async () => {
    refused(await addresses.post('/geographicAddressValidation', { submittedGeographicAddress: { city: 'Berlin' } }), 400, 'provideAlternative');
    refused(await addresses.post('/geographicAddressValidation', { provideAlternative: false }), 400, 'submittedGeographicAddress');
    refused(await addresses.post('/geographicAddressValidation', { provideAlternative: false, submittedGeographicAddress: { city: 'Berlin' }, state: 'done' }), 400, 'state');
    refused(await addresses.post('/geographicAddressValidation', { provideAlternative: false, submittedGeographicAddress: { city: 'Berlin' }, validationResult: 'success' }), 400, 'validationResult');
    const v = await validate({ streetName: 'Hauptstraße', streetNr: '12', city: 'Berlin' });
    refused(await addresses.patch(`/geographicAddressValidation/${v.id}`, { validationResult: 'fails' }), 400, 'validationResult');
    refused(await addresses.patch(`/geographicAddressValidation/${v.id}`, { submittedGeographicAddress: { city: 'Hamburg' } }), 400, 'submittedGeographicAddress');
    expect((await addresses.get(`/geographicAddressValidation/${v.id}`)).body).toEqual(v);
    const successes = await addresses.get<Validation[]>('/geographicAddressValidation?validationResult=success&validGeographicAddress.accessArea=BER-SCHOENEBERG-OLT03');
    expect(successes.body.map((x) => x.id)).toContain(v.id);
    expect(successes.body.every((x) => x.validationResult === 'success')).toBe(true);
    expect((await addresses.del(`/geographicAddressValidation/${v.id}`)).status).toBe(404);
  });

  it('tells flows the access area of a place by id or by value', async () => {
    expect(await accessAreaOf(op.runtime, { id: known[3]!.id, role: 'installation' })).toBe('HAM-MITTE-OLT01');
    expect(await accessAreaOf(op.runtime, { streetName: 'Hauptstr', streetNr: '7', city: 'Berlin', role: 'installation' })).toBe('BER-SCHOENEBERG-OLT03');
    expect(await accessAreaOf(op.runtime, { streetName: 'Hauptstr', streetNr: '9', city: 'Berlin' })).toBeUndefined();
    expect(await accessAreaOf(op.runtime, { id: 'unknown' })).toBeUndefined();
  });

  it('keeps stored addresses and sites in memory between reads, and forgets one when it changes, whoever changes it', async () => {
    const cache = DocumentChanges.of(op.runtime.db).cache('geographic_address');
    const a = known[4]!;
    const area = () => accessAreaOf(op.runtime, { id: a.id });
    await until(async () => (await area(), DocumentChanges.of(op.runtime.db).listening()));
    expect(await area()).toBe('PAR-08-NRO1');
    const hits = cache.hits;
    expect(await area()).toBe('PAR-08-NRO1');
    expect(cache.hits).toBe(hits + 1);
    // through the referential: the writer forgets it when its change commits
    const changed = await addresses.patch(`/geographicAddress/${a.id}`, { accessArea: 'PAR-08-NRO2' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await area()).toBe('PAR-08-NRO2');
    // by another node (here: straight in the database): every node is told when it commits
    await op.runtime.db.query(`UPDATE geographic_address SET doc = jsonb_set(doc, '{accessArea}', '"PAR-08-NRO3"') WHERE id = $1`, [a.id]);
    await until(async () => (await area()) === 'PAR-08-NRO3');
    // a site by id, when no address has it
    const site = await sites.create<Served>('/geographicSite', { name: 'Street cabinet', accessArea: 'PAR-08-NRO1' });
    expect(await accessAreaOf(op.runtime, { id: site.id })).toBe('PAR-08-NRO1');
    await op.runtime.db.query(`UPDATE geographic_site SET doc = jsonb_set(doc, '{accessArea}', '"PAR-08-NRO4"') WHERE id = $1`, [site.id]);
    await until(async () => (await accessAreaOf(op.runtime, { id: site.id })) === 'PAR-08-NRO4');
  });
});
