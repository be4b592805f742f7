/**
 * What quoting needs from the rest of Operon: someone who knows the prices of
 * what is quoted. The Lead-to-Cash flow provides it from the catalog's product
 * offering prices (recurring, one-time and usage, with their tax rates).
 */
import type { Static } from 'typebox';
import type { RequestContext } from '@operon/kernel';
import type { PriceAlteration, PriceType, ProductOfferingPriceRefValue, Quote, QuoteItemAction, QuoteState } from './schemas.ts';

/** An amount in a currency (TMF Money). */
export interface Money {
  unit?: string;
  value?: number;
}

/** A quote as stored (state, items, parties, billing accounts, validity), as the pricer is asked about it. */
export type QuoteDocument = Omit<Static<typeof Quote>, 'state'> & { id: string; href?: string; '@type'?: string; state: QuoteState };
export type QuoteItemDocument = QuoteDocument['quoteItem'][number];

/** One price of one unit of an item's product, as the catalog gives it. */
export interface QuoteItemPriceInput {
  name?: string;
  description?: string;
  priceType: PriceType;
  /** For a recurring price: month, week, year… */
  recurringChargePeriod?: string;
  /** For a usage price: what one unit is (GB, minute…); a usage price is a rate, never totalled. */
  unitOfMeasure?: string;
  /**
   * At least one amount. With a taxRate (percent), the missing one of
   * dutyFreeAmount and taxIncludedAmount is computed (rounded to cents).
   */
  price: { dutyFreeAmount?: Money; taxIncludedAmount?: Money; taxRate?: number };
  /** Alterations already applied to `price` (a welcome discount…), shown to the customer. */
  priceAlteration?: readonly Static<typeof PriceAlteration>[];
  productOfferingPrice?: ProductOfferingPriceRefValue;
}

/** The prices of one item (sub-items included, by their id); `action` is repeated for the flow's convenience. */
export interface QuoteItemPricing {
  id: string;
  action?: QuoteItemAction;
  prices: readonly QuoteItemPriceInput[];
}

export interface QuotePricing {
  /** Items without an entry stay unpriced: the quote then cannot be approved. */
  items: readonly QuoteItemPricing[];
  /** Until when these prices hold (e.g. a promotion's end); the quote's validity ends no later. */
  validUntil?: string;
  /** When the quote can be answered, when it needs more than the catalog (e.g. a manual price approval). */
  expectedQuoteCompletionDate?: string;
}

export interface QuotePricer {
  /**
   * Prices every item of `quote` for one unit of its product; the component
   * multiplies by the item's quantity and adds up the totals. Throwing an
   * OperonError (e.g. a 422 naming `quoteItem[1].productOffering.id` for an
   * offering that is not sold) refuses the request with that error.
   */
  price(quote: QuoteDocument, ctx: RequestContext): Promise<QuotePricing>;
}

declare module '@operon/tmf' {
  interface OperonPorts {
    quotePricer: QuotePricer;
  }
}
