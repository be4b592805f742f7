import { describe, expect, it } from 'vitest';
import { loadSpec, runCtk } from '@operon/tmf/testing';
import { client, op, withAccountOperon } from './test-api.ts';

/** Any TMF666 resource: the bodies are checked against their definitions, read only for their id. */
type Resource = { id: string } & Record<string, unknown>;

withAccountOperon();

const period = { startDateTime: '2024-01-01T00:00:00Z' };
const owner = { id: 'p-1', name: 'Jean Dupont', role: 'owner', '@referredType': 'Individual' };

/** A party account using every attribute of the TMF666 _Create definition. */
function fullPartyAccount(name: string) {
  return {
    name,
    accountType: 'B2C',
    description: 'Everything a party account can carry',
    paymentStatus: 'paid',
    state: 'Active',
    accountBalance: [{ balanceType: 'receivable', amount: { unit: 'EUR', value: 12.5 }, validFor: period }],
    accountRelationship: [{ relationshipType: 'parent', account: { id: 'acc-parent', name: 'Head office', '@referredType': 'BillingAccount' }, validFor: period }],
    billStructure: {
      cycleSpecification: { isRef: false, name: 'Monthly, 5th', frequency: 'monthly', billingDateShift: 4, chargeDateOffset: 3, creditDateOffset: 3, mailingDateOffset: 5, paymentDueDateOffset: 19, validFor: period },
      format: { isRef: true, id: 'bf-1', name: 'Detailed', '@referredType': 'BillFormat' },
      presentationMedia: [{ isRef: true, id: 'bpm-1', name: 'Email' }, { isRef: false, name: 'Paper', description: 'Posted' }],
    },
    contact: [{
      contactType: 'primary', contactName: 'Jean Dupont', partyRoleType: 'account holder', validFor: period, relatedParty: owner,
      contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'jean@example.com' }, validFor: period }],
    }],
    creditLimit: { unit: 'EUR', value: 500 },
    defaultPaymentMethod: { id: 'pm-1', name: 'Direct debit', '@referredType': 'BankAccountDebit' },
    financialAccount: { id: 'fa-unknown', name: 'Receivables', accountBalance: { balanceType: 'receivable', amount: { unit: 'EUR', value: 12.5 }, validFor: period } },
    paymentPlan: [{ numberOfPayments: 3, paymentFrequency: 'monthly', planType: 'instalment', priority: 1, status: 'effective', paymentMethod: { id: 'pm-1' }, totalAmount: { unit: 'EUR', value: 90 }, validFor: period }],
    relatedParty: [owner],
    taxExemption: [{ certificateNumber: 'TX-1', issuingJurisdiction: 'FR', reason: 'charity', validFor: period }],
  };
}

