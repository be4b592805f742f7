import { describe, expect, it } from 'vitest';
import { DEFAULT_VALIDITY_DAYS } from './index.ts';
import { PROMOTION_ENDS, asked, client, customer, eventsOf, item, pricer, quoteOf, refused, withQuoteOperon, type Item, type Quote } from './test-api.ts';

withQuoteOperon(pricer);

const DAY = 86_400_000;
const eur = (value: number) => ({ unit: 'EUR', value });
const amounts = (p: { price: { dutyFreeAmount?: { value: number }; taxIncludedAmount?: { value: number } } }) => [p.price.dutyFreeAmount?.value, p.price.taxIncludedAmount?.value];

describe('a quote', () => {
  it('is created inProgress and priced from the catalog: item prices with taxes, quantities, and totals', async () => {
    const before = Date.now();
    const r = await client.post<Quote>('/quote', quoteOf([
      item(undefined, 'po-fibre-1g'),
      item(undefined, 'po-tv-option', { quantity: 2, quoteItemRelationship: [{ id: '1', relationshipType: 'reliesOn' }] }),
      item('mobile', 'po-mobile-20gb'),
      item(undefined, 'po-router-rental'),
    ], { externalId: 'CRM-Q-1', note: [{ text: 'Customer asked for two TV boxes' }] }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const q = r.body;
    expect(q).toMatchObject({ '@type': 'Quote', state: 'inProgress', version: '1', externalId: 'CRM-Q-1' });
    expect(q.href).toBe(`${client.baseUrl}/quote/${q.id}`);
    expect(r.headers.get('location')).toBe(q.href);
    // items are numbered around the ids the client gave, and follow the quote's state
    expect(q.quoteItem.map((i) => [i.id, i.state])).toEqual([['1', 'inProgress'], ['2', 'inProgress'], ['mobile', 'inProgress'], ['3', 'inProgress']]);
    expect((q['note'] as Array<{ id: string }>)[0]!.id).toEqual(expect.any(String));

    const [fibre, tv, mobile, router] = q.quoteItem as [Item, Item, Item, Item];
    expect(fibre.quoteItemPrice!.map((p) => [p.name, p.priceType, ...amounts(p), p.price.taxRate])).toEqual([
      ['Fibre 1G monthly fee', 'recurring', 33.33, 40, 20], ['Installation', 'oneTime', 49.99, 59.99, 20],
    ]);
    expect(fibre.quoteItemPrice![0]!['productOfferingPrice']).toEqual({ id: 'pop-fibre-1g-monthly', name: 'Fibre 1G monthly fee' });
    expect(tv.quoteItemPrice!.map(amounts)).toEqual([[16.5, 19.8]]);
    // a price given with taxes only gets its duty-free amount; a usage price is a rate, not multiplied nor totalled
    expect(mobile.quoteItemPrice!.map((p) => [p.priceType, ...amounts(p)])).toEqual([['recurring', 10, 12], ['usage', 2, 2.4]]);
    expect(router.quoteItemPrice![0]!['priceAlteration']).toEqual([expect.objectContaining({ name: 'First 3 months free', price: { percentage: 100 } })]);
    expect(q.quoteTotalPrice).toEqual([
      { name: 'Total monthly', priceType: 'recurring', recurringChargePeriod: 'month', price: { taxRate: 20, dutyFreeAmount: eur(62.33), taxIncludedAmount: eur(74.8) }, '@type': 'QuotePrice' },
      { name: 'Total one-time', priceType: 'oneTime', price: { taxRate: 20, dutyFreeAmount: eur(49.99), taxIncludedAmount: eur(59.99) }, '@type': 'QuotePrice' },
    ]);
    // valid from its date while the TV option's promotion lasts (shorter than the default period), not yet answered
    expect(Date.parse(q.quoteDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(q.validFor).toEqual({ startDateTime: q.quoteDate, endDateTime: PROMOTION_ENDS });
    expect(q.effectiveQuoteCompletionDate).toBeUndefined();
    expect(q.expectedQuoteCompletionDate).toBeUndefined();
    // the pricer was asked about the quote as stored
    expect(asked.at(-1)).toMatchObject({ id: q.id, state: 'inProgress', relatedParty: [customer()] });
    expect((await client.get(`/quote/${q.id}`)).body).toEqual(q);
    const created = (await eventsOf(q.id))[0]!;
    expect(created.event_type).toBe('QuoteCreateEvent');
    expect(created.payload.event.quote.quoteTotalPrice).toEqual(q.quoteTotalPrice);
  });

  it('answers an instantSyncQuote in the response when it is priced in full: approved, 200', async () => {
    const r = await client.post<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g')], { instantSyncQuote: true }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.state).toBe('approved');
    expect(r.body.quoteItem[0]!.state).toBe('approved');
    expect(r.body.effectiveQuoteCompletionDate).toEqual(expect.any(String));
    expect(r.body.expectedQuoteCompletionDate).toBe(r.body.effectiveQuoteCompletionDate);
    expect((await eventsOf(r.body.id)).map((e) => [e.event_type, e.payload.event.quote.state])).toEqual([
      ['QuoteCreateEvent', 'inProgress'], ['QuoteStateChangeEvent', 'approved'], ['QuoteAttributeValueChangeEvent', 'approved'],
    ]);
    // what needs a price on request is left unpriced, for the seller: the quote is created inProgress (201), with the expected answer date
    const custom = await client.post<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g'), item('2', 'po-dark-fibre')], { instantSyncQuote: true }));
    expect(custom.status).toBe(201);
    expect(custom.body.state).toBe('inProgress');
    expect(custom.body.quoteItem[1]!.quoteItemPrice).toBeUndefined();
    expect(custom.body.expectedQuoteCompletionDate).toBe('2030-02-01T09:00:00.000Z');
    expect(custom.body.quoteTotalPrice!.map((t) => t.name)).toEqual(['Total monthly', 'Total one-time']);
  });

  it('prices bundles, changes and terminations of existing products, and keeps currencies and periods apart', async () => {
    const r = await client.post<Quote>('/quote', quoteOf([
      item('1', 'po-fibre-1g', { quoteItem: [item('1.1', 'po-tv-option'), item('1.2', 'po-router-rental')] }),
      { id: '2', action: 'modify', product: { id: 'prod-7', productCharacteristic: [{ name: 'downloadSpeed', value: '2 Gbps' }] } },
      { id: '3', action: 'delete', product: { id: 'prod-8' } },
      { id: '4', action: 'noChange', product: { id: 'prod-9' } },
      item('5', 'po-sip-trunk'),
    ]));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const sub = r.body.quoteItem[0]!.quoteItem!;
    expect(sub.map((i) => [i.id, i.state, i.quoteItemPrice!.length])).toEqual([['1.1', 'inProgress', 1], ['1.2', 'inProgress', 1]]);
    expect(r.body.quoteItem.map((i) => i.quoteItemPrice?.length)).toEqual([2, 1, 1, undefined, 1]);
    expect(r.body.quoteTotalPrice!.map((t) => [t.name, t.recurringChargePeriod, ...amounts(t), t.price.dutyFreeAmount!.unit])).toEqual([
      // fibre + TV + router + the modified product's new fee
      ['Total monthly', 'month', 33.33 + 8.25 + 2.5 + 33.33, 40 + 9.9 + 3 + 40, 'EUR'],
      ['Total yearly', 'year', 480, 518.88, 'CHF'],
      // installation + early termination of prod-8
      ['Total one-time', undefined, 69.99, 83.99, 'EUR'],
    ]);
  });

  it('holds for its validity period, no longer than its prices do', async () => {
    const plain = await client.create<Quote>('/quote', quoteOf());
    expect(plain.validFor!.startDateTime).toBe(plain.quoteDate);
    expect(Date.parse(plain.validFor!.endDateTime!) - Date.parse(plain.quoteDate)).toBe(DEFAULT_VALIDITY_DAYS * DAY);
    const promo = await client.create<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g'), item('2', 'po-tv-option')]));
    expect(promo.validFor!.endDateTime).toBe(PROMOTION_ENDS);
    const start = new Date(Date.now() + DAY).toISOString();
    const end = new Date(Date.now() + 5 * DAY).toISOString();
    const asked = await client.create<Quote>('/quote', quoteOf(undefined, { validFor: { startDateTime: start, endDateTime: end }, requestedQuoteCompletionDate: start }));
    expect(asked.validFor).toEqual({ startDateTime: start, endDateTime: end });
    const open = await client.create<Quote>('/quote', quoteOf(undefined, { validFor: { endDateTime: end } }));
    expect(open.validFor).toEqual({ startDateTime: open.quoteDate, endDateTime: end });
    refused(await client.post('/quote', quoteOf(undefined, { validFor: { startDateTime: end, endDateTime: start } })), 422, 'validFor.endDateTime');
  });

  it('refuses malformed requests with a TMF Error, stores nothing and does not ask the pricer', async () => {
    const count = (await client.get<Quote[]>('/quote')).body.length;
    const n = asked.length;
    refused(await client.post('/quote', { relatedParty: [customer()] }), 400, 'quoteItem');
    refused(await client.post('/quote', quoteOf([])), 400, 'quoteItem');
    refused(await client.post('/quote', quoteOf([{ id: '1', productOffering: { id: 'po-fibre-1g' } }])), 400, 'quoteItem[0].action');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { action: 'replace' })])), 400, 'quoteItem[0].action');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { quantity: 0 })])), 400, 'quoteItem[0].quantity');
    refused(await client.post('/quote', quoteOf([{ id: '1', action: 'add' }])), 422, 'quoteItem[0].productOffering.id');
    refused(await client.post('/quote', quoteOf([{ id: '1', action: 'modify', productOffering: { id: 'po-fibre-1g' } }])), 422, 'quoteItem[0].product.id');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g'), item('1', 'po-tv-option')])), 422, 'quoteItem[1].id');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { quoteItem: [item('1', 'po-tv-option')] })])), 422, 'quoteItem[0].quoteItem[0].id');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { quoteItemRelationship: [{ id: '9', relationshipType: 'reliesOn' }] })])), 422, 'quoteItem[0].quoteItemRelationship[0].id');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { quoteItemPrice: [{ priceType: 'oneTime', price: { dutyFreeAmount: eur(0) } }] })])), 400, 'quoteItem[0].quoteItemPrice');
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g', { state: 'approved' })])), 400, 'quoteItem[0].state');
    const deep = item('1', 'a', { quoteItem: [item('2', 'b', { quoteItem: [item('3', 'c', { quoteItem: [item('4', 'd')] })] })] });
    refused(await client.post('/quote', quoteOf([deep])), 400, 'quoteItem[0].quoteItem[0].quoteItem[0].quoteItem');
    refused(await client.post('/quote', quoteOf(undefined, { state: 'approved' })), 422, 'state');
    refused(await client.post('/quote', quoteOf(undefined, { quoteTotalPrice: [] })), 400, 'quoteTotalPrice');
    refused(await client.post('/quote', quoteOf(undefined, { quoteDate: '2020-01-01T00:00:00Z' })), 400, 'quoteDate');
    refused(await client.post('/quote', quoteOf(undefined, { relatedParty: [{ id: 'x' }] })), 400, 'relatedParty[0].@referredType');
    refused(await client.post('/quote', quoteOf(undefined, { requestedQuoteCompletionDate: 'next week' })), 400, 'requestedQuoteCompletionDate');
    refused(await client.post('/quote', quoteOf(undefined, { colour: 'red' })), 400, 'colour');
    refused(await client.post('/quote', [quoteOf()]), 400, 'JSON object');
    expect((await client.call('POST', '/quote', quoteOf(), { 'content-type': 'text/plain' })).status).toBe(415);
    expect(asked.length).toBe(n);
    // the pricer refuses what the catalog does not sell, naming the item: nothing is stored
    refused(await client.post('/quote', quoteOf([item('1', 'po-fibre-1g'), item('2', 'po-isdn')])), 422, 'quoteItem[1].productOffering.id');
    refused(await client.post('/quote', quoteOf([item('1', 'po-unheard-of')])), 422, 'quoteItem[0].productOffering.id');
    expect((await client.get<Quote[]>('/quote')).body.length).toBe(count);
    expect(await eventsOf('none')).toEqual([]);
  });

  it('is priced again when its items change while it is prepared; its prices are never the client\'s', async () => {
    const q = await client.create<Quote>('/quote', quoteOf());
    const added = await client.patch<Quote>(`/quote/${q.id}`, { quoteItem: [...q.quoteItem, item('2', 'po-tv-option', { quantity: 3 })] });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.quoteItem.map((i) => [i.id, i.quoteItemPrice!.length])).toEqual([['1', 2], ['2', 1]]);
    expect(amounts(added.body.quoteTotalPrice![0]!)).toEqual([33.33 + 24.75, 40 + 29.7]);
    // a smaller quantity through a JSON Patch, priced again too
    const fewer = await client.jsonPatch<Quote>(`/quote/${q.id}`, [{ op: 'replace', path: '/quoteItem/1/quantity', value: 1 }]);
    expect(fewer.status).toBe(200);
    expect(amounts(fewer.body.quoteTotalPrice![0]!)).toEqual([41.58, 49.9]);
    refused(await client.jsonPatch(`/quote/${q.id}`, [{ op: 'replace', path: '/quoteItem/0/quoteItemPrice/0/price/dutyFreeAmount/value', value: 1 }]), 400, 'quoteItem[0].quoteItemPrice');
    refused(await client.patch(`/quote/${q.id}`, { quoteTotalPrice: [] }), 400, 'quoteTotalPrice');
    refused(await client.patch(`/quote/${q.id}`, { quoteItem: [item('1', 'po-isdn')] }), 422, 'quoteItem[0].productOffering.id');
    refused(await client.patch(`/quote/${q.id}`, { instantSyncQuote: true }), 400, 'instantSyncQuote');
    refused(await client.patch(`/quote/${q.id}`, { description: 'stale' }, { 'if-match': '"1"' }), 412, 'version');
    expect((await client.patch(`/quote/${q.id}`, { description: 'x' }, { 'content-type': 'text/plain' })).status).toBe(415);
    refused(await client.patch('/quote/nope', { description: 'x' }), 404, 'nope');
    const attrs = (await eventsOf(q.id)).filter((e) => e.event_type === 'QuoteAttributeValueChangeEvent');
    expect(attrs).toHaveLength(2);
  });

  it('is listed and filtered as a sales console does: customer, state, reference, offering, amount', async () => {
    const mine = customer('ind-list');
    const a = await client.create<Quote>('/quote', quoteOf(undefined, { relatedParty: [mine], externalId: 'L-1' }));
    const b = await client.create<Quote>('/quote', quoteOf([item('1', 'po-mobile-20gb')], { relatedParty: [mine], externalId: 'L-2' }));
    const ids = async (q: string) => (await client.get<Quote[]>(`/quote?${q}`)).body.map((x) => x.id);
    expect(await ids('relatedParty.id=ind-list&sort=quoteDate')).toEqual([a.id, b.id]);
    expect(await ids('externalId=L-2')).toEqual([b.id]);
    expect(await ids('relatedParty.id=ind-list&quoteItem.productOffering.id=po-mobile-20gb')).toEqual([b.id]);
    expect(await ids('relatedParty.id=ind-list&quoteTotalPrice.price.taxIncludedAmount.value.gte=20')).toEqual([a.id]);
    expect(await ids('relatedParty.id=ind-list&state=inProgress,pending')).toHaveLength(2);
    const page = await client.get<Quote[]>('/quote?relatedParty.id=ind-list&fields=state,quoteTotalPrice&limit=1');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(Object.keys(page.body[0]!).sort()).toEqual(['@type', 'href', 'id', 'quoteTotalPrice', 'state']);
    expect((await client.get('/quote?colour=red')).status).toBe(400);
  });
});
