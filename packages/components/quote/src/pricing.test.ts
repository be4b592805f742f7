import { describe, expect, it } from 'vitest';
import { itemPrice, totals } from './index.ts';

const eur = (value: number) => ({ unit: 'EUR', value });

describe('quote arithmetic', () => {
  it('completes a price from its tax rate, in cents, and applies the quantity except to usage rates', () => {
    expect(itemPrice({ priceType: 'recurring', recurringChargePeriod: 'month', price: { dutyFreeAmount: eur(33.33), taxRate: 20 } }, 3, 'p')).toEqual({
      priceType: 'recurring', recurringChargePeriod: 'month', price: { taxRate: 20, dutyFreeAmount: eur(99.99), taxIncludedAmount: eur(120) }, '@type': 'QuotePrice',
    });
    expect(itemPrice({ priceType: 'oneTime', price: { taxIncludedAmount: eur(10), taxRate: 5.5 } }, 1, 'p')['price']).toEqual({ taxRate: 5.5, dutyFreeAmount: eur(9.48), taxIncludedAmount: eur(10) });
    expect(itemPrice({ priceType: 'usage', unitOfMeasure: 'GB', price: { dutyFreeAmount: eur(2) } }, 5, 'p')['price']).toEqual({ dutyFreeAmount: eur(2) });
    // 0.1 + 0.2 is exact in cents
    const t = totals([{ quoteItemPrice: [itemPrice({ priceType: 'oneTime', price: { dutyFreeAmount: eur(0.1) } }, 1, 'a'), itemPrice({ priceType: 'oneTime', price: { dutyFreeAmount: eur(0.2) } }, 1, 'b')] }]);
    expect(t).toEqual([{ name: 'Total one-time', priceType: 'oneTime', price: { dutyFreeAmount: eur(0.3) }, '@type': 'QuotePrice' }]);
  });

  it('refuses a price the pricer got wrong: no amount, mixed currencies, a negative tax rate', () => {
    expect(() => itemPrice({ priceType: 'oneTime', price: { taxRate: 20 } }, 1, 'quoteItem[0] price 0')).toThrow('quoteItem[0] price 0 has no amount');
    expect(() => itemPrice({ priceType: 'oneTime', price: { dutyFreeAmount: eur(1), taxIncludedAmount: { unit: 'USD', value: 1.2 } } }, 1, 'p')).toThrow('EUR');
    expect(() => itemPrice({ priceType: 'oneTime', price: { dutyFreeAmount: eur(1), taxRate: -1 } }, 1, 'p')).toThrow('taxRate');
    expect(() => itemPrice({ priceType: 'oneTime', price: { dutyFreeAmount: { unit: 'EUR', value: Number.NaN } } }, 1, 'p')).toThrow('finite');
  });

  it('totals by charge period and currency, with a tax rate only when all agree, and no amount that some prices lack', () => {
    const p = (priceType: 'recurring' | 'oneTime' | 'usage', price: Record<string, unknown>, period?: string) => ({ priceType, ...(period ? { recurringChargePeriod: period } : {}), price });
    const t = totals([
      { quoteItemPrice: [p('recurring', { dutyFreeAmount: eur(10), taxIncludedAmount: eur(12), taxRate: 20 }, 'month'), p('usage', { dutyFreeAmount: eur(1) })] },
      { quoteItemPrice: [p('recurring', { dutyFreeAmount: eur(5), taxIncludedAmount: eur(5.5), taxRate: 10 }, 'month'), p('recurring', { taxIncludedAmount: eur(100) }, 'year')] },
      { quoteItemPrice: [p('recurring', { dutyFreeAmount: { unit: 'CHF', value: 7 } }, 'month'), p('oneTime', { dutyFreeAmount: eur(50) })] },
      { quoteItem: [] },
    ]);
    expect(t.map((x) => [x['name'], x['price']])).toEqual([
      ['Total monthly', { dutyFreeAmount: { unit: 'CHF', value: 7 } }],
      ['Total monthly', { dutyFreeAmount: eur(15), taxIncludedAmount: eur(17.5) }],
      ['Total yearly', { taxIncludedAmount: eur(100) }],
      ['Total one-time', { dutyFreeAmount: eur(50) }],
    ]);
  });
});
