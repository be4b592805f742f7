import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Static } from 'typebox';
import { DocumentTable, type Filter } from '@operon/store';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { EventSubscription, TmfErrorBody } from '@operon/tmf';
import { loadSpec, runCtk, tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { customerComponent } from './index.ts';
import type { Customer as CustomerSchema } from './schemas.ts';

/** A customer as the API serves it. */
type Customer = Static<typeof CustomerSchema> & { id: string; href: string; '@type': string; '@baseType': string; status: string };
type Listener = Static<typeof EventSubscription>;

let op: TestOperon;
/** Every body the server sends is checked against the official TMF629 definitions. */
let client: TmfClient;
const spec = loadSpec('TMF629');

let seq = 0;
function aCustomer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return { name: `Customer ${seq}`, engagedParty: { id: `party-${seq}`, name: `Party ${seq}`, '@referredType': 'Individual' }, ...extra };
}

async function create(extra: Record<string, unknown> = {}): Promise<Customer> {
  const r = await client.post<Customer>('/customer', aCustomer(extra));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** Moves a customer along the given states, with a reason where one is needed. */
async function walk(id: string, ...states: string[]): Promise<TmfReply<Customer>> {
  let last: TmfReply<Customer> | undefined;
  for (const status of states) {
    last = await client.patch<Customer>(`/customer/${id}`, { status, statusReason: `moved to ${status}` });
    expect(last.status, JSON.stringify(last.body)).toBe(200);
  }
  return last!;
}

async function count(): Promise<number> {
  return (await op.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer')).rows[0]!.n;
}

function expectError(r: TmfReply, status: number, field?: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  if (field) expect(error.message).toContain(field);
  return error;
}

beforeAll(async () => {
  op = await startTestOperon({ components: [customerComponent] });
  client = tmfClient({ baseUrl: `${op.url}/tmf-api/customerManagement/v4`, spec: 'TMF629', types: { customer: 'Customer' } });
});
afterAll(async () => op?.close());

describe('TMF629 customer: create, read, update, delete', () => {
  it('creates a customer as an Initialized prospect and serves it back', async () => {
    const r = await client.post<Customer>('/customer', {
      name: 'Moon Football Club',
      engagedParty: { id: 'org-moon', name: 'Moon FC Ltd', '@referredType': 'Organization' },
      contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'office@moonfc.example' } }],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ '@type': 'Customer', '@baseType': 'PartyRole', status: 'Initialized', name: 'Moon Football Club' });
    expect(r.body.href).toBe(`${client.baseUrl}/customer/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"1"');
    const got = await client.get(`/customer/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    expect((await client.get(`/customer/${r.body.id}?fields=name`)).body).toEqual({ id: r.body.id, href: r.body.href, '@type': 'Customer', name: 'Moon Football Club' });
    expectError(await client.get('/customer/no-such-customer'), 404);
  });

  it('finds customers by name, status, engaged party and related party, with paging', async () => {
    const tag = `Filter ${Date.now()}`;
    const a = await create({ name: `${tag} A`, relatedParty: [{ id: 'am-7', '@referredType': 'Individual', role: 'accountManager' }] });
    const b = await create({ name: `${tag} B`, engagedParty: { id: 'org-filter', '@referredType': 'Organization' } });
    const c = await create({ name: `${tag} C`, status: 'Validated' });
    const ids = (r: TmfReply<Customer[]>) => r.body.map((x) => x.id).sort();
    expect(ids(await client.get<Customer[]>(`/customer?name=${encodeURIComponent(`${tag} A`)}`))).toEqual([a.id]);
    expect(ids(await client.get<Customer[]>(`/customer?name=${encodeURIComponent(`${tag} A,${tag} B`)}`))).toEqual([a.id, b.id].sort());
    expect(ids(await client.get<Customer[]>('/customer?engagedParty.id=org-filter'))).toEqual([b.id]);
    expect(ids(await client.get<Customer[]>('/customer?relatedParty.id=am-7'))).toEqual([a.id]);
    expect(ids(await client.get<Customer[]>('/customer?relatedParty.role=accountManager&relatedParty.id=am-7'))).toEqual([a.id]);
    const validated = await client.get<Customer[]>('/customer?status=Validated');
    expect(ids(validated)).toContain(c.id);
    expect(validated.body.every((x) => x.status === 'Validated')).toBe(true);
    const sorted = await client.get<Customer[]>(`/customer?name.gte=${encodeURIComponent(tag)}&name.lt=${encodeURIComponent(`${tag} Z`)}&sort=-name`);
    expect(sorted.body.map((x) => x.name)).toEqual([`${tag} C`, `${tag} B`, `${tag} A`]);
    const page = await client.get<Customer[]>(`/customer?name.gte=${encodeURIComponent(tag)}&name.lt=${encodeURIComponent(`${tag} Z`)}&sort=name&offset=1&limit=1`);
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.body.map((x) => x.name)).toEqual([`${tag} B`]);
    expectError(await client.get('/customer?engagedPary.id=x'), 400, 'engagedPary');
  });

  it('updates with merge and JSON patches, honouring If-Match', async () => {
    const c = await create();
    const merged = await client.patch(`/customer/${c.id}`, { name: 'Renamed', validFor: { startDateTime: '2024-01-01T00:00:00Z' } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ name: 'Renamed', validFor: { startDateTime: '2024-01-01T00:00:00.000Z' } });
    expect(merged.headers.get('etag')).toBe('"2"');
    const patched = await client.jsonPatch<Customer>(`/customer/${c.id}`, [
      { op: 'add', path: '/contactMedium', value: [{ mediumType: 'phone', characteristic: { phoneNumber: '+33 1 23 45 67 89' } }] },
    ], { 'if-match': '"2"' });
    expect(patched.status).toBe(200);
    expect(patched.body.contactMedium).toHaveLength(1);
    expectError(await client.patch(`/customer/${c.id}`, { name: 'Late' }, { 'if-match': '"2"' }), 412);
    expectError(await client.patch(`/customer/${c.id}`, { id: 'other' }), 400, 'id');
    expectError(await client.patch(`/customer/${c.id}`, { name: null }), 400, 'name');
    expectError(await client.patch('/customer/unknown', { name: 'x' }), 404);
    expect((await client.get<Customer>(`/customer/${c.id}`)).body.name).toBe('Renamed');
  });

  it('deletes a prospect and refuses unknown or server-set attributes', async () => {
    const c = await create();
    expect((await client.del(`/customer/${c.id}`)).status).toBe(204);
    expectError(await client.get(`/customer/${c.id}`), 404);
    expectError(await client.del(`/customer/${c.id}`), 404);
    expectError(await client.post('/customer', aCustomer({ nickname: 'Bob' })), 400, 'nickname');
    expectError(await client.post('/customer', aCustomer({ id: 'mine' })), 400, 'id');
    expectError(await client.post('/customer', aCustomer({ href: 'http://x/customer/1' })), 400, 'href');
    // an extension attribute is accepted when the body points at its schema
    const ext = await client.post<Customer & { loyaltyTier: string }>('/customer', aCustomer({ '@schemaLocation': 'https://example.com/customer-ext.json', loyaltyTier: 'gold' }));
    expect(ext.status).toBe(201);
    expect(ext.body.loyaltyTier).toBe('gold');
  });
});

