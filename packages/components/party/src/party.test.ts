import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Static } from 'typebox';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { loadSpec, runCtk, tmfClient, type TmfClient } from '@operon/tmf/testing';
import { partyComponent } from './index.ts';
import type { Individual as IndividualSchema, Organization as OrganizationSchema } from './schemas.ts';

/** Parties as the API serves them. */
type Served = { id: string; href: string; '@type': string };
type Individual = Static<typeof IndividualSchema> & Served;
type Organization = Static<typeof OrganizationSchema> & Served;

let op: TestOperon;
/** Every body the server sends is checked against the official TMF632 definitions. */
let client: TmfClient;

beforeAll(async () => {
  op = await startTestOperon({ components: [partyComponent] });
  client = tmfClient({ baseUrl: `${op.url}/tmf-api/party/v4`, spec: 'TMF632', types: { individual: 'Individual', organization: 'Organization' } });
});
afterAll(async () => op?.close());

describe('TMF632 Party', () => {
  it('creates individuals with a display name and finds them by name', async () => {
    const jane = await client.post<Individual>('/individual', { givenName: 'Jane', familyName: 'Lamborgizzia', contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'jane@example.com' } }] });
    expect(jane.status).toBe(201);
    expect(jane.body).toMatchObject({ '@type': 'Individual', '@baseType': 'Party', status: 'initialized', formattedName: 'Jane Lamborgizzia' });
    const found = await client.get<Individual[]>('/individual?familyName=Lamborgizzia');
    expect(found.body.map((i) => i.id)).toContain(jane.body.id);
    const byEmail = await client.get('/individual?contactMedium.characteristic.emailAddress=jane@example.com');
    expect(byEmail.body).toHaveLength(1);
  });

  it('requires givenName and familyName for an individual, tradingName for an organization', async () => {
    expect((await client.post('/individual', { givenName: 'Solo' })).status).toBe(400);
    const org = await client.post<Organization>('/organization', { tradingName: 'Coffee Do Brazil Fair Trade' });
    expect(org.status).toBe(201);
    expect(org.body.name).toBe('Coffee Do Brazil Fair Trade');
    expect((await client.post('/organization', { name: 'no trading name' })).status).toBe(400);
  });

  it('follows the party status lifecycle', async () => {
    const org = await client.post<Organization>('/organization', { tradingName: 'Closing Ltd' });
    expect((await client.patch(`/organization/${org.body.id}`, { status: 'validated' })).status).toBe(200);
    expect((await client.patch(`/organization/${org.body.id}`, { status: 'closed' })).status).toBe(200);
    const reopen = await client.patch(`/organization/${org.body.id}`, { status: 'validated' });
    expect(reopen.status).toBe(422);
    expect((reopen.body as TmfErrorBody).code).toBe('forbiddenTransition');
    expect((await client.patch(`/organization/${org.body.id}`, { status: 'bankrupt' })).status).toBe(400);
  });

  it('is documented at /docs', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/tmf-api/party/v4/individual', '/tmf-api/party/v4/individual/{id}', '/tmf-api/party/v4/hub']));
    expect((await fetch(`${op.url}/docs`)).status).toBe(200);
  });
});

describe('conformance to the official TMF632 v4 specification', () => {
  it('every response body validates', async () => {
    const spec = loadSpec('TMF632');
    const ind = await client.post('/individual', {
      givenName: 'Ada', familyName: 'Lovelace', birthDate: '1815-12-10T00:00:00Z',
      languageAbility: [{ languageCode: 'en', isFavouriteLanguage: true }],
      partyCharacteristic: [{ name: 'segment', value: 'gold' }],
      relatedParty: [{ id: 'x', '@referredType': 'Organization', role: 'employer' }],
    });
    const org = await client.post('/organization', { tradingName: 'Spec Ltd', existsDuring: { startDateTime: '2001-01-01T00:00:00Z' } });
    for (const [def, body] of [['Individual', ind.body], ['Organization', org.body]] as const) expect(spec.errors(def, body)).toEqual([]);
    for (const i of (await client.get<Individual[]>('/individual')).body) expect(spec.errors('Individual', i)).toEqual([]);
    for (const o of (await client.get<Organization[]>('/organization')).body) expect(spec.errors('Organization', o)).toEqual([]);
    const err = await client.get('/individual/none');
    expect(spec.errors('Error', err.body)).toEqual([]);
    const hub = await client.post('/hub', { callback: 'http://127.0.0.1:9/cb' });
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    const events = await op.db.query<{ event_type: string; payload: unknown }>(`SELECT event_type, payload FROM outbox WHERE api = 'party'`);
    for (const e of events.rows) {
      if (spec.definitions.includes(e.event_type)) expect(spec.errors(e.event_type, e.payload)).toEqual([]);
    }
  });
});

describe('TM Forum conformance kit TMF632', () => {
  it('passes with zero failed assertions', async () => {
    const r = await runCtk('TMF632', client.baseUrl);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.assertions).toBeGreaterThan(50);
  });
});