describe('conformance to the official TMF666 v4 specification', () => {
  it('every response body and event validates', async () => {
    const spec = loadSpec('TMF666');
    expect(spec.basePath).toBe('/tmf-api/accountManagement/v4');

    const created: Array<[string, string, Resource]> = [];
    for (const [path, def] of [['partyAccount', 'PartyAccount'], ['billingAccount', 'BillingAccount'], ['settlementAccount', 'SettlementAccount']] as const) {
      const r = await client.post<Resource>(`/${path}`, fullPartyAccount(`Full ${def}`));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      created.push([path, def, r.body]);
    }
    const fa = await client.post<Resource>('/financialAccount', {
      name: 'Receivables of Jean', accountType: 'receivable', description: 'AR', state: 'Active',
      accountBalance: [{ balanceType: 'receivable', amount: { unit: 'EUR', value: 0 }, validFor: period }],
      accountRelationship: [], contact: [], creditLimit: { unit: 'EUR', value: 1000 }, relatedParty: [owner],
      taxExemption: [{ issuingJurisdiction: 'FR', validFor: period }],
    });
    expect(fa.status, JSON.stringify(fa.body)).toBe(201);
    created.push(['financialAccount', 'FinancialAccount', fa.body]);
    const bcs = await client.post<Resource>('/billingCycleSpecification', {
      name: 'Monthly', description: 'Billed on the 1st', frequency: 'monthly', billingPeriod: 'month', billingDateShift: 0,
      chargeDateOffset: 0, creditDateOffset: 0, mailingDateOffset: 2, paymentDueDateOffset: 15, validFor: period,
    });
    expect(bcs.status, JSON.stringify(bcs.body)).toBe(201);
    created.push(['billingCycleSpecification', 'BillingCycleSpecification', bcs.body]);
    const bf = await client.post<Resource>('/billFormat', { name: 'Summary', description: 'One page' });
    created.push(['billFormat', 'BillFormat', bf.body]);
    const bpm = await client.post<Resource>('/billPresentationMedia', { name: 'Email', description: 'PDF by email' });
    created.push(['billPresentationMedia', 'BillPresentationMedia', bpm.body]);

    for (const [path, def, body] of created) {
      expect(spec.errors(def, body), `${def} create`).toEqual([]);
      const got = await client.get(`/${path}/${String(body['id'])}`);
      expect(spec.errors(def, got.body), `${def} retrieve`).toEqual([]);
      const list = await client.get<Resource[]>(`/${path}`);
      expect(list.body.length).toBeGreaterThan(0);
      for (const item of list.body) expect(spec.errors(def, item), `${def} list`).toEqual([]);
      const patched = await client.patch(`/${path}/${String(body['id'])}`, { description: 'changed' });
      expect(patched.status).toBe(200);
      expect(spec.errors(def, patched.body), `${def} patch`).toEqual([]);
    }
    // a state change, so that state-change events exist for every account type
    for (const [path, , body] of created.slice(0, 3)) {
      expect((await client.patch(`/${path}/${String(body['id'])}`, { state: 'Suspended' })).status).toBe(200);
    }
    expect((await client.patch(`/financialAccount/${String(fa.body.id)}`, { state: 'Suspended' })).status).toBe(200);
    expect((await client.del(`/billFormat/${String(bf.body.id)}`)).status).toBe(204);

    for (const status of [400, 404, 409, 422]) {
      const err =
        status === 400 ? await client.post('/billingAccount', { name: 'no party' })
        : status === 404 ? await client.get('/billingAccount/none')
        : status === 409 ? await (async () => {
          const cycle = await client.post<Resource>('/billingCycleSpecification', { name: 'in use' });
          await client.post('/billingAccount', { name: 'user', relatedParty: [owner], billStructure: { cycleSpecification: { isRef: true, id: cycle.body.id, name: 'in use' } } });
          return client.del(`/billingCycleSpecification/${String(cycle.body.id)}`);
        })()
        : await client.patch(`/billingAccount/${String(created[1]![2]['id'])}`, { state: 'Pending' });
      expect(err.status).toBe(status);
      expect(spec.errors('Error', err.body)).toEqual([]);
    }
    const hub = await client.post<Resource>('/hub', { callback: 'http://127.0.0.1:9/cb' });
    expect(hub.status).toBe(201);
    expect(spec.errors('EventSubscription', hub.body)).toEqual([]);
    expect((await client.del(`/hub/${String(hub.body.id)}`)).status).toBe(204);
    expect((await client.del(`/hub/${String(hub.body.id)}`)).status).toBe(404);

    const events = await op.db.query<{ event_type: string; resource_type: string; payload: { event: Record<string, unknown> } }>(
      `SELECT event_type, resource_type, payload FROM outbox WHERE api = 'accountManagement'`,
    );
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['BillingAccountStateChangeEvent', 'BillingAccountAttributeValueChangeEvent', 'FinancialAccountCreateEvent', 'FinancialAccountStateChangeEvent', 'PartyAccountStateChangeEvent', 'SettlementAccountAttributeValueChangeEvent']) {
      expect(types, t).toContain(t);
    }
    let checked = 0;
    for (const e of events.rows) {
      const property = e.resource_type.charAt(0).toLowerCase() + e.resource_type.slice(1);
      expect(spec.errors(e.resource_type, e.payload.event[property]), e.event_type).toEqual([]);
      if (spec.definitions.includes(e.event_type)) {
        expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
        expect(spec.errors(`${e.event_type}Payload`, e.payload.event), e.event_type).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
});

describe('API surface', () => {
  it('serves every path of the specification and documents it at /docs', async () => {
    const spec = loadSpec('TMF666');
    const res = await fetch(`${op.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const served = (p: string) => `${spec.basePath}${p}`;
    for (const [path, ops] of Object.entries(spec.paths)) {
      // listeners are the client's side of notifications, served by whoever subscribes
      if (path.startsWith('/listener/')) continue;
      expect(Object.keys(doc.paths), path).toContain(served(path));
      for (const method of Object.keys(ops)) expect(Object.keys(doc.paths[served(path)]!), `${method} ${path}`).toContain(method);
    }
  });
});

describe('TM Forum conformance kit TMF666', () => {
  it('passes with zero failed assertions', async () => {
    const r = await runCtk('TMF666', client.baseUrl);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(98);
    expect(r.assertions).toBeGreaterThan(1000);
  });
});