describe('TMF629 customer lifecycle', () => {
  it('follows prospect → validated → approved → active → suspended → active → closed', async () => {
    const c = await create();
    await walk(c.id, 'Validated', 'Approved', 'Active');
    const suspended = await walk(c.id, 'Suspended');
    expect(suspended.body).toMatchObject({ status: 'Suspended', statusReason: 'moved to Suspended' });
    await walk(c.id, 'Active', 'Closed');
    const events = await op.db.query<{ payload: { event: { customer: { status: string } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'CustomerStateChangeEvent' AND resource_id = $1 ORDER BY seq`,
      [c.id],
    );
    expect(events.rows.map((e) => e.payload.event.customer.status)).toEqual(['Validated', 'Approved', 'Active', 'Suspended', 'Active', 'Closed']);
  });

  it('refuses forbidden jumps with 422 and unknown states with 400', async () => {
    const c = await create();
    for (const status of ['Active', 'Approved', 'Suspended', 'Closed']) {
      const r = await client.patch(`/customer/${c.id}`, { status, statusReason: 'skip' });
      expect(expectError(r, 422, 'status').code).toBe('forbiddenTransition');
    }
    expectError(await client.patch(`/customer/${c.id}`, { status: 'Dormant' }), 400, 'status');
    expectError(await client.patch(`/customer/${c.id}`, { status: null }), 400, 'status');
    const closed = await create({ status: 'Approved' });
    await walk(closed.id, 'Closed');
    expectError(await client.patch(`/customer/${closed.id}`, { status: 'Active' }), 422, 'status');
    const rejected = await create({ status: 'Validated' });
    await walk(rejected.id, 'Rejected');
    expectError(await client.patch(`/customer/${rejected.id}`, { status: 'Validated' }), 422, 'status');
    expect((await client.get<Customer>(`/customer/${c.id}`)).body.status).toBe('Initialized');
  });

  it('creates customers only in the states a channel may register them in', async () => {
    for (const status of ['Initialized', 'Validated', 'Approved']) expect((await client.post('/customer', aCustomer({ status }))).status).toBe(201);
    for (const status of ['Active', 'Suspended', 'Closed', 'Rejected']) expectError(await client.post('/customer', aCustomer({ status, statusReason: 'x' })), 422, 'status');
    expectError(await client.post('/customer', aCustomer({ status: 'active' })), 400, 'status');
  });

  it('requires a statusReason to suspend, reject or close', async () => {
    const c = await create({ status: 'Approved' });
    await walk(c.id, 'Active');
    expectError(await client.patch(`/customer/${c.id}`, { status: 'Suspended' }), 422, 'statusReason');
    expectError(await client.patch(`/customer/${c.id}`, { status: 'Closed', statusReason: '  ' }), 422, 'statusReason');
    const ok = await client.patch(`/customer/${c.id}`, { status: 'Suspended', statusReason: 'Unpaid bills' });
    expect(ok.status).toBe(200);
    const p = await create();
    expectError(await client.patch(`/customer/${p.id}`, { status: 'Rejected' }), 422, 'statusReason');
    expect((await client.patch(`/customer/${p.id}`, { status: 'Rejected', statusReason: 'Identity could not be verified' })).status).toBe(200);
  });

  it('activates a customer only within its validity period', async () => {
    const past = await create({ status: 'Approved', validFor: { startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2021-01-01T00:00:00Z' } });
    expectError(await client.patch(`/customer/${past.id}`, { status: 'Active' }), 422, 'validFor');
    const future = await create({ status: 'Approved', validFor: { startDateTime: '2999-01-01T00:00:00Z' } });
    expectError(await client.patch(`/customer/${future.id}`, { status: 'Active' }), 422, 'validFor');
    const now = await create({ status: 'Approved', validFor: { startDateTime: '2020-01-01T00:00:00Z' } });
    expect((await client.patch(`/customer/${now.id}`, { status: 'Active' })).status).toBe(200);
  });

  it('deletes only customers that never became, or no longer are, a live relationship', async () => {
    const approved = await create({ status: 'Approved' });
    const r = await client.del(`/customer/${approved.id}`);
    expectError(r, 422, 'status');
    const active = await create({ status: 'Approved' });
    await walk(active.id, 'Active');
    expectError(await client.del(`/customer/${active.id}`), 422);
    await walk(active.id, 'Suspended');
    expectError(await client.del(`/customer/${active.id}`), 422);
    expect((await client.get(`/customer/${active.id}`)).status).toBe(200);
    await walk(active.id, 'Closed');
    expect((await client.del(`/customer/${active.id}`)).status).toBe(204);
    const validated = await create({ status: 'Validated' });
    expect((await client.del(`/customer/${validated.id}`)).status).toBe(204);
    const rejected = await create();
    await walk(rejected.id, 'Rejected');
    expect((await client.del(`/customer/${rejected.id}`)).status).toBe(204);
  });
});

describe('TMF629 customer business rules', () => {
  it('requires a name and an engaged individual or organization', async () => {
    const { name: _n, ...noName } = aCustomer();
    expectError(await client.post('/customer', noName), 400, 'name');
    expectError(await client.post('/customer', aCustomer({ name: '   ' })), 400, 'name');
    const { engagedParty: _e, ...noParty } = aCustomer();
    expectError(await client.post('/customer', noParty), 400, 'engagedParty');
    expectError(await client.post('/customer', aCustomer({ engagedParty: { id: 'p1' } })), 400, 'engagedParty.@referredType');
    expectError(await client.post('/customer', aCustomer({ engagedParty: { '@referredType': 'Individual' } })), 400, 'engagedParty.id');
    expectError(await client.post('/customer', aCustomer({ engagedParty: { id: ' ', '@referredType': 'Individual' } })), 422, 'engagedParty.id');
    expectError(await client.post('/customer', aCustomer({ engagedParty: { id: 'p1', '@referredType': 'ProductOffering' } })), 422, 'engagedParty.@referredType');
    expectError(await client.post('/customer', aCustomer({ engagedParty: { id: 'p1', href: 'https://x/party/v4/individual/p2', '@referredType': 'Individual' } })), 422, 'engagedParty.href');
    expect((await client.post('/customer', aCustomer({ engagedParty: { id: 'p1', href: 'https://x/tmf-api/party/v4/individual/p1', '@referredType': 'Individual' } }))).status).toBe(201);
  });

  it('keeps the engaged party of an existing customer', async () => {
    const c = await create();
    const moved = await client.patch(`/customer/${c.id}`, { engagedParty: { id: 'someone-else', '@referredType': 'Individual' } });
    expectError(moved, 422, 'engagedParty');
    expectError(await client.patch(`/customer/${c.id}`, { engagedParty: { '@referredType': 'Organization' } }), 422, 'engagedParty');
    // the party's own details (its name) may be refreshed
    const renamed = await client.patch<Customer>(`/customer/${c.id}`, { engagedParty: { name: 'New name' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.engagedParty.name).toBe('New name');
  });

  it('keeps contact media consistent', async () => {
    const email = (address: string, preferred?: boolean) => ({ mediumType: 'email', ...(preferred === undefined ? {} : { preferred }), characteristic: { emailAddress: address } });
    const twoPreferred = await client.post('/customer', aCustomer({ contactMedium: [email('a@x.example', true), email('b@x.example', true)] }));
    expectError(twoPreferred, 422, 'contactMedium[1].preferred');
    const ok = await client.post<Customer>('/customer', aCustomer({
      contactMedium: [
        email('a@x.example', true), email('b@x.example', false),
        { mediumType: 'phone', preferred: true, characteristic: { phoneNumber: '+44 20 7946 0000', contactType: 'mobile' } },
        { mediumType: 'postalAddress', characteristic: { street1: '1 Main Street', city: 'Dublin', country: 'IE' } },
      ],
    }));
    expect(ok.status).toBe(201);
    expectError(await client.patch(`/customer/${ok.body.id}`, { contactMedium: [email('a@x.example', true), email('c@x.example', true)] }), 422, 'contactMedium[1].preferred');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ mediumType: 'email', characteristic: {} }] })), 422, 'contactMedium[0].characteristic.emailAddress');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [email('not-an-address')] })), 422, 'contactMedium[0].characteristic.emailAddress');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ mediumType: 'phone', characteristic: { phoneNumber: 'call me' } }] })), 422, 'contactMedium[0].characteristic.phoneNumber');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ mediumType: 'postalAddress', characteristic: { country: 'FR' } }] })), 422, 'contactMedium[0].characteristic');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ characteristic: { emailAddress: 'a@x.example' } }] })), 400, 'contactMedium[0].mediumType');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ mediumType: 'email' }] })), 400, 'contactMedium[0].characteristic');
    expectError(await client.post('/customer', aCustomer({
      contactMedium: [{ ...email('a@x.example'), validFor: { startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }],
    })), 422, 'contactMedium[0].validFor.endDateTime');
    expectError(await client.post('/customer', aCustomer({ contactMedium: [{ ...email('a@x.example'), preferred: 'yes' }] })), 400, 'contactMedium[0].preferred');
  });

  it('requires unique characteristic names and a value for each', async () => {
    expectError(await client.post('/customer', aCustomer({ characteristic: [{ name: 'segment', value: 'gold' }, { name: 'segment', value: 'silver' }] })), 422, 'characteristic[1].name');
    expectError(await client.post('/customer', aCustomer({ characteristic: [{ name: 'segment' }] })), 400, 'characteristic[0].value');
    const ok = await client.post<Customer>('/customer', aCustomer({ characteristic: [{ name: 'segment', value: 'gold' }, { name: 'churnRisk', valueType: 'number', value: 0.2 }] }));
    expect(ok.status).toBe(201);
    expect((await client.get<Customer[]>('/customer?characteristic.name=churnRisk')).body.map((x) => x.id)).toContain(ok.body.id);
  });

  it('requires well-formed account, agreement and payment method references', async () => {
    expectError(await client.post('/customer', aCustomer({ account: [{ name: 'Billing' }] })), 422, 'account[0].id');
    expectError(await client.post('/customer', aCustomer({ account: [{ id: 'ba-1' }] })), 400, 'account[0].name');
    expectError(await client.post('/customer', aCustomer({ agreement: [{ name: 'SLA' }] })), 400, 'agreement[0].id');
    expectError(await client.post('/customer', aCustomer({ agreement: [{ id: 'ag-1' }, { id: 'ag-1' }] })), 422, 'agreement[1].id');
    expectError(await client.post('/customer', aCustomer({ paymentMethod: [{ id: 'pm-1', href: 'https://x/paymentMethods/v4/paymentMethod/pm-2' }] })), 422, 'paymentMethod[0].href');
    const ok = await client.post<Customer>('/customer', aCustomer({
      account: [{ id: 'ba-1', name: 'Main billing account', href: 'https://x/tmf-api/accountManagement/v4/billingAccount/ba-1', '@referredType': 'BillingAccount' }],
      agreement: [{ id: 'ag-1', name: 'Enterprise SLA' }],
      paymentMethod: [{ id: 'pm-1', name: 'Direct debit', '@referredType': 'BankAccountDebit' }],
    }));
    expect(ok.status).toBe(201);
    expect((await client.get<Customer[]>('/customer?account.id=ba-1')).body.map((x) => x.id)).toContain(ok.body.id);
  });

  it('requires credit profiles with integer scores, a date in the past and a validity period', async () => {
    const profile = (extra: Record<string, unknown> = {}) => ({ creditProfileDate: '2024-03-01T00:00:00Z', creditScore: 720, creditRiskRating: 2, validFor: { startDateTime: '2024-03-01T00:00:00Z' }, ...extra });
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ creditScore: 720.5 })] })), 400, 'creditProfile[0].creditScore');
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ creditRiskRating: '2' })] })), 400, 'creditProfile[0].creditRiskRating');
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ creditScore: -1 })] })), 422, 'creditProfile[0].creditScore');
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ creditProfileDate: '2999-01-01T00:00:00Z' })] })), 422, 'creditProfile[0].creditProfileDate');
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ creditProfileDate: 'last week' })] })), 400, 'creditProfile[0].creditProfileDate');
    const { validFor: _v, ...noPeriod } = profile();
    expectError(await client.post('/customer', aCustomer({ creditProfile: [noPeriod] })), 400, 'creditProfile[0].validFor');
    expectError(await client.post('/customer', aCustomer({ creditProfile: [profile({ validFor: { startDateTime: '2024-03-01T00:00:00Z', endDateTime: '2024-03-01T00:00:00Z' } })] })), 422, 'creditProfile[0].validFor.endDateTime');
    expect((await client.post('/customer', aCustomer({ creditProfile: [profile()] }))).status).toBe(201);
  });

  it('requires related parties to be identified, typed and listed once per role', async () => {
    expectError(await client.post('/customer', aCustomer({ relatedParty: [{ id: 'x', role: 'contact' }] })), 400, 'relatedParty[0].@referredType');
    const dup = [{ id: 'x', '@referredType': 'Individual', role: 'contact' }, { id: 'x', '@referredType': 'Individual', role: 'contact' }];
    expectError(await client.post('/customer', aCustomer({ relatedParty: dup })), 422, 'relatedParty[1]');
    expect((await client.post('/customer', aCustomer({ relatedParty: [dup[0], { ...dup[1], role: 'billing contact' }] }))).status).toBe(201);
  });

  it('requires validFor to end after it starts and date-times to be date-times', async () => {
    expectError(await client.post('/customer', aCustomer({ validFor: { startDateTime: '2024-06-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } })), 422, 'validFor.endDateTime');
    expectError(await client.post('/customer', aCustomer({ validFor: { startDateTime: 'tomorrow' } })), 400, 'validFor.startDateTime');
  });

  it('never stores an invalid customer, nor a change that breaks a rule', async () => {
    const c = await create({ contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'keep@x.example' } }] });
    const before = await count();
    const bad = [
      aCustomer({ engagedParty: { id: 'p', '@referredType': 'Product' } }),
      aCustomer({ characteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] }),
      aCustomer({ status: 'Active' }),
      aCustomer({ creditProfile: [{ creditProfileDate: '2024-01-01T00:00:00Z', creditScore: 1.5, validFor: {} }] }),
      [aCustomer()],
    ];
    for (const b of bad) expect((await client.post('/customer', b)).status).toBeGreaterThanOrEqual(400);
    expectError(await client.post('/customer', aCustomer(), { 'content-type': 'text/plain' }), 415);
    expect(await count()).toBe(before);
    const stored = await op.db.query<{ version: number; doc: unknown }>('SELECT version, doc FROM customer WHERE id = $1', [c.id]);
    expectError(await client.patch(`/customer/${c.id}`, { contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'broken' } }] }), 422);
    expectError(await client.patch(`/customer/${c.id}`, { status: 'Closed', statusReason: 'x' }), 422);
    const after = await op.db.query<{ version: number; doc: unknown }>('SELECT version, doc FROM customer WHERE id = $1', [c.id]);
    expect(after.rows[0]).toEqual(stored.rows[0]);
  });
});

describe('TMF629 customer filters are served by indexes', () => {
  it('uses the name and status columns and the document index for nested filters', async () => {
    const table = new DocumentTable({ table: 'customer', statusAttribute: 'status' });
    const plan = async (filter: Filter) => {
      const params: unknown[] = [];
      const where = table.where([filter], params);
      return op.db.tx(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM customer ${where}`, params);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    };
    expect(await plan({ path: ['name'], op: 'eq', values: ['Moon Football Club'] })).toContain('customer_name');
    expect(await plan({ path: ['status'], op: 'eq', values: ['Active'] })).toContain('customer_status');
    expect(await plan({ path: ['engagedParty', 'id'], op: 'eq', values: ['org-moon'] })).toContain('customer_doc');
    expect(await plan({ path: ['relatedParty', 'id'], op: 'eq', values: ['am-7'] })).toContain('customer_doc');
  });
});

describe('API documentation', () => {
  it('documents every operation and the hub at /docs', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/tmf-api/customerManagement/v4/customer'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/tmf-api/customerManagement/v4/customer/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/tmf-api/customerManagement/v4/hub'] ?? {})).toContain('post');
  });
});

