import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Static } from 'typebox';
import { isOperonError } from '@operon/kernel';
import { DocumentTable, type Filter } from '@operon/store';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { EventSubscription, TmfErrorBody } from '@operon/tmf';
import { loadSpec, tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { partyRoleComponent } from './index.ts';
import type { PartyRole as PartyRoleSchema } from './schemas.ts';

/** A party role as the API serves it. */
type PartyRole = Static<typeof PartyRoleSchema> & { id: string; href: string; '@type': string; status: string };
type Listener = Static<typeof EventSubscription>;

let op: TestOperon;
/** Every body the server sends is checked against the official TMF669 definitions. */
let client: TmfClient;
const spec = loadSpec('TMF669');

const SUPPLIER = { id: 'rt-supplier', name: 'Supplier', partnershipId: 'pt-supply', partnershipName: 'Supply chain' };
const RESELLER = { id: 'rt-reseller', name: 'Reseller', partnershipId: 'pt-channel', partnershipName: 'Indirect channel' };

let seq = 0;
function aRole(extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    name: `Role ${seq}`,
    roleType: SUPPLIER,
    engagedParty: { id: `org-${seq}`, name: `Org ${seq}`, '@referredType': 'Organization' },
    ...extra,
  };
}

async function create(extra: Record<string, unknown> = {}): Promise<PartyRole> {
  const r = await client.post<PartyRole>('/partyRole', aRole(extra));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function walk(id: string, ...states: string[]): Promise<TmfReply<PartyRole>> {
  let last: TmfReply<PartyRole> | undefined;
  for (const status of states) {
    last = await client.patch<PartyRole>(`/partyRole/${id}`, { status, statusReason: `moved to ${status}` });
    expect(last.status, JSON.stringify(last.body)).toBe(200);
  }
  return last!;
}

async function count(): Promise<number> {
  return (await op.db.query<{ n: number }>('SELECT count(*)::int AS n FROM party_role')).rows[0]!.n;
}

function expectError(r: TmfReply, status: number, field?: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  if (field) expect(error.message).toContain(field);
  return error;
}

beforeAll(async () => {
  op = await startTestOperon({ components: [partyRoleComponent] });
  client = tmfClient({ baseUrl: `${op.url}/tmf-api/partyRoleManagement/v4`, spec: 'TMF669', types: { partyRole: 'PartyRole' } });
});
afterAll(async () => op?.close());

describe('TMF669 party role: create, read, update, delete', () => {
  it('creates an Initialized party role and serves it back', async () => {
    const r = await client.post<PartyRole>('/partyRole', {
      name: 'Acme as supplier',
      roleType: SUPPLIER,
      engagedParty: { id: 'org-acme', href: 'https://party.example/tmf-api/party/v4/organization/org-acme', name: 'Acme', '@referredType': 'Organization' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'PartyRole', status: 'Initialized', name: 'Acme as supplier', roleType: SUPPLIER });
    expect(r.body.href).toBe(`${client.baseUrl}/partyRole/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"1"');
    const got = await client.get(`/partyRole/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    expect((await client.get(`/partyRole/${r.body.id}?fields=name,status`)).body).toEqual({
      id: r.body.id, href: r.body.href, '@type': 'PartyRole', name: 'Acme as supplier', status: 'Initialized',
    });
    expectError(await client.get('/partyRole/nobody'), 404);
  });

  it('finds party roles by name, status, role type, engaged party and related party, with paging', async () => {
    const tag = `Filter ${Date.now()}`;
    const a = await create({ name: `${tag} A`, relatedParty: [{ id: 'ind-buyer', '@referredType': 'Individual', role: 'buyer' }] });
    const b = await create({ name: `${tag} B`, roleType: RESELLER, engagedParty: { id: 'org-filter', '@referredType': 'Organization' } });
    const c = await create({ name: `${tag} C`, status: 'Validated' });
    const ids = (r: TmfReply<PartyRole[]>) => r.body.map((x) => x.id).sort();
    expect(ids(await client.get<PartyRole[]>(`/partyRole?name=${encodeURIComponent(`${tag} A`)}`))).toEqual([a.id]);
    expect(ids(await client.get<PartyRole[]>('/partyRole?engagedParty.id=org-filter'))).toEqual([b.id]);
    expect(ids(await client.get<PartyRole[]>('/partyRole?relatedParty.id=ind-buyer'))).toEqual([a.id]);
    expect(ids(await client.get<PartyRole[]>(`/partyRole?roleType.name=Reseller&name.gte=${encodeURIComponent(tag)}`))).toEqual([b.id]);
    const validated = await client.get<PartyRole[]>('/partyRole?status=Validated');
    expect(ids(validated)).toContain(c.id);
    expect(validated.body.every((x) => x.status === 'Validated')).toBe(true);
    const page = await client.get<PartyRole[]>(`/partyRole?name.gte=${encodeURIComponent(tag)}&name.lt=${encodeURIComponent(`${tag} Z`)}&sort=-name&limit=2`);
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.body.map((x) => x.name)).toEqual([`${tag} C`, `${tag} B`]);
    expectError(await client.get('/partyRole?roleTyp.name=x'), 400, 'roleTyp');
  });

  it('updates with merge and JSON patches, honouring If-Match', async () => {
    const p = await create();
    const merged = await client.patch(`/partyRole/${p.id}`, { name: 'Renamed', roleType: { name: 'Preferred supplier' } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ name: 'Renamed', roleType: { id: SUPPLIER.id, name: 'Preferred supplier' } });
    expect(merged.headers.get('etag')).toBe('"2"');
    const patched = await client.jsonPatch<PartyRole>(`/partyRole/${p.id}`, [
      { op: 'add', path: '/characteristic', value: [{ name: 'tier', value: 1 }] },
    ], { 'if-match': '"2"' });
    expect(patched.status).toBe(200);
    expect(patched.body.characteristic).toEqual([{ name: 'tier', value: 1 }]);
    expectError(await client.patch(`/partyRole/${p.id}`, { name: 'Late' }, { 'if-match': '"2"' }), 412);
    expectError(await client.patch(`/partyRole/${p.id}`, { roleType: null }), 400, 'roleType');
    expectError(await client.patch('/partyRole/unknown', { name: 'x' }), 404);
    expect((await client.get<PartyRole>(`/partyRole/${p.id}`)).body.name).toBe('Renamed');
  });

  it('deletes a proposed role and refuses unknown or server-set attributes', async () => {
    const p = await create();
    expect((await client.del(`/partyRole/${p.id}`)).status).toBe(204);
    expectError(await client.get(`/partyRole/${p.id}`), 404);
    expectError(await client.post('/partyRole', aRole({ commission: 5 })), 400, 'commission');
    expectError(await client.post('/partyRole', aRole({ id: 'mine' })), 400, 'id');
  });
});

describe('TMF669 party role lifecycle', () => {
  it('follows proposed → validated → approved → active → suspended → active → closed', async () => {
    const p = await create();
    await walk(p.id, 'Validated', 'Approved', 'Active', 'Suspended', 'Active', 'Closed');
    const events = await op.db.query<{ payload: { event: { partyRole: { status: string } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'PartyRoleStateChangeEvent' AND resource_id = $1 ORDER BY seq`,
      [p.id],
    );
    expect(events.rows.map((e) => e.payload.event.partyRole.status)).toEqual(['Validated', 'Approved', 'Active', 'Suspended', 'Active', 'Closed']);
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const p = await create();
    for (const status of ['Approved', 'Active', 'Suspended', 'Closed']) {
      const r = await client.patch(`/partyRole/${p.id}`, { status, statusReason: 'skip' });
      expect(expectError(r, 422, 'status').code).toBe('forbiddenTransition');
    }
    expectError(await client.patch(`/partyRole/${p.id}`, { status: 'Retired' }), 400, 'status');
    const closed = await create({ status: 'Approved' });
    await walk(closed.id, 'Closed');
    expectError(await client.patch(`/partyRole/${closed.id}`, { status: 'Active' }), 422, 'status');
    for (const status of ['Active', 'Suspended', 'Closed', 'Rejected']) expectError(await client.post('/partyRole', aRole({ status, statusReason: 'x' })), 422, 'status');
    expect((await client.get<PartyRole>(`/partyRole/${p.id}`)).body.status).toBe('Initialized');
  });

  it('requires a fresh statusReason to suspend, reject or close', async () => {
    const p = await create({ status: 'Approved' });
    await walk(p.id, 'Active');
    expectError(await client.patch(`/partyRole/${p.id}`, { status: 'Suspended' }), 422, 'statusReason');
    expectError(await client.patch(`/partyRole/${p.id}`, { status: 'Closed', statusReason: '' }), 422, 'statusReason');
    expect((await client.patch(`/partyRole/${p.id}`, { status: 'Suspended', statusReason: 'Certificate expired' })).status).toBe(200);
    const q = await create();
    expectError(await client.patch(`/partyRole/${q.id}`, { status: 'Rejected' }), 422, 'statusReason');
  });

  it('puts a role in force only within its validity period', async () => {
    const ended = await create({ status: 'Approved', validFor: { startDateTime: '2019-01-01T00:00:00Z', endDateTime: '2020-01-01T00:00:00Z' } });
    expectError(await client.patch(`/partyRole/${ended.id}`, { status: 'Active' }), 422, 'validFor');
    const later = await create({ status: 'Approved', validFor: { startDateTime: '2999-01-01T00:00:00Z' } });
    expectError(await client.patch(`/partyRole/${later.id}`, { status: 'Active' }), 422, 'validFor');
    expect((await client.patch(`/partyRole/${later.id}`, { status: 'Active', validFor: { startDateTime: '2024-01-01T00:00:00Z' } })).status).toBe(200);
  });

  it('deletes only roles that never came into force, or are closed', async () => {
    const approved = await create({ status: 'Approved' });
    expectError(await client.del(`/partyRole/${approved.id}`), 422, 'status');
    await walk(approved.id, 'Active');
    expectError(await client.del(`/partyRole/${approved.id}`), 422);
    await walk(approved.id, 'Suspended');
    expectError(await client.del(`/partyRole/${approved.id}`), 422);
    await walk(approved.id, 'Closed');
    expect((await client.del(`/partyRole/${approved.id}`)).status).toBe(204);
    const rejected = await create();
    await walk(rejected.id, 'Rejected');
    expect((await client.del(`/partyRole/${rejected.id}`)).status).toBe(204);
    const validated = await create({ status: 'Validated' });
    expect((await client.del(`/partyRole/${validated.id}`)).status).toBe(204);
  });
});

describe('TMF669 party role business rules', () => {
  it('requires a name and a role type that keeps its identity', async () => {
    const { name: _n, ...noName } = aRole();
    expectError(await client.post('/partyRole', noName), 400, 'name');
    expectError(await client.post('/partyRole', aRole({ name: ' ' })), 400, 'name');
    const { roleType: _r, ...noRoleType } = aRole();
    expectError(await client.post('/partyRole', noRoleType), 400, 'roleType');
    expectError(await client.post('/partyRole', aRole({ roleType: { name: 'Supplier' } })), 400, 'roleType.id');
    expectError(await client.post('/partyRole', aRole({ roleType: { id: '' } })), 422, 'roleType.id');
    expectError(await client.post('/partyRole', aRole({ roleType: { ...SUPPLIER, partnershipHref: 'https://x/partnershipType/pt-other' } })), 422, 'roleType.partnershipHref');
    const p = await create();
    expectError(await client.patch(`/partyRole/${p.id}`, { roleType: RESELLER }), 422, 'roleType');
  });

  it('needs the engaged party, an individual or an organization, once the role is validated', async () => {
    const { engagedParty: _e, ...noParty } = aRole();
    const proposed = await client.post<PartyRole>('/partyRole', noParty);
    expect(proposed.status).toBe(201);
    expectError(await client.post('/partyRole', { ...noParty, status: 'Validated' }), 422, 'engagedParty');
    expectError(await client.patch(`/partyRole/${proposed.body.id}`, { status: 'Validated' }), 422, 'engagedParty');
    const assigned = await client.patch(`/partyRole/${proposed.body.id}`, { status: 'Validated', engagedParty: { id: 'org-late', '@referredType': 'Organization' } });
    expect(assigned.status).toBe(200);
    expectError(await client.patch(`/partyRole/${proposed.body.id}`, { engagedParty: { id: 'org-other' } }), 422, 'engagedParty');
    expectError(await client.patch(`/partyRole/${proposed.body.id}`, { engagedParty: null }), 422, 'engagedParty');

    expectError(await client.post('/partyRole', aRole({ engagedParty: { id: 'p1', '@referredType': 'Product' } })), 422, 'engagedParty.@referredType');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { id: 'p1' } })), 422, 'engagedParty.@referredType');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { name: 'Nobody' } })), 422, 'engagedParty');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { id: 'p1', href: 'not a link', '@referredType': 'Individual' } })), 400, 'engagedParty.href');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { id: 'p1', href: 'https://x/individual/p2', '@referredType': 'Individual' } })), 422, 'engagedParty.href');
    // by value: the party itself, with its own contact media
    const byValue = await client.post('/partyRole', aRole({
      engagedParty: {
        '@type': 'Organization', name: 'Freelance Fibre Co',
        contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'hello@fibre.example' } }],
        creditRating: [{ creditAgencyName: 'Agency', ratingScore: 640 }],
      },
    }));
    expect(byValue.status).toBe(201);
    expectError(await client.post('/partyRole', aRole({ engagedParty: { '@type': 'Organization', contactMedium: [{ mediumType: 'email', characteristic: {} }] } })), 422, 'engagedParty.contactMedium[0]');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { '@type': 'Organization', creditRating: [{ ratingScore: 6.4 }] } })), 400, 'engagedParty.creditRating[0].ratingScore');
    expectError(await client.post('/partyRole', aRole({ engagedParty: { '@type': 'Organization', partyCharacteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] } })), 422, 'engagedParty.partyCharacteristic[1].name');
  });

  it('lets a party hold a role type only once at a time', async () => {
    const party = { id: 'org-unique', '@referredType': 'Organization' };
    const first = await create({ engagedParty: party });
    expectError(await client.post('/partyRole', aRole({ engagedParty: party })), 409, first.id);
    // another role type is another role
    const reseller = await create({ engagedParty: party, roleType: RESELLER });
    // moving an existing role onto a party that already holds that role type is refused as well
    const floating = await create({ engagedParty: undefined });
    expectError(await client.patch(`/partyRole/${floating.id}`, { engagedParty: party }), 409);
    await walk(first.id, 'Rejected');
    const again = await create({ engagedParty: party });
    expect(again.id).not.toBe(first.id);
    expect(reseller.id).toBeDefined();
  });

  it('creates one role when the same one is requested concurrently', async () => {
    const party = { id: 'org-race', '@referredType': 'Organization' };
    const replies = await Promise.all(Array.from({ length: 6 }, () => client.post('/partyRole', aRole({ engagedParty: party }))));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await client.get('/partyRole?engagedParty.id=org-race')).body).toHaveLength(1);
  });

  it('makes a second creation wait for the first to commit, then refuses it', async () => {
    const svc = op.runtime.services.get('partyRoleManagement')!.get('partyRole')!;
    const ctx = op.runtime.systemContext;
    const party = { id: 'org-serial', '@referredType': 'Organization' };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let created!: () => void;
    const firstInserted = new Promise<void>((r) => (created = r));
    const first = op.db.tx(async (tx) => {
      await svc.create(aRole({ engagedParty: party }), ctx, tx);
      created();
      await held;
    });
    await firstInserted;
    let settled = false;
    const second = svc.create(aRole({ engagedParty: party }), ctx).then(
      () => 201,
      (e: unknown) => (isOperonError(e) ? e.status : 500),
    ).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    // the first role is not committed yet: the second check must wait rather than miss it
    expect(settled).toBe(false);
    release();
    await first;
    expect(await second).toBe(409);
  });

  it('keeps contact media, characteristics and references consistent', async () => {
    const email = (address: string, preferred?: boolean) => ({ mediumType: 'email', ...(preferred === undefined ? {} : { preferred }), characteristic: { emailAddress: address } });
    expectError(await client.post('/partyRole', aRole({ contactMedium: [email('a@x.example', true), email('b@x.example', true)] })), 422, 'contactMedium[1].preferred');
    expectError(await client.post('/partyRole', aRole({ contactMedium: [{ mediumType: 'fax', characteristic: { faxNumber: 'none' } }] })), 422, 'contactMedium[0].characteristic.faxNumber');
    expectError(await client.post('/partyRole', aRole({ contactMedium: [{ ...email('a@x.example'), validFor: { startDateTime: '2024-02-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }] })), 422, 'contactMedium[0].validFor');
    expectError(await client.post('/partyRole', aRole({ contactMedium: [{ mediumType: 'phone' }] })), 400, 'contactMedium[0].characteristic');
    expect((await client.post('/partyRole', aRole({ contactMedium: [email('a@x.example', true), { mediumType: 'phone', preferred: true, characteristic: { phoneNumber: '+1 (555) 010-9999' } }] }))).status).toBe(201);
    expectError(await client.post('/partyRole', aRole({ characteristic: [{ name: 'tier', value: 1 }, { name: 'tier', value: 2 }] })), 422, 'characteristic[1].name');
    expectError(await client.post('/partyRole', aRole({ account: [{ name: 'Settlement' }] })), 422, 'account[0].id');
    expectError(await client.post('/partyRole', aRole({ agreement: [{ id: 'ag-1', href: 'agreement/ag-1' }] })), 400, 'agreement[0].href');
    expectError(await client.post('/partyRole', aRole({ agreement: [{ id: 'ag-1', href: 'https://x/agreement/ag-2' }] })), 422, 'agreement[0].href');
    expectError(await client.post('/partyRole', aRole({ paymentMethod: [{ id: 'pm-1' }, { id: 'pm-1' }] })), 422, 'paymentMethod[1].id');
    expectError(await client.post('/partyRole', aRole({ creditProfile: [{ creditProfileDate: '2024-01-01T00:00:00Z', creditScore: 'high', validFor: {} }] })), 400, 'creditProfile[0].creditScore');
    expectError(await client.post('/partyRole', aRole({ creditProfile: [{ creditProfileDate: '2999-01-01T00:00:00Z', validFor: {} }] })), 422, 'creditProfile[0].creditProfileDate');
    expectError(await client.post('/partyRole', aRole({ validFor: { startDateTime: '2024-02-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } })), 422, 'validFor.endDateTime');
  });

  it('requires related parties to be identified and listed once per role', async () => {
    expectError(await client.post('/partyRole', aRole({ relatedParty: [{ name: 'Someone', role: 'contact' }] })), 422, 'relatedParty[0]');
    const dup = { id: 'ind-1', '@referredType': 'Individual', role: 'contact' };
    expectError(await client.post('/partyRole', aRole({ relatedParty: [dup, dup] })), 422, 'relatedParty[1]');
    const ok = await client.post('/partyRole', aRole({ relatedParty: [dup, { ...dup, role: 'signatory' }, { '@type': 'Individual', name: 'Walk-in contact', role: 'contact' }] }));
    expect(ok.status).toBe(201);
  });

  it('never stores an invalid party role, nor a change that breaks a rule', async () => {
    const p = await create();
    const before = await count();
    for (const b of [
      aRole({ roleType: { id: 'x', name: 5 } }),
      aRole({ engagedParty: { id: 'p', '@referredType': 'Service' } }),
      aRole({ status: 'Active' }),
      aRole({ characteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 1 }] }),
      'a string',
    ]) {
      expect((await client.post('/partyRole', b)).status).toBeGreaterThanOrEqual(400);
    }
    expect(await count()).toBe(before);
    const stored = await op.db.query('SELECT version, doc FROM party_role WHERE id = $1', [p.id]);
    expectError(await client.patch(`/partyRole/${p.id}`, { roleType: RESELLER }), 422);
    expectError(await client.patch(`/partyRole/${p.id}`, { status: 'Validated', engagedParty: null }), 422);
    const after = await op.db.query('SELECT version, doc FROM party_role WHERE id = $1', [p.id]);
    expect(after.rows[0]).toEqual(stored.rows[0]);
  });
});

describe('TMF669 party role filters are served by indexes', () => {
  it('uses the name and status columns, the document index and the live-role index', async () => {
    const table = new DocumentTable({ table: 'party_role', statusAttribute: 'status' });
    const explain = (sql: string, params: unknown[]) =>
      op.db.tx(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    const plan = (filter: Filter) => {
      const params: unknown[] = [];
      const where = table.where([filter], params);
      return explain(`SELECT id FROM party_role ${where}`, params);
    };
    expect(await plan({ path: ['name'], op: 'eq', values: ['Acme as supplier'] })).toContain('party_role_name');
    expect(await plan({ path: ['status'], op: 'eq', values: ['Active'] })).toContain('party_role_status');
    expect(await plan({ path: ['engagedParty', 'id'], op: 'eq', values: ['org-acme'] })).toContain('party_role_doc');
    expect(await plan({ path: ['relatedParty', 'id'], op: 'eq', values: ['ind-buyer'] })).toContain('party_role_doc');
    expect(await explain(
      `SELECT id FROM party_role WHERE (doc->'engagedParty'->>'id') = $1 AND (doc->'roleType'->>'id') = $2 AND status NOT IN ('Rejected', 'Closed')`,
      ['org-acme', SUPPLIER.id],
    )).toContain('party_role_live_by_party');
  });
});

describe('API documentation', () => {
  it('documents every operation and the hub at /docs', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/tmf-api/partyRoleManagement/v4/partyRole'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/tmf-api/partyRoleManagement/v4/partyRole/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/tmf-api/partyRoleManagement/v4/hub'] ?? {})).toContain('post');
  });
});

describe('conformance to the official TMF669 v4 specification', () => {
  it('serves the hub and publishes events that validate against the spec', async () => {
    const hub = await client.post<Listener>('/hub', { callback: 'http://127.0.0.1:9/listener', query: 'eventType=PartyRoleStateChangeEvent' });
    expect(hub.status).toBe(201);
    expect((await client.get(`/hub/${hub.body.id}`)).body).toEqual(hub.body);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
    expectError(await client.del(`/hub/${hub.body.id}`), 404);

    const p = await create({ status: 'Approved' });
    await client.patch(`/partyRole/${p.id}`, { name: 'Evented' });
    await walk(p.id, 'Closed');
    expect((await client.del(`/partyRole/${p.id}`)).status).toBe(204);
    const events = await op.db.query<{ event_type: string; payload: { event: { partyRole: { id: string } } } }>(
      `SELECT event_type, payload FROM outbox WHERE api = 'partyRoleManagement' ORDER BY seq`,
    );
    expect([...new Set(events.rows.map((e) => e.event_type))].sort()).toEqual([
      'PartyRoleAttributeValueChangeEvent', 'PartyRoleCreateEvent', 'PartyRoleDeleteEvent', 'PartyRoleStateChangeEvent',
    ]);
    for (const e of events.rows) expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
    const mine = events.rows.filter((e) => e.payload.event.partyRole.id === p.id).map((e) => e.event_type);
    expect(mine).toEqual(['PartyRoleCreateEvent', 'PartyRoleAttributeValueChangeEvent', 'PartyRoleStateChangeEvent', 'PartyRoleAttributeValueChangeEvent', 'PartyRoleDeleteEvent']);
  });

  it('returns spec-valid bodies for a party role with every attribute', async () => {
    const full = await client.post<PartyRole>('/partyRole', {
      name: 'Every attribute reseller',
      status: 'Validated',
      statusReason: 'Trade register extract checked',
      roleType: { id: 'rt-reseller-gold', name: 'Gold reseller', partnershipId: 'pt-channel', partnershipHref: 'https://x/tmf-api/partnershipManagement/v4/partnershipType/pt-channel', partnershipName: 'Indirect channel', '@referredType': 'RoleType' },
      engagedParty: {
        id: 'org-every', href: 'https://party.example/tmf-api/party/v4/organization/org-every', name: 'Every Ltd', role: 'reseller', '@referredType': 'Organization',
        externalReference: [{ externalReferenceType: 'companyRegister', name: 'HRB 12345' }],
        taxExemptionCertificate: [{ id: 'tx-1', taxDefinition: [{ id: 'vat', name: 'VAT', taxType: 'vat' }], attachment: { name: 'cert.pdf', mimeType: 'application/pdf', url: 'https://docs.example/cert.pdf', size: { amount: 12.5, units: 'kB' } }, validFor: { startDateTime: '2024-01-01T00:00:00Z' } }],
      },
      account: [{ id: 'sa-1', name: 'Settlement account', description: 'Monthly commission', '@referredType': 'SettlementAccount' }],
      agreement: [{ id: 'ag-7', href: 'https://x/tmf-api/agreementManagement/v4/agreement/ag-7', name: 'Reseller agreement' }],
      paymentMethod: [{ id: 'pm-7', name: 'Bank transfer' }],
      characteristic: [{ id: 'c1', name: 'region', valueType: 'string', value: 'North', characteristicRelationship: [{ id: 'c2', relationshipType: 'dependsOn' }] }],
      contactMedium: [{ mediumType: 'postalAddress', preferred: true, characteristic: { street1: '5 Harbour Road', city: 'Cork', postCode: 'T12', country: 'IE' }, validFor: { startDateTime: '2024-01-01T00:00:00Z' } }],
      creditProfile: [{ creditProfileDate: '2024-01-05T00:00:00Z', creditRiskRating: 3, creditScore: 690, validFor: { startDateTime: '2024-01-05T00:00:00Z', endDateTime: '2025-01-05T00:00:00Z' } }],
      relatedParty: [{ id: 'ind-9', href: 'https://party.example/tmf-api/party/v4/individual/ind-9', name: 'Sam Signatory', role: 'signatory', '@referredType': 'Individual' }],
      validFor: { startDateTime: '2024-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' },
    });
    expect(full.status, JSON.stringify(full.body)).toBe(201);
    await client.get(`/partyRole/${full.body.id}`);
    await client.get('/partyRole');
    await client.patch(`/partyRole/${full.body.id}`, { status: 'Approved' });
    expectError(await client.patch(`/partyRole/${full.body.id}`, { name: 'x' }, { 'if-match': '"1"' }), 412);
    expectError(await client.post('/partyRole', aRole(), { 'content-type': 'text/plain' }), 415);
  });
});
