import { describe, expect, it } from 'vitest';
import {
  addressChoice, allowedValues, defaultValue, orderBody, parseCharacteristic, qualificationBody, qualificationResult, quoteBody,
  type CustomerChoice, type Offering, type Quote, type SpecCharacteristic,
} from './model.ts';

const speed: SpecCharacteristic = {
  name: 'downloadSpeed', valueType: 'integer', configurable: true, minCardinality: 1,
  productSpecCharacteristicValue: [100, 300, 1000].map((v, i) => ({ valueType: 'integer', value: v, unitOfMeasure: 'Mbps', isDefault: i === 1 })),
};
const where: SpecCharacteristic = { name: 'installationAddress', valueType: 'string', configurable: true, minCardinality: 1 };
const roaming: SpecCharacteristic = { name: 'roaming', valueType: 'boolean', minCardinality: 0, productSpecCharacteristicValue: [{ value: false, isDefault: true }, { value: true }] };
const vlan: SpecCharacteristic = { name: 'vlan', valueType: 'integer', productSpecCharacteristicValue: [{ valueFrom: 2, valueTo: 4094 }] };
const fibre300: Offering = { id: 'po300', name: 'Fibre 300', productSpecification: { id: 'ps' }, prodSpecCharValueUse: [{ name: 'downloadSpeed', productSpecCharacteristicValue: [{ value: 300, isDefault: true }] }] };
const customer: CustomerChoice = { customerId: 'c1', name: 'Max Mustermann', party: { id: 'p1', name: 'Max Mustermann', '@referredType': 'Individual' } };
const address = addressChoice({ id: 'a1', streetName: 'Hafenweg', streetNr: '3', postcode: '20457', city: 'Hamburg', accessArea: 'HAM' });

describe('characteristics', () => {
  it('takes the values the offering narrows the specification to', () => {
    expect(allowedValues(speed, fibre300).map((v) => v.value)).toEqual([300]);
    expect(allowedValues(speed, { id: 'x' }).map((v) => v.value)).toEqual([100, 300, 1000]);
    expect(defaultValue(speed, fibre300, address)).toBe('300');
    expect(defaultValue(speed, undefined, address)).toBe('300');
    expect(defaultValue(where, fibre300, address)).toBe('Hafenweg 3, 20457 Hamburg');
  });

  it('types the value and checks it as the order validator does', () => {
    expect(parseCharacteristic(speed, '300', fibre300)).toEqual({ value: 300 });
    expect(parseCharacteristic(speed, '1000', fibre300).error).toMatch(/one of 300/);
    expect(parseCharacteristic(speed, '3.5', undefined).error).toMatch(/whole number/);
    expect(parseCharacteristic(speed, ' ', undefined).error).toMatch(/required/);
    expect(parseCharacteristic(roaming, '', undefined)).toEqual({});
    expect(parseCharacteristic(roaming, 'true', undefined)).toEqual({ value: true });
    expect(parseCharacteristic(roaming, 'maybe', undefined).error).toMatch(/yes or no/);
    expect(parseCharacteristic(vlan, '100', undefined)).toEqual({ value: 100 });
    expect(parseCharacteristic(vlan, '5000', undefined).error).toBe('vlan must be from 2 to 4094');
    expect(parseCharacteristic(where, 'Hafenweg 3', undefined)).toEqual({ value: 'Hafenweg 3' });
  });
});

describe('documents', () => {
  it('qualifies every offering at the place and reads the answer per offering', () => {
    const offerings: Offering[] = [fibre300, { id: 'voip', name: 'VoIP' }];
    const body = qualificationBody(customer, address, offerings);
    expect(body).toMatchObject({
      instantSyncQualification: true,
      relatedParty: [{ id: 'p1', role: 'customer', '@referredType': 'Individual' }],
      place: [{ id: 'a1', role: 'installationAddress', '@referredType': 'GeographicAddress' }],
    });
    const answer = qualificationResult({
      id: 'q1', state: 'done',
      productOfferingQualificationItem: [
        { id: '1', qualificationItemResult: 'qualified' },
        { id: '2', qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'noCapacity', label: 'no free SIP account' }] },
      ],
    }, offerings);
    expect(answer.offerings.map((o) => [o.offering.id, o.qualified, o.reason])).toEqual([['po300', true, undefined], ['voip', false, 'no free SIP account']]);
  });

  it('orders what was quoted: the items with their prices, the customer, the account, the place', () => {
    const q = quoteBody({ customer, address, offering: fibre300, characteristics: [{ name: 'downloadSpeed', value: 300 }], billingAccount: { id: 'ba1' }, qualification: { id: 'q1', offerings: [{ offering: fibre300, itemId: '1', qualified: true }] } });
    expect(q).toMatchObject({ instantSyncQuote: true, billingAccount: [{ id: 'ba1' }], quoteItem: [{ action: 'add', productOfferingQualificationItem: { id: '1', productOfferingQualificationId: 'q1' } }] });
    const price = { name: 'Fibre 300 monthly fee', priceType: 'recurring', recurringChargePeriod: 'month', price: { taxIncludedAmount: { unit: 'EUR', value: 47.99 }, dutyFreeAmount: { unit: 'EUR', value: 39.99 }, taxRate: 20 }, productOfferingPrice: { id: 'pop' } };
    const quote: Quote = {
      id: 'qt1', href: 'http://x/quote/qt1', state: 'approved',
      quoteItem: [{ id: '1', action: 'add', quantity: 1, productOffering: { id: 'po300', name: 'Fibre 300' }, product: { productCharacteristic: [{ name: 'downloadSpeed', value: 300 }] }, quoteItemPrice: [{ ...price, '@type': 'QuotePrice' } as never] }],
    };
    const order = orderBody({ customer, billingAccount: { id: 'ba1', name: 'Max' }, address, quote });
    expect(order).toMatchObject({
      relatedParty: [{ id: 'p1', name: 'Max Mustermann', role: 'customer', '@referredType': 'Individual' }],
      billingAccount: { id: 'ba1', '@referredType': 'BillingAccount' },
      quote: [{ id: 'qt1', '@referredType': 'Quote' }],
      productOrderItem: [{
        id: '1', action: 'add', quantity: 1, productOffering: { id: 'po300' },
        product: { '@type': 'Product', productCharacteristic: [{ name: 'downloadSpeed', value: 300 }], place: [{ id: 'a1', role: 'installationAddress' }] },
        itemPrice: [price],
        quoteItem: { id: '1', quoteId: 'qt1' },
      }],
    });
    // the quote's own type marker is not an order price's
    expect(((order['productOrderItem'] as Record<string, unknown>[])[0]!['itemPrice'] as Record<string, unknown>[])[0]!['@type']).toBeUndefined();
  });
});