describe('conformance to the official TMF629 v4 specification', () => {
  it('serves the hub and publishes events that validate against the spec', async () => {
    const hub = await client.post<Listener>('/hub', { callback: 'http://127.0.0.1:9/listener' });
    expect(hub.status).toBe(201);
    expect((await client.get(`/hub/${hub.body.id}`)).body).toEqual(hub.body);
    expect((await client.del(`/hub/${hub.body.id}`)).status).toBe(204);
    expectError(await client.post('/hub', { callback: 'not a url' }), 400, 'callback');

    const c = await create({ status: 'Approved' });
    await client.patch(`/customer/${c.id}`, { name: 'Evented' });
    await walk(c.id, 'Closed');
    expect((await client.del(`/customer/${c.id}`)).status).toBe(204);
    const events = await op.db.query<{ event_type: string; payload: { event: { customer: { id: string } } } }>(
      `SELECT event_type, payload FROM outbox WHERE api = 'customerManagement' ORDER BY seq`,
    );
    const types = new Set(events.rows.map((e) => e.event_type));
    expect([...types].sort()).toEqual(['CustomerAttributeValueChangeEvent', 'CustomerCreateEvent', 'CustomerDeleteEvent', 'CustomerStateChangeEvent']);
    for (const e of events.rows) expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
    const mine = events.rows.filter((e) => e.payload.event.customer.id === c.id).map((e) => e.event_type);
    // closing also sets statusReason: one state change and one attribute change
    expect(mine).toEqual(['CustomerCreateEvent', 'CustomerAttributeValueChangeEvent', 'CustomerStateChangeEvent', 'CustomerAttributeValueChangeEvent', 'CustomerDeleteEvent']);
  });

  it('returns spec-valid bodies for a customer with every attribute', async () => {
    const full = await client.post<Customer>('/customer', {
      name: 'Every Attribute Ltd',
      status: 'Validated',
      statusReason: 'Documents checked',
      validFor: { startDateTime: '2024-01-01T00:00:00Z', endDateTime: '2034-01-01T00:00:00Z' },
      engagedParty: { id: 'org-all', href: 'https://party.example/tmf-api/party/v4/organization/org-all', name: 'Every Attribute Ltd', '@referredType': 'Organization' },
      account: [{ id: 'ba-9', name: 'Billing', description: 'Monthly invoices', '@referredType': 'BillingAccount' }],
      agreement: [{ id: 'ag-9', name: 'Frame agreement' }],
      paymentMethod: [{ id: 'pm-9', name: 'Card', '@referredType': 'BankCard' }],
      characteristic: [{ name: 'segment', valueType: 'string', value: 'enterprise' }, { name: 'employees', value: 250 }],
      contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'it@all.example', contactType: 'work' }, validFor: { startDateTime: '2024-01-01T00:00:00Z' } }],
      creditProfile: [{ creditProfileDate: '2024-01-02T00:00:00Z', creditRiskRating: 1, creditScore: 810, validFor: { startDateTime: '2024-01-02T00:00:00Z', endDateTime: '2025-01-02T00:00:00Z' } }],
      relatedParty: [{ id: 'ind-5', name: 'Ann Manager', role: 'accountManager', '@referredType': 'Individual' }],
    });
    expect(full.status).toBe(201);
    expect(full.body.creditProfile?.[0]?.creditScore).toBe(810);
    await client.get(`/customer/${full.body.id}`);
    await client.get('/customer');
    await client.get('/customer?fields=name,status');
    await client.patch(`/customer/${full.body.id}`, { status: 'Approved' });
    expectError(await client.patch(`/customer/${full.body.id}`, { status: 'Active' }, { 'if-match': '"1"' }), 412);
  });
});

describe('TM Forum conformance kit TMF629', () => {
  it('passes with zero failed assertions', async () => {
    const r = await runCtk('TMF629', client.baseUrl);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.assertions).toBeGreaterThan(50);
  });
});
