import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '@operon/kernel';
import { DEFAULT_VALIDITY_DAYS, quoteLifecycle } from './index.ts';
import { client, eventsOf, item, pricer, quoteOf, quoting, refused, system, withQuoteOperon, type Quote } from './test-api.ts';

withQuoteOperon(pricer);
afterEach(() => clock.reset());

const move = (q: Quote, state: string) => client.patch<Quote>(`/quote/${q.id}`, { state });
const itemStates = (q: Quote) => q.quoteItem.map((i) => i.state);

describe('the quote state machine (TMF648)', () => {
  it('is one transition table: prepared, approved by the seller, answered by the customer', () => {
    expect(quoteLifecycle.initial).toBe('inProgress');
    expect(quoteLifecycle.next('inProgress')).toEqual(['pending', 'approved', 'rejected', 'cancelled']);
    expect(quoteLifecycle.next('approved')).toEqual(['accepted', 'rejected', 'cancelled']);
    for (const s of ['accepted', 'rejected', 'cancelled'] as const) expect(quoteLifecycle.isTerminal(s)).toBe(true);
    expect(quoteLifecycle.canMove('accepted', 'inProgress')).toBe(false);
  });

  it('goes inProgress → pending → inProgress → approved → accepted, items following, one state change event per move', async () => {
    const q = await client.create<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g'), item('2', 'po-router-rental')]));
    for (const state of ['pending', 'inProgress']) expect((await move(q, state)).body.state).toBe(state);
    const approved = await move(q, 'approved');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(itemStates(approved.body)).toEqual(['approved', 'approved']);
    expect(Date.parse(approved.body.effectiveQuoteCompletionDate!)).not.toBeNaN();
    // once approved, what is quoted is fixed; notes, authorizations and the answer are not
    refused(await client.patch(`/quote/${q.id}`, { quoteItem: [item('1', 'po-fibre-1g', { quantity: 2 }), item('2', 'po-router-rental')] }), 422, 'quoteItem');
    refused(await client.patch(`/quote/${q.id}`, { validFor: { endDateTime: '2099-01-01T00:00:00Z' } }), 422, 'validFor');
    refused(await client.patch(`/quote/${q.id}`, { billingAccount: [{ id: 'ba-other' }] }), 422, 'billingAccount');
    const noted = await client.patch<Quote>(`/quote/${q.id}`, {
      note: [{ text: 'sent by e-mail' }],
      authorization: [{ name: 'discount approval', state: 'approved', givenDate: '2026-11-20T10:00:00Z', approver: [{ id: 'emp-3', '@referredType': 'Individual' }] }],
    });
    expect(noted.status).toBe(200);
    const accepted = await move(q, 'accepted');
    expect(accepted.body.state).toBe('accepted');
    expect(itemStates(accepted.body)).toEqual(['accepted', 'accepted']);
    // the completion date is the seller's answer: acceptance does not move it
    expect(accepted.body.effectiveQuoteCompletionDate).toBe(approved.body.effectiveQuoteCompletionDate);
    const states = (await eventsOf(q.id)).filter((e) => e.event_type === 'QuoteStateChangeEvent').map((e) => e.payload.event.quote.state);
    expect(states).toEqual(['pending', 'inProgress', 'approved', 'accepted']);
    // final, and kept: an accepted quote is what the order is made from
    const err = refused(await move(q, 'cancelled'), 422, 'accepted');
    expect(err.code).toBe('forbiddenTransition');
    refused(await move(q, 'shipped'), 400, 'state');
    refused(await client.del(`/quote/${q.id}`), 422, 'state');
  });

  it('is approved only once every item that adds or changes a product is priced', async () => {
    const q = await client.create<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g'), item('2', 'po-dark-fibre')]));
    refused(await move(q, 'approved'), 422, 'quoteItem[1].quoteItemPrice');
    // the seller removes what has no price: priced again, and approvable
    const trimmed = await client.patch<Quote>(`/quote/${q.id}`, { quoteItem: [item('1', 'po-fibre-1g')] });
    expect(trimmed.body.quoteTotalPrice).toHaveLength(2);
    expect((await move(q, 'approved')).body.state).toBe('approved');
    // a termination or an unchanged product needs no price of its own
    const closing = await client.create<Quote>('/quote', quoteOf([{ id: '1', action: 'noChange', product: { id: 'prod-1' } }]));
    expect((await move(closing, 'approved')).body.state).toBe('approved');
  });

  it('ends rejected or cancelled, by the seller before approval or by the customer after', async () => {
    const a = await client.create<Quote>('/quote', quoteOf());
    const rejected = await move(a, 'rejected');
    expect(rejected.body).toMatchObject({ state: 'rejected', effectiveQuoteCompletionDate: expect.any(String) });
    refused(await move(a, 'approved'), 422, 'rejected');
    expect((await client.del(`/quote/${a.id}`)).status).toBe(204);

    const b = await client.create<Quote>('/quote', quoteOf());
    await move(b, 'approved');
    expect((await move(b, 'rejected')).body.state).toBe('rejected');
    const c = await client.create<Quote>('/quote', quoteOf());
    await move(c, 'pending');
    const cancelled = await move(c, 'cancelled');
    expect(itemStates(cancelled.body)).toEqual(['cancelled']);
  });

  it('cannot be accepted, nor approved, outside its validity period', async () => {
    const q = await client.create<Quote>('/quote', quoteOf());
    await move(q, 'approved');
    const late = await client.create<Quote>('/quote', quoteOf());
    clock.advance((DEFAULT_VALIDITY_DAYS + 1) * 86_400_000);
    refused(await move(q, 'accepted'), 422, 'validFor');
    refused(await move(late, 'approved'), 422, 'validFor');
    // the seller withdraws the expired quote
    expect((await move(q, 'cancelled')).body.state).toBe('cancelled');
    clock.reset();
    const future = await client.create<Quote>('/quote', quoteOf(undefined, { validFor: { startDateTime: new Date(Date.now() + 86_400_000).toISOString() } }));
    refused(await move(future, 'approved'), 422, 'validFor');
  });

  it('lets a customer answer an approved quote, and nothing else', async () => {
    const jeanne = { ...system, principal: { id: 'cust-42', roles: ['customer'], partyId: 'ind-42' } };
    const q = await client.create<Quote>('/quote', quoteOf());
    const forbidden = await quoting.transition(q.id, 'approved', jeanne).then(() => undefined, (e: unknown) => e);
    expect(forbidden).toMatchObject({ status: 403 });
    await quoting.transition(q.id, 'approved', system);
    expect((await quoting.transition(q.id, 'accepted', jeanne)).doc['state']).toBe('accepted');
    // another customer's quote is not even found
    const other = await client.create<Quote>('/quote', quoteOf(undefined, { relatedParty: [{ id: 'ind-7', '@referredType': 'Individual' }] }));
    const hidden = await quoting.transition(other.id, 'cancelled', jeanne).then(() => undefined, (e: unknown) => e);
    expect(hidden).toMatchObject({ status: 404 });
  });
});
