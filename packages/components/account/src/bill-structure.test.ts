import { describe, expect, it } from 'vitest';
import { client, op, refused, withAccountOperon, type Account, type BillItem, type Cycle } from './test-api.ts';

withAccountOperon();

const owner = { id: 'ind-1', name: 'Ada Lovelace', '@referredType': 'Individual' };

describe('billing cycle specifications', () => {
  it('are created, retrieved, listed by frequency, patched and deleted', async () => {
    // a cycle has no lifecycle: the server must not invent a state for it
    const m = await client.post<Cycle & { state?: unknown }>('/billingCycleSpecification', {
      name: 'Monthly on the 1st', frequency: 'monthly', billingPeriod: 'month', billingDateShift: 0,
      chargeDateOffset: 0, creditDateOffset: 0, mailingDateOffset: 2, paymentDueDateOffset: 16,
      validFor: { startDateTime: '2024-01-01T00:00:00+01:00' },
    });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ '@type': 'BillingCycleSpecification', name: 'Monthly on the 1st' });
    expect(m.body.validFor?.startDateTime).toBe('2023-12-31T23:00:00.000Z');
    expect(m.body.state).toBeUndefined();
    const q = await client.post<Cycle>('/billingCycleSpecification', { name: 'Quarterly', frequency: 'quarterly', billingDateShift: 88 });
    expect(q.status).toBe(201);
    const monthly = await client.get<Cycle[]>('/billingCycleSpecification?frequency=monthly');
    expect(monthly.body.map((s) => s.id)).toEqual([m.body.id]);
    const late = await client.get<Cycle[]>('/billingCycleSpecification?billingDateShift.gt=10&fields=name');
    expect(late.body.map((s) => s.name)).toEqual(['Quarterly']);
    const p = await client.patch<Cycle>(`/billingCycleSpecification/${m.body.id}`, { billingDateShift: 4, mailingDateOffset: 5, paymentDueDateOffset: 20 });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ billingDateShift: 4, chargeDateOffset: 0, paymentDueDateOffset: 20 });
    expect((await client.del(`/billingCycleSpecification/${q.body.id}`)).status).toBe(204);
    expect((await client.get(`/billingCycleSpecification/${q.body.id}`)).status).toBe(404);
  });

  it('bill on a day that every period of the cycle has', async () => {
    refused(await client.post('/billingCycleSpecification', { name: 'Bill on the 29th', frequency: 'monthly', billingDateShift: 28 }), 422, 'billingDateShift');
    refused(await client.post('/billingCycleSpecification', { name: 'Weekly', billingPeriod: 'week', billingDateShift: 7 }), 422, 'billingDateShift');
    refused(await client.post('/billingCycleSpecification', { name: 'Yearly', frequency: 'Yearly', billingDateShift: 365 }), 422, 'billingDateShift');
    refused(await client.post('/billingCycleSpecification', { name: 'Backwards', billingDateShift: -1 }), 422, 'billingDateShift');
    refused(await client.post('/billingCycleSpecification', { name: 'Backwards', mailingDateOffset: -3 }), 422, 'mailingDateOffset');
    expect((await client.post('/billingCycleSpecification', { name: 'Bill on the 28th', frequency: 'monthly', billingDateShift: 27 })).status).toBe(201);
    // a cycle Operon does not know is not second-guessed
    expect((await client.post('/billingCycleSpecification', { name: 'Custom', frequency: 'every 40 days', billingDateShift: 35 })).status).toBe(201);
    refused(await client.post('/billingCycleSpecification', { name: 'Bad', billingDateShift: 1.5 }), 400, 'billingDateShift');
    refused(await client.post('/billingCycleSpecification', { frequency: 'monthly' }), 400, 'name');
  });

  it('cut off charges before the bill, and mail it and make it due after', async () => {
    const base = { name: 'Order', frequency: 'monthly', billingDateShift: 10 };
    refused(await client.post('/billingCycleSpecification', { ...base, chargeDateOffset: 11 }), 422, 'chargeDateOffset');
    refused(await client.post('/billingCycleSpecification', { ...base, creditDateOffset: 12 }), 422, 'creditDateOffset');
    refused(await client.post('/billingCycleSpecification', { ...base, mailingDateOffset: 9 }), 422, 'mailingDateOffset');
    refused(await client.post('/billingCycleSpecification', { ...base, paymentDueDateOffset: 5 }), 422, 'paymentDueDateOffset');
    refused(await client.post('/billingCycleSpecification', { name: 'Due before mailing', mailingDateOffset: 12, paymentDueDateOffset: 11 }), 422, 'paymentDueDateOffset');
    refused(await client.post('/billingCycleSpecification', { ...base, validFor: { startDateTime: '2024-02-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    const ok = await client.post<Cycle>('/billingCycleSpecification', { ...base, chargeDateOffset: 10, creditDateOffset: 9, mailingDateOffset: 10, paymentDueDateOffset: 40 });
    expect(ok.status).toBe(201);
    // a change that breaks the calendar is refused and nothing of it is kept
    refused(await client.patch(`/billingCycleSpecification/${ok.body.id}`, { billingDateShift: 5 }), 422, 'chargeDateOffset');
    expect((await client.get<Cycle>(`/billingCycleSpecification/${ok.body.id}`)).body.billingDateShift).toBe(10);
  });

  it('cannot be deleted while an account is billed on it', async () => {
    const s = await client.post<Cycle>('/billingCycleSpecification', { name: 'Used', frequency: 'monthly' });
    const a = await client.post<Account>('/billingAccount', { name: 'On cycle', relatedParty: [owner], billStructure: { cycleSpecification: { isRef: true, id: s.body.id, name: 'Used' } } });
    expect(a.status).toBe(201);
    const onCycle = await client.get<Account[]>(`/billingAccount?billStructure.cycleSpecification.id=${s.body.id}`);
    expect(onCycle.body.map((x) => x.id)).toEqual([a.body.id]);
    const r = await client.del(`/billingCycleSpecification/${s.body.id}`);
    expect(refused(r, 409, 'billing cycle specification').message).toContain('1 account(s)');
    expect((await client.patch(`/billingAccount/${a.body.id}`, { billStructure: { cycleSpecification: null } })).status).toBe(200);
    expect((await client.del(`/billingCycleSpecification/${s.body.id}`)).status).toBe(204);
  });

  it('are not given to accounts once they have stopped being valid', async () => {
    const old = await client.post<Cycle>('/billingCycleSpecification', { name: 'Retired', validFor: { startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2021-01-01T00:00:00Z' } });
    const cycle = { isRef: true, id: old.body.id, name: 'Retired' };
    refused(await client.post('/billingAccount', { name: 'Too late', relatedParty: [owner], billStructure: { cycleSpecification: cycle } }), 422, 'billStructure.cycleSpecification.id');
    // an account already on a cycle that ended keeps working until it is moved
    const current = await client.post<Cycle>('/billingCycleSpecification', { name: 'Ending', validFor: { startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2099-01-01T00:00:00Z' } });
    const a = await client.post<Account>('/billingAccount', { name: 'Early', relatedParty: [owner], billStructure: { cycleSpecification: { isRef: true, id: current.body.id, name: 'Ending' } } });
    expect(a.status).toBe(201);
    expect((await client.patch(`/billingCycleSpecification/${current.body.id}`, { validFor: { startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2021-06-01T00:00:00Z' } })).status).toBe(200);
    expect((await client.patch(`/billingAccount/${a.body.id}`, { description: 'still editable' })).status).toBe(200);
  });
});

describe('bill formats and presentation media', () => {
  it.each([['billFormat', 'BillFormat'], ['billPresentationMedia', 'BillPresentationMedia']])('%s: created, listed by name, patched and deleted', async (path, type) => {
    const a = await client.post<BillItem>(`/${path}`, { name: `${type} A`, description: 'first' });
    const b = await client.post<BillItem>(`/${path}`, { name: `${type} B` });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body).toMatchObject({ '@type': type, name: `${type} A`, description: 'first' });
    expect((await client.get<BillItem[]>(`/${path}?name=${encodeURIComponent(`${type} B`)}`)).body.map((x) => x.id)).toEqual([b.body.id]);
    const sorted = await client.get<BillItem[]>(`/${path}?sort=-name&fields=name`);
    expect(sorted.body.map((x) => x.name)).toEqual([`${type} B`, `${type} A`]);
    const p = await client.patch<BillItem>(`/${path}/${a.body.id}`, { description: 'changed' });
    expect(p.body.description).toBe('changed');
    refused(await client.patch(`/${path}/${a.body.id}`, { name: null }), 400, 'name');
    refused(await client.patch(`/${path}/${a.body.id}`, { state: 'Active' }), 400, 'state');
    refused(await client.post(`/${path}`, { description: 'nameless' }), 400, 'name');
    expect((await client.del(`/${path}/${a.body.id}`)).status).toBe(204);
    expect((await client.del(`/${path}/${a.body.id}`)).status).toBe(404);
    const events = await op.db.query<{ event_type: string }>(`SELECT event_type FROM outbox WHERE resource_id = $1 ORDER BY seq`, [a.body.id]);
    expect(events.rows.map((e) => e.event_type)).toEqual([`${type}CreateEvent`, `${type}AttributeValueChangeEvent`, `${type}DeleteEvent`]);
  });

  it('cannot be deleted while an account uses them', async () => {
    const format = await client.post<BillItem>('/billFormat', { name: 'Detailed' });
    const email = await client.post<BillItem>('/billPresentationMedia', { name: 'Email' });
    const paper = await client.post<BillItem>('/billPresentationMedia', { name: 'Paper' });
    const a = await client.post<Account>('/settlementAccount', {
      name: 'Partner statement', relatedParty: [owner],
      billStructure: { format: { isRef: true, id: format.body.id, name: 'Detailed' }, presentationMedia: [{ isRef: true, id: email.body.id, name: 'Email' }] },
    });
    expect(a.status).toBe(201);
    refused(await client.del(`/billFormat/${format.body.id}`), 409, 'bill format');
    refused(await client.del(`/billPresentationMedia/${email.body.id}`), 409, 'bill presentation media');
    expect((await client.del(`/billPresentationMedia/${paper.body.id}`)).status).toBe(204);
    const moved = await client.patch<Account>(`/settlementAccount/${a.body.id}`, { billStructure: { format: null, presentationMedia: [{ isRef: false, name: 'Portal' }] } });
    expect(moved.body.billStructure).toEqual({ presentationMedia: [{ isRef: false, name: 'Portal' }] });
    expect((await client.del(`/billFormat/${format.body.id}`)).status).toBe(204);
    expect((await client.del(`/billPresentationMedia/${email.body.id}`)).status).toBe(204);
  });
});

describe('bill structure of an account', () => {
  it('refers to formats, media and cycles by id, held here or elsewhere, or carries them by value', async () => {
    const a = await client.post<Account>('/billingAccount', {
      name: 'Structured', relatedParty: [owner],
      billStructure: {
        cycleSpecification: { isRef: false, name: 'Monthly on the 15th', frequency: 'monthly', billingDateShift: 14, paymentDueDateOffset: 28 },
        format: { isRef: true, id: 'format-in-another-system', name: 'Remote format' },
        presentationMedia: [{ isRef: true, id: 'media-elsewhere', name: 'SMS' }, { isRef: false, name: 'Paper' }],
      },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.billStructure?.presentationMedia).toHaveLength(2);
  });

  it('refuses references without id, repeated media and cycles that cannot run', async () => {
    const ok = { name: 'Bad structure', relatedParty: [owner] };
    refused(await client.post('/billingAccount', { ...ok, billStructure: { format: { isRef: true, name: 'No id' } } }), 422, 'billStructure.format.id');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { cycleSpecification: { isRef: true, name: 'No id' } } }), 422, 'billStructure.cycleSpecification.id');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { presentationMedia: [{ isRef: false, name: 'Paper' }, { isRef: true, name: 'x' }] } }), 422, 'billStructure.presentationMedia[1].id');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { presentationMedia: [{ isRef: true, id: 'm', name: 'Email' }, { isRef: true, id: 'm', name: 'Email again' }] } }), 422, 'billStructure.presentationMedia[1]');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { presentationMedia: [{ isRef: false, name: 'Paper' }, { isRef: false, name: 'Paper' }] } }), 422, 'billStructure.presentationMedia[1]');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { cycleSpecification: { isRef: false, name: 'Day 31', frequency: 'monthly', billingDateShift: 30 } } }), 422, 'billStructure.cycleSpecification.billingDateShift');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { cycleSpecification: { isRef: false, name: 'Early due', dateShift: 10, paymentDueDateOffset: 3 } } }), 422, 'billStructure.cycleSpecification.paymentDueDateOffset');
    refused(await client.post('/billingAccount', { ...ok, billStructure: { format: { id: 'f', name: 'f' } } }), 400, 'billStructure.format.isRef');
    expect((await client.get<Account[]>('/billingAccount?name=Bad%20structure')).body).toEqual([]);
  });
});
