/**
 * Quote arithmetic: the prices of an item from the unit prices the
 * `quotePricer` gives (taxes completed, quantity applied), and the quote's
 * totals. Amounts are kept in cents while adding up, so that totals are exact.
 */
import type { Doc } from '@operon/tmf';
import type { Money, QuoteItemPriceInput, QuotePricing } from './ports.ts';

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const cents = (v: number) => Math.round(v * 100);
const fromCents = (c: number) => c / 100;

/** A defect of the pricer, not of the request: reported as a server error with what was wrong. */
export class PricingDefect extends Error {}

function amount(m: Money | undefined, what: string): { unit: string; cents: number } | undefined {
  if (m === undefined) return undefined;
  if (typeof m.value !== 'number' || !Number.isFinite(m.value) || typeof m.unit !== 'string' || m.unit === '') {
    throw new PricingDefect(`${what} must have a currency and a finite value`);
  }
  return { unit: m.unit, cents: cents(m.value) };
}

/**
 * One price of an item, for `quantity` units, both amounts present: the one
 * the pricer left out is derived from the other and the tax rate.
 */
export function itemPrice(input: QuoteItemPriceInput, quantity: number, what: string): Doc {
  const rate = input.price.taxRate;
  if (rate !== undefined && (!Number.isFinite(rate) || rate < 0)) throw new PricingDefect(`${what}: taxRate must be a non-negative number`);
  let free = amount(input.price.dutyFreeAmount, `${what}.dutyFreeAmount`);
  let incl = amount(input.price.taxIncludedAmount, `${what}.taxIncludedAmount`);
  if (free === undefined && incl === undefined) throw new PricingDefect(`${what} has no amount`);
  if (free && incl && free.unit !== incl.unit) throw new PricingDefect(`${what}: dutyFreeAmount is in ${free.unit} and taxIncludedAmount in ${incl.unit}`);
  if (rate !== undefined) {
    if (free && !incl) incl = { unit: free.unit, cents: Math.round(free.cents * (1 + rate / 100)) };
    if (incl && !free) free = { unit: incl.unit, cents: Math.round(incl.cents / (1 + rate / 100)) };
  }
  // a usage price is a rate per unit of measure: the quantity of products does not multiply it
  const n = input.priceType === 'usage' ? 1 : quantity;
  const price: Doc = {};
  if (rate !== undefined) price['taxRate'] = rate;
  if (free) price['dutyFreeAmount'] = { unit: free.unit, value: fromCents(free.cents * n) };
  if (incl) price['taxIncludedAmount'] = { unit: incl.unit, value: fromCents(incl.cents * n) };
  const out: Doc = { priceType: input.priceType };
  for (const k of ['name', 'description', 'recurringChargePeriod', 'unitOfMeasure'] as const) if (input[k] !== undefined) out[k] = input[k];
  out['price'] = price;
  if (input.priceAlteration !== undefined && input.priceAlteration.length > 0) out['priceAlteration'] = input.priceAlteration.map((a) => ({ ...a }));
  if (input.productOfferingPrice !== undefined) out['productOfferingPrice'] = { ...input.productOfferingPrice };
  out['@type'] = 'QuotePrice';
  return out;
}

interface Total {
  priceType: string;
  period?: string;
  unit: string;
  /** Sums in cents; null once a price without that amount is met (the total is then unknown). */
  free: number | null;
  incl: number | null;
  rates: Set<number | undefined>;
}

const ADVERB: Record<string, string> = { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' };
const totalName = (t: Total) => (t.period ? `Total ${ADVERB[t.period] ?? `per ${t.period}`}` : 'Total one-time');

/**
 * The quote's totals: recurring prices by charge period, one-time prices, each
 * by currency. Usage prices are rates and are not totalled. A total carries a
 * tax rate only when every price in it has the same one.
 */
export function totals(items: readonly Doc[]): Doc[] {
  const byKey = new Map<string, Total>();
  for (const item of items) {
    for (const p of Array.isArray(item['quoteItemPrice']) ? item['quoteItemPrice'] : []) {
      if (!isObject(p) || (p['priceType'] !== 'recurring' && p['priceType'] !== 'oneTime')) continue;
      const price = isObject(p['price']) ? p['price'] : {};
      const free = price['dutyFreeAmount'] as Money | undefined;
      const incl = price['taxIncludedAmount'] as Money | undefined;
      const unit = String(free?.unit ?? incl?.unit);
      const period = p['priceType'] === 'recurring' ? String(p['recurringChargePeriod'] ?? 'month') : undefined;
      const key = `${String(p['priceType'])}|${period ?? ''}|${unit}`;
      const t = byKey.get(key) ?? { priceType: String(p['priceType']), ...(period ? { period } : {}), unit, free: 0, incl: 0, rates: new Set() };
      t.free = free && t.free !== null ? t.free + cents(free.value ?? 0) : null;
      t.incl = incl && t.incl !== null ? t.incl + cents(incl.value ?? 0) : null;
      t.rates.add(typeof price['taxRate'] === 'number' ? price['taxRate'] : undefined);
      byKey.set(key, t);
    }
  }
  const order = (t: Total) => (t.priceType === 'recurring' ? 0 : 1);
  return [...byKey.values()].sort((a, b) => order(a) - order(b) || (a.period ?? '').localeCompare(b.period ?? '') || a.unit.localeCompare(b.unit)).map((t) => {
    const rate = t.rates.size === 1 ? [...t.rates][0] : undefined;
    const price: Doc = {};
    if (rate !== undefined) price['taxRate'] = rate;
    if (t.free !== null) price['dutyFreeAmount'] = { unit: t.unit, value: fromCents(t.free) };
    if (t.incl !== null) price['taxIncludedAmount'] = { unit: t.unit, value: fromCents(t.incl) };
    return { name: totalName(t), priceType: t.priceType, ...(t.period ? { recurringChargePeriod: t.period } : {}), price, '@type': 'QuotePrice' };
  });
}

/** Every item of a quote, sub-items included, depth first, with its path. */
export function itemsOf(quote: Doc): Array<{ item: Doc; path: string }> {
  const out: Array<{ item: Doc; path: string }> = [];
  const walk = (list: unknown, path: string) => {
    (Array.isArray(list) ? list : []).forEach((item, i) => {
      if (!isObject(item)) return;
      out.push({ item, path: `${path}[${i}]` });
      walk(item['quoteItem'], `${path}[${i}].quoteItem`);
    });
  };
  walk(quote['quoteItem'], 'quoteItem');
  return out;
}

/**
 * Writes the pricer's answer into the quote: each item's prices (an item the
 * pricer did not price has none), and the totals.
 */
export function applyPricing(quote: Doc, pricing: QuotePricing): void {
  const byId = new Map(pricing.items.map((p) => [p.id, p]));
  const all = itemsOf(quote);
  for (const { item, path } of all) {
    const p = byId.get(String(item['id']));
    const quantity = typeof item['quantity'] === 'number' ? item['quantity'] : 1;
    if (p === undefined || p.prices.length === 0) delete item['quoteItemPrice'];
    else item['quoteItemPrice'] = p.prices.map((input, i) => itemPrice(input, quantity, `the quotePricer's price ${i} of ${path}`));
  }
  const priced = all.map((a) => a.item);
  const t = totals(priced);
  if (t.length > 0) quote['quoteTotalPrice'] = t;
  else delete quote['quoteTotalPrice'];
}
