/**
 * Set-up shared by the quote test files: Operon with the component on a fresh
 * database (with a test `quotePricer` provided by a test flow, when given), a
 * client that checks every reply against the official TMF648 definitions,
 * and the test pricer: a small catalog of prices with a 20 % VAT.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { unprocessable, type RequestContext } from '@operon/kernel';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { defineFlow, type TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { Quoting, quoteComponent, type QuoteDocument, type QuoteItemPriceInput, type QuotePricer, type QuotePricing } from './index.ts';

export type Price = { priceType: string; recurringChargePeriod?: string; name?: string; price: { dutyFreeAmount?: { unit: string; value: number }; taxIncludedAmount?: { unit: string; value: number }; taxRate?: number } } & Record<string, unknown>;
export type Item = Record<string, unknown> & { id: string; state: string; action: string; quoteItemPrice?: Price[]; quoteItem?: Item[] };
export type Quote = Record<string, unknown> & {
  id: string; href: string; '@type': string; state: string; quoteDate: string; version: string;
  quoteItem: Item[]; quoteTotalPrice?: Price[]; validFor?: { startDateTime?: string; endDateTime?: string };
  effectiveQuoteCompletionDate?: string; expectedQuoteCompletionDate?: string;
};

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;
export let quoting: Quoting;
/** The context a flow acts in. */
export let system: RequestContext;

/** Starts Operon before the tests of the calling file (with `pricer` provided by a test flow) and stops it after them. */
export function withQuoteOperon(pricer?: QuotePricer): void {
  beforeAll(async () => {
    const flow = defineFlow({
      name: 'test-quote-pricing',
      title: 'Quote pricing for tests',
      description: 'Provides the quotePricer port the Lead-to-Cash flow provides in production',
      etomTasks: [],
      subscribes: [],
      async start(runtime) {
        if (pricer) runtime.ports.provide('quotePricer', pricer);
      },
    });
    op = await startTestOperon({ components: [quoteComponent], flows: [flow] });
    client = tmfClient({ baseUrl: `${op.url}/tmf-api/quoteManagement/v4`, spec: 'TMF648', types: { quote: 'Quote' } });
    quoting = new Quoting(op.runtime);
    system = { baseUrl: op.url, correlationId: 'test-flow' };
  });
  afterAll(async () => op?.close());
}

/** The reply is a TMF Error of that status whose message names the attribute at fault. */
export function refused(r: TmfReply, status: number, field: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  expect(error.message).toContain(field);
  return error;
}

export type OutboxRow = { event_type: string; resource_id: string; payload: { event: { quote: Quote } } & Record<string, unknown> };

/** Events of one quote (or all), oldest first. */
export async function eventsOf(resourceId?: string): Promise<OutboxRow[]> {
  const r = await op.db.query<OutboxRow>(
    `SELECT event_type, resource_id, payload FROM outbox WHERE api = 'quoteManagement' AND ($1::text IS NULL OR resource_id = $1) ORDER BY seq`,
    [resourceId ?? null],
  );
  return r.rows;
}

export const customer = (id = 'ind-42') => ({ id, name: 'Jeanne Martin', role: 'customer', '@referredType': 'Individual' });

export function item(id: string | undefined, offering: string, extra: Record<string, unknown> = {}) {
  return { ...(id !== undefined ? { id } : {}), action: 'add', productOffering: { id: offering, name: offering }, ...extra };
}

/** A quote request for a customer; the items given, or one fibre line. */
export function quoteOf(items: Array<Record<string, unknown>> = [item('1', 'po-fibre-1g')], extra: Record<string, unknown> = {}) {
  return { description: 'Home internet', relatedParty: [customer()], billingAccount: [{ id: 'ba-42', name: 'Jeanne' }], quoteItem: items, ...extra };
}

// --- the test pricer -------------------------------------------------------------------------------

