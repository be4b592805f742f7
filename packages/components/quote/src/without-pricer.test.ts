import { describe, expect, it } from 'vitest';
import { client, item, quoteOf, refused, withQuoteOperon, type Quote } from './test-api.ts';

// no flow provides a quotePricer: quotes are recorded, never priced by invention
withQuoteOperon();

describe('quotes without a pricer', () => {
  it('are recorded inProgress and unpriced, even when asked for at once, and cannot be approved', async () => {
    const r = await client.post<Quote>('/quote', quoteOf([item('1', 'po-fibre-1g')], { instantSyncQuote: true }));
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('inProgress');
    expect(r.body.quoteItem[0]!.quoteItemPrice).toBeUndefined();
    expect(r.body.quoteTotalPrice).toBeUndefined();
    refused(await client.patch(`/quote/${r.body.id}`, { state: 'approved' }), 422, 'quoteItem[0].quoteItemPrice');
    const changed = await client.patch<Quote>(`/quote/${r.body.id}`, { quoteItem: [item('1', 'po-fibre-1g', { quantity: 2 })] });
    expect(changed.status).toBe(200);
    expect(changed.body.quoteItem[0]!.quoteItemPrice).toBeUndefined();
    expect((await client.patch<Quote>(`/quote/${r.body.id}`, { state: 'cancelled' })).body.state).toBe('cancelled');
  });
});
