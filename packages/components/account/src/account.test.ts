import { describe, expect, it } from 'vitest';
import { billingAccountLifecycle } from './index.ts';
import { client, op, refused, withAccountOperon, type Account, type Financial } from './test-api.ts';

withAccountOperon();

const party = (id: string, name = `Party ${id}`) => ({ id, name, role: 'owner', '@referredType': 'Organization' });
const since = (startDateTime: string, endDateTime?: string) => ({ startDateTime, ...(endDateTime ? { endDateTime } : {}) });
const balance = (value: number, unit = 'EUR', balanceType = 'receivable', validFor: Record<string, string> = since('2024-01-01T00:00:00Z')) =>
  ({ balanceType, amount: { unit, value }, validFor });

async function stored<T = Account>(path: string, id: string): Promise<T> {
  return (await client.get<T>(`/${path}/${id}`)).body;
}

describe.each(['partyAccount', 'billingAccount', 'settlementAccount'])('%s', (path) => {
  const type = path.charAt(0).toUpperCase() + path.slice(1);

  it('is created Active with server-set attributes, retrieved, listed and filtered', async () => {
    const r = await client.post<Account>(`/${path}`, { name: `Acme ${path}`, accountType: 'B2B', relatedParty: [party('org-acme', 'Acme')], creditLimit: { unit: 'EUR', value: 2000 } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ '@type': type, state: 'Active', name: `Acme ${path}` });
    expect(r.body['@baseType']).toBe(path === 'partyAccount' ? 'Account' : 'PartyAccount');
    expect(r.body.href).toBe(`${client.baseUrl}/${path}/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(Date.parse(r.body.lastModified)).not.toBeNaN();

    const got = await client.get<Account>(`/${path}/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    expect(got.headers.get('etag')).toBe('"1"');

    await client.post(`/${path}`, { name: `Other ${path}`, relatedParty: [party('org-other')], state: 'Pending' });
    const byParty = await client.get<Account[]>(`/${path}?relatedParty.id=org-acme`);
    expect(byParty.body.map((a) => a.id)).toEqual([r.body.id]);
    const pending = await client.get<Account[]>(`/${path}?state=Pending`);
    expect(pending.body.map((a) => a.name)).toEqual([`Other ${path}`]);
    const big = await client.get<Account[]>(`/${path}?creditLimit.value.gte=1000&fields=name,creditLimit`);
    expect(big.body).toEqual([{ id: r.body.id, href: r.body.href, '@type': type, name: `Acme ${path}`, creditLimit: { unit: 'EUR', value: 2000 } }]);
    const all = await client.get<Account[]>(`/${path}?sort=name&limit=1`);
    expect(all.status).toBe(206);
    expect(all.headers.get('x-total-count')).toBe('2');
    expect((await client.get(`/${path}?colour=red`)).status).toBe(400);
  });

  it('is patched with a merge patch or a JSON Patch, honouring If-Match', async () => {
    const r = await client.post<Account>(`/${path}`, { name: 'Patchable', relatedParty: [party('org-p')] });
    const merged = await client.patch<Account>(`/${path}/${r.body.id}`, { description: 'Main account', paymentStatus: 'due' });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ description: 'Main account', paymentStatus: 'due', name: 'Patchable' });
    expect(Date.parse(merged.body.lastModified)).toBeGreaterThanOrEqual(Date.parse(r.body.lastModified));
    const json = await client.jsonPatch<Account>(`/${path}/${r.body.id}`, [{ op: 'add', path: '/relatedParty/-', value: party('ind-payer', 'Payer') }]);
    expect(json.status).toBe(200);
    expect(json.body.relatedParty).toHaveLength(2);
    const stale = await client.patch(`/${path}/${r.body.id}`, { description: 'stale' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect((await stored(path, r.body.id)).description).toBe('Main account');
    expect((await client.patch(`/${path}/nope`, { description: 'x' })).status).toBe(404);
  });

  it('is deleted only when never used (Pending) or Closed', async () => {
    const active = await client.post<Account>(`/${path}`, { name: 'In use', relatedParty: [party('org-d')] });
    refused(await client.del(`/${path}/${active.body.id}`), 422, 'state');
    const pending = await client.post<Account>(`/${path}`, { name: 'Abandoned', relatedParty: [party('org-d')], state: 'Pending' });
    expect((await client.del(`/${path}/${pending.body.id}`)).status).toBe(204);
    expect((await client.get(`/${path}/${pending.body.id}`)).status).toBe(404);
    expect((await client.patch(`/${path}/${active.body.id}`, { state: 'Closed' })).status).toBe(200);
    expect((await client.del(`/${path}/${active.body.id}`)).status).toBe(204);
  });
});

describe('account lifecycle', () => {
  it('moves Active → Suspended → Active → Closed and refuses to leave Closed', async () => {
    const a = await client.post<Account>('/billingAccount', { name: 'Lifecycle', relatedParty: [party('org-l')] });
    const id = a.body.id as string;
    for (const state of ['Suspended', 'Active', 'Suspended', 'Closed']) {
      const r = await client.patch<Account>(`/billingAccount/${id}`, { state });
      expect(r.status, `${state}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.state).toBe(state);
    }
    for (const state of ['Active', 'Suspended', 'Pending']) {
      const r = await client.patch(`/billingAccount/${id}`, { state });
      expect(refused(r, 422, 'state').code).toBe('forbiddenTransition');
    }
    expect((await stored('billingAccount', id)).state).toBe('Closed');
    const events = await op.db.query<{ payload: { event: { billingAccount: { state: string } } } }>(
      `SELECT payload FROM outbox WHERE event_type = 'BillingAccountStateChangeEvent' AND resource_id = $1 ORDER BY seq`, [id],
    );
    expect(events.rows.map((e) => e.payload.event.billingAccount.state)).toEqual(['Suspended', 'Active', 'Suspended', 'Closed']);
  });

  it('starts Pending or Active only, goes from Pending to Active, never back to Pending', async () => {
    refused(await client.post('/billingAccount', { name: 'x', relatedParty: [party('o')], state: 'Suspended' }), 422, 'state');
    refused(await client.post('/billingAccount', { name: 'x', relatedParty: [party('o')], state: 'Closed' }), 422, 'state');
    refused(await client.post('/billingAccount', { name: 'x', relatedParty: [party('o')], state: 'active' }), 400, 'state');
    const p = await client.post<Account>('/billingAccount', { name: 'Onboarding', relatedParty: [party('o')], state: 'Pending' });
    refused(await client.patch(`/billingAccount/${p.body.id}`, { state: 'Suspended' }), 422, 'state');
    expect((await client.patch(`/billingAccount/${p.body.id}`, { state: 'Active' })).status).toBe(200);
    refused(await client.patch(`/billingAccount/${p.body.id}`, { state: 'Pending' }), 422, 'state');
    refused(await client.patch(`/billingAccount/${p.body.id}`, { state: 'Frozen' }), 400, 'state');
    expect(billingAccountLifecycle.next('Suspended')).toEqual(['Active', 'Closed']);
  });

  it('keeps a Closed account as it was, except balances, payment status and contacts', async () => {
    const a = await client.post<Account>('/billingAccount', { name: 'Closing', relatedParty: [party('org-c')], creditLimit: { unit: 'EUR', value: 100 }, accountBalance: [balance(40)] });
    const closed = await client.patch<Account>(`/billingAccount/${a.body.id}`, { state: 'Closed' });
    expect(closed.status).toBe(200);
    // closing changes the state (and the modification time), nothing else
    const { state: _s, lastModified: _l, ...rest } = closed.body;
    const { state: _s0, lastModified: _l0, ...restBefore } = a.body;
    expect(rest).toEqual(restBefore);
    refused(await client.patch(`/billingAccount/${a.body.id}`, { name: 'Renamed' }), 422, 'name');
    refused(await client.patch(`/billingAccount/${a.body.id}`, { creditLimit: { unit: 'EUR', value: 900 } }), 422, 'creditLimit');
    refused(await client.patch(`/billingAccount/${a.body.id}`, { billStructure: { format: { isRef: true, id: 'x', name: 'x' } } }), 422, 'billStructure');
    const status = await client.patch<Account>(`/billingAccount/${a.body.id}`, {
      paymentStatus: 'in arrears',
      contact: [{ contactType: 'collections', contactName: 'Agency', validFor: since('2025-01-01T00:00:00Z') }],
    });
    expect(status.status).toBe(200);
    expect((await stored('billingAccount', a.body.id)).name).toBe('Closing');
    // a balance is still owed: the account stays for collections
    refused(await client.del(`/billingAccount/${a.body.id}`), 422, 'accountBalance[0]');
  });

  it('lets a Closed account go once its balances are settled or past', async () => {
    const a = await client.post<Account>('/billingAccount', {
      name: 'Settled', relatedParty: [party('org-s')], state: 'Pending',
      accountBalance: [balance(0), balance(75, 'EUR', 'deposit', since('2023-01-01T00:00:00Z', '2023-12-31T00:00:00Z'))],
    });
    expect((await client.patch(`/billingAccount/${a.body.id}`, { state: 'Closed' })).status).toBe(200);
    expect((await client.del(`/billingAccount/${a.body.id}`)).status).toBe(204);
    const events = await op.db.query(`SELECT 1 FROM outbox WHERE event_type = 'BillingAccountDeleteEvent' AND resource_id = $1`, [a.body.id]);
    expect(events.rowCount).toBe(1);
  });
});

describe('account validation', () => {
  it('requires a name and at least one related party with id, name and @referredType', async () => {
    refused(await client.post('/billingAccount', { relatedParty: [party('o')] }), 400, 'name');
    refused(await client.post('/billingAccount', { name: '', relatedParty: [party('o')] }), 400, 'name');
    refused(await client.post('/billingAccount', { name: 'No party' }), 400, 'relatedParty');
    refused(await client.post('/billingAccount', { name: 'Empty', relatedParty: [] }), 400, 'relatedParty');
    refused(await client.post('/billingAccount', { name: 'Nameless party', relatedParty: [{ id: 'o', '@referredType': 'Individual' }] }), 400, 'relatedParty[0].name');
    refused(await client.post('/billingAccount', { name: 'Untyped party', relatedParty: [{ id: 'o', name: 'O' }] }), 400, 'relatedParty[0].@referredType');
    // a financial account stands on its own
    expect((await client.post('/financialAccount', { name: 'AR' })).status).toBe(201);
    const a = await client.post<Account>('/billingAccount', { name: 'Keeps its party', relatedParty: [party('o')] });
    refused(await client.patch(`/billingAccount/${a.body.id}`, { relatedParty: [] }), 400, 'relatedParty');
    refused(await client.patch(`/billingAccount/${a.body.id}`, { relatedParty: null }), 400, 'relatedParty');
    expect((await stored('billingAccount', a.body.id)).relatedParty).toHaveLength(1);
  });

  it('refuses malformed attributes, unknown ones and server-set ones', async () => {
    const ok = { name: 'Typed', relatedParty: [party('o')] };
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'EUR', value: 'lots' } }), 400, 'creditLimit.value');
    refused(await client.post('/billingAccount', { ...ok, accountBalance: [{ balanceType: 'receivable', amount: { unit: 'EUR', value: 1 } }] }), 400, 'accountBalance[0].validFor');
    refused(await client.post('/billingAccount', { ...ok, contact: [{ contactName: 'x', validFor: since('2024-01-01T00:00:00Z') }] }), 400, 'contact[0].contactType');
    refused(await client.post('/billingAccount', { ...ok, taxExemption: [{ validFor: {} }] }), 400, 'taxExemption[0].issuingJurisdiction');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { format: { id: 'bf' } } }), 400, 'billStructure.format');
    refused(await client.post('/billingAccount', { ...ok, paymentPlan: [{ numberOfPayments: 2.5 }] }), 400, 'paymentPlan[0].numberOfPayments');
    refused(await client.post('/billingAccount', { ...ok, validFor: since('2024-01-01T00:00:00Z') }), 400, 'validFor');
    refused(await client.post('/billingAccount', { ...ok, lastModified: '2020-01-01T00:00:00Z' }), 400, 'lastModified');
    refused(await client.post('/billingAccount', { ...ok, id: 'mine' }), 400, 'id');
    refused(await client.post('/billingAccount', { ...ok, contact: [{ contactType: 'x', validFor: { startDateTime: 'soon' } }] }), 400, 'contact[0].validFor.startDateTime');
    const list = await client.get<Account[]>('/billingAccount?name=Typed');
    expect(list.body).toEqual([]);
  });

  it('keeps every amount of an account valid and in one currency', async () => {
    const ok = { name: 'Money', relatedParty: [party('o')] };
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'EUR', value: -1 } }), 422, 'creditLimit.value');
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'eur', value: 10 } }), 422, 'creditLimit.unit');
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { value: 10 } }), 422, 'creditLimit.unit');
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'EUR', value: 10 }, accountBalance: [balance(5, 'USD')] }), 422, 'accountBalance[0].amount.unit');
    refused(await client.post('/billingAccount', { ...ok, accountBalance: [balance(5), balance(1, 'EUR', 'deposit'), balance(2, 'GBP', 'loyalty')] }), 422, 'accountBalance[2].amount.unit');
    refused(await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'EUR', value: 10 }, paymentPlan: [{ numberOfPayments: 2, totalAmount: { unit: 'USD', value: 10 } }] }), 422, 'paymentPlan[0].totalAmount.unit');
    refused(await client.post('/billingAccount', { ...ok, paymentPlan: [{ numberOfPayments: 0 }] }), 422, 'paymentPlan[0].numberOfPayments');
    refused(await client.post('/billingAccount', { ...ok, paymentPlan: [{ numberOfPayments: 3, totalAmount: { unit: 'EUR', value: -30 } }] }), 422, 'paymentPlan[0].totalAmount.value');
    expect((await client.get<Account[]>('/billingAccount?name=Money')).body).toEqual([]);
    // a credit in the customer's favour is a negative receivable balance
    const credit = await client.post('/billingAccount', { ...ok, creditLimit: { unit: 'EUR', value: 0 }, accountBalance: [balance(-12.5), balance(50, 'EUR', 'deposit')] });
    expect(credit.status).toBe(201);
    const fa = await client.post<Financial>('/financialAccount', { name: 'AR', creditLimit: { unit: 'EUR', value: 10 } });
    refused(await client.patch(`/financialAccount/${fa.body.id}`, { accountBalance: [balance(3, 'CHF')] }), 422, 'accountBalance[0].amount.unit');
    expect((await stored('financialAccount', fa.body.id)).accountBalance).toBeUndefined();
  });

  it('allows one balance of a type at a time', async () => {
    const ok = { name: 'Balances', relatedParty: [party('o')] };
    refused(await client.post('/billingAccount', { ...ok, accountBalance: [balance(1), balance(2)] }), 422, 'accountBalance[1].validFor');
    refused(await client.post('/billingAccount', {
      ...ok, accountBalance: [balance(1, 'EUR', 'receivable', since('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')), balance(2, 'EUR', 'receivable', since('2024-01-15T00:00:00Z'))],
    }), 422, 'accountBalance[1].validFor');
    const history = await client.post('/billingAccount', {
      ...ok, accountBalance: [balance(1, 'EUR', 'receivable', since('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')), balance(2, 'EUR', 'receivable', since('2024-02-01T00:00:00Z')), balance(9, 'EUR', 'deposit')],
    });
    expect(history.status).toBe(201);
  });

  it('refuses periods that end before they start, wherever they are', async () => {
    const ok = { name: 'Periods', relatedParty: [party('o')] };
    const backwards = since('2024-02-01T00:00:00Z', '2024-01-01T00:00:00Z');
    refused(await client.post('/billingAccount', { ...ok, contact: [{ contactType: 'primary', validFor: backwards }] }), 422, 'contact[0].validFor.endDateTime');
    refused(await client.post('/billingAccount', { ...ok, taxExemption: [{ issuingJurisdiction: 'FR', validFor: backwards }] }), 422, 'taxExemption[0].validFor.endDateTime');
    refused(await client.post('/billingAccount', { ...ok, contact: [{ contactType: 'primary', validFor: {}, contactMedium: [{ mediumType: 'email', validFor: backwards }] }] }), 422, 'contact[0].contactMedium[0].validFor.endDateTime');
  });

  it('does not relate an account to itself', async () => {
    const a = await client.post<Account>('/settlementAccount', { name: 'Partner', relatedParty: [party('partner')] });
    const other = await client.post<Account>('/settlementAccount', { name: 'Partner HQ', relatedParty: [party('partner')] });
    refused(await client.patch(`/settlementAccount/${a.body.id}`, {
      accountRelationship: [{ relationshipType: 'parent', account: { id: a.body.id }, validFor: since('2024-01-01T00:00:00Z') }],
    }), 422, 'accountRelationship[0].account.id');
    const linked = await client.patch(`/settlementAccount/${a.body.id}`, {
      accountRelationship: [{ relationshipType: 'parent', account: { id: other.body.id, name: 'Partner HQ' }, validFor: since('2024-01-01T00:00:00Z') }],
    });
    expect(linked.status).toBe(200);
    const children = await client.get<Account[]>(`/settlementAccount?accountRelationship.account.id=${other.body.id}`);
    expect(children.body.map((c) => c.id)).toEqual([a.body.id]);
  });

  it('leaves party account balances to billing: not editable over PATCH, but through the service', async () => {
    const a = await client.post<Account>('/billingAccount', { name: 'Balance', relatedParty: [party('o')], accountBalance: [balance(10)] });
    refused(await client.patch(`/billingAccount/${a.body.id}`, { accountBalance: [balance(0)] }), 400, 'accountBalance');
    const svc = op.runtime.services.get('accountManagement')!.get('billingAccount')!;
    await svc.update(a.body.id, (doc) => ({ ...doc, accountBalance: [balance(0)] }), op.runtime.systemContext);
    expect((await stored('billingAccount', a.body.id)).accountBalance?.[0]?.amount.value).toBe(0);
    // the financial account's balance is maintained by its clients (TMF666 allows it in updates)
    const fa = await client.post<Financial>('/financialAccount', { name: 'AR', accountBalance: [balance(10)] });
    const patched = await client.patch<Financial>(`/financialAccount/${fa.body.id}`, { accountBalance: [balance(4)] });
    expect(patched.status).toBe(200);
    expect(patched.body.accountBalance?.[0]?.amount.value).toBe(4);
  });
});

describe('financial accounts', () => {
  it('are created, listed, patched, suspended and deleted', async () => {
    const fa = await client.post<Financial>('/financialAccount', { name: 'Receivables Acme', accountType: 'receivable', relatedParty: [party('org-fa')] });
    expect(fa.status).toBe(201);
    expect(fa.body).toMatchObject({ '@type': 'FinancialAccount', '@baseType': 'Account', state: 'Active' });
    const list = await client.get<Financial[]>('/financialAccount?accountType=receivable&relatedParty.id=org-fa');
    expect(list.body.map((f) => f.id)).toEqual([fa.body.id]);
    expect((await client.patch<Financial>(`/financialAccount/${fa.body.id}`, { state: 'Suspended', description: 'On hold' })).body).toMatchObject({ state: 'Suspended', description: 'On hold' });
    refused(await client.del(`/financialAccount/${fa.body.id}`), 422, 'state');
    expect((await client.patch(`/financialAccount/${fa.body.id}`, { state: 'Closed' })).status).toBe(200);
    expect((await client.del(`/financialAccount/${fa.body.id}`)).status).toBe(204);
  });

  it('stay open while open accounts roll up into them, and take no new accounts once closed', async () => {
    const fa = await client.post<Financial>('/financialAccount', { name: 'Receivables Beta' });
    const ref = { id: fa.body.id, name: 'Receivables Beta' };
    const ba = await client.post<Account>('/billingAccount', { name: 'Beta billing', relatedParty: [party('beta')], financialAccount: ref });
    const sa = await client.post<Account>('/settlementAccount', { name: 'Beta settlement', relatedParty: [party('beta')], financialAccount: ref });
    expect([ba.status, sa.status]).toEqual([201, 201]);
    const refusedClose = await client.patch(`/financialAccount/${fa.body.id}`, { state: 'Closed' });
    expect(refused(refusedClose, 422, 'state').message).toContain('2 account(s)');
    await client.patch(`/billingAccount/${ba.body.id}`, { state: 'Closed' });
    await client.patch(`/settlementAccount/${sa.body.id}`, { state: 'Closed' });
    expect((await client.patch(`/financialAccount/${fa.body.id}`, { state: 'Closed' })).status).toBe(200);
    refused(await client.post('/billingAccount', { name: 'Late', relatedParty: [party('beta')], financialAccount: ref }), 422, 'financialAccount.id');
    // still referred to by the closed accounts: their history must keep pointing somewhere
    expect((await client.del(`/financialAccount/${fa.body.id}`)).status).toBe(409);
    // references to financial accounts held elsewhere are accepted
    expect((await client.post('/billingAccount', { name: 'Federated', relatedParty: [party('beta')], financialAccount: { id: 'ar-in-erp' } })).status).toBe(201);
  });

  it('never end up Closed with an open account attached, however requests interleave', async () => {
    for (let round = 0; round < 12; round++) {
      const fa = await client.post<Financial>('/financialAccount', { name: `Race ${round}` });
      const [ba, close] = await Promise.all([
        client.post('/billingAccount', { name: `Racer ${round}`, relatedParty: [party('racer')], financialAccount: { id: fa.body.id } }),
        client.patch(`/financialAccount/${fa.body.id}`, { state: 'Closed' }),
      ]);
      // exactly one of the two wins: the account is attached and closing is refused, or the other way round
      expect(['201/422', '422/200'], `round ${round}`).toContain(`${ba.status}/${close.status}`);
    }
  });
});