const VAT = 20;
const eur = (value: number) => ({ unit: 'EUR', value });
const monthly = (name: string, dutyFree: number, pop: string): QuoteItemPriceInput => ({
  name, priceType: 'recurring', recurringChargePeriod: 'month', price: { dutyFreeAmount: eur(dutyFree), taxRate: VAT }, productOfferingPrice: { id: pop, name },
});
const oneTime = (name: string, dutyFree: number, pop: string): QuoteItemPriceInput => ({
  name, priceType: 'oneTime', price: { dutyFreeAmount: eur(dutyFree), taxRate: VAT }, productOfferingPrice: { id: pop, name },
});

/** Unit prices of the launched offerings, as the catalog's product offering prices give them. */
const CATALOG: Record<string, QuoteItemPriceInput[]> = {
  'po-fibre-1g': [monthly('Fibre 1G monthly fee', 33.33, 'pop-fibre-1g-monthly'), oneTime('Installation', 49.99, 'pop-fibre-install')],
  'po-tv-option': [monthly('TV option', 8.25, 'pop-tv-monthly')],
  'po-mobile-20gb': [
    { name: 'Mobile 20 GB', priceType: 'recurring', recurringChargePeriod: 'month', price: { taxIncludedAmount: eur(12), taxRate: VAT } },
    { name: 'Out-of-bundle data', priceType: 'usage', unitOfMeasure: 'GB', price: { dutyFreeAmount: eur(2), taxRate: VAT } },
  ],
  'po-router-rental': [{
    name: 'Router rental', priceType: 'recurring', recurringChargePeriod: 'month', price: { dutyFreeAmount: eur(2.5), taxRate: VAT },
    priceAlteration: [{ name: 'First 3 months free', priceType: 'recurring', applicationDuration: 3, price: { percentage: 100 } }],
  }],
  // a business line priced per year, in another currency: totals are kept apart
  'po-sip-trunk': [{ name: 'SIP trunk', priceType: 'recurring', recurringChargePeriod: 'year', price: { dutyFreeAmount: { unit: 'CHF', value: 480 }, taxRate: 8.1 } }],
};
/** Offerings whose price needs a manual approval: the catalog has none. */
const ON_REQUEST = new Set(['po-dark-fibre']);
/** A promotion ending in ten days: prices of the TV option hold until then, less than a quote's default validity. */
export const PROMOTION_ENDS = new Date(Date.now() + 10 * 86_400_000).toISOString();

export const asked: QuoteDocument[] = [];

/** Stands in for the flow's pricer: the catalog's prices; a retired or unknown offering is refused with a 422 naming the item. */
export const pricer: QuotePricer = {
  async price(quote): Promise<QuotePricing> {
    asked.push(quote);
    const items: QuotePricing['items'][number][] = [];
    let onRequest = false;
    let promotion = false;
    const walk = (list: readonly Record<string, unknown>[] | undefined, path: string) => {
      (list ?? []).forEach((it, i) => {
        const at = `${path}[${i}]`;
        const offering = (it['productOffering'] as { id?: string } | undefined)?.id;
        if (it['action'] === 'delete') items.push({ id: String(it['id']), prices: [oneTime('Early termination', 20, 'pop-termination')] });
        else if (it['action'] === 'noChange') items.push({ id: String(it['id']), prices: [] });
        else if (offering !== undefined && ON_REQUEST.has(offering)) onRequest = true;
        else if (offering === 'po-isdn') throw unprocessable('offering po-isdn is Retired and no longer sold', `${at}.productOffering.id`);
        else if (offering !== undefined && CATALOG[offering]) {
          items.push({ id: String(it['id']), prices: CATALOG[offering]! });
          if (offering === 'po-tv-option') promotion = true;
        } else if (it['action'] === 'modify') items.push({ id: String(it['id']), prices: CATALOG['po-fibre-1g']!.slice(0, 1) });
        else throw unprocessable(`offering ${String(offering)} is not in the catalog`, `${at}.productOffering.id`);
        walk(it['quoteItem'] as Record<string, unknown>[] | undefined, `${at}.quoteItem`);
      });
    };
    walk(quote.quoteItem as unknown as Record<string, unknown>[], 'quoteItem');
    return {
      items,
      ...(promotion ? { validUntil: PROMOTION_ENDS } : {}),
      ...(onRequest ? { expectedQuoteCompletionDate: '2030-02-01T09:00:00.000Z' } : {}),
    };
  },
};
