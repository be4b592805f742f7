import { describe, expect, it } from 'vitest';
import { allowedBy, checkCharacteristic, checkCharacteristics, checkFeatures, compilePattern, fitsKind, inRange, valueKind, type CharacteristicOptions } from './characteristics.ts';

const V = 'values';
const opts: CharacteristicOptions = { valuesKey: V };
const strict: CharacteristicOptions = { valuesKey: V, malformed: 'badRequest' };

/** The refusal `fn` throws: its status and the field it names. */
function refusal(fn: () => void): { status: number; field: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    const { status, field, message } = e as { status: number; field?: string; message: string };
    return { status, field, message };
  }
  throw new Error('expected a refusal');
}
const check = (c: Record<string, unknown>, o = opts) => () => checkCharacteristic(c, 'c', o);

describe('value kinds', () => {
  it('reads the usual names of value types, any case, and leaves custom ones alone', () => {
    expect(['string', 'Text', ' integer ', 'long', 'float', 'DECIMAL', 'bool', 'object', 'array', 'datetime'].map(valueKind)).toEqual([
      'string', 'string', 'integer', 'integer', 'number', 'number', 'boolean', 'object', 'array', 'date-time',
    ]);
    expect(valueKind('ipv4Address')).toBeUndefined();
    expect(valueKind(undefined)).toBeUndefined();
  });

  it('tells whether a value fits a kind', () => {
    expect(fitsKind(3, 'integer')).toBe(true);
    expect(fitsKind(3.5, 'integer')).toBe(false);
    expect(fitsKind(3.5, 'number')).toBe(true);
    expect(fitsKind('3', 'number')).toBe(false);
    expect(fitsKind({}, 'object')).toBe(true);
    expect(fitsKind([], 'object')).toBe(false);
    expect(fitsKind([], 'array')).toBe(true);
    expect(fitsKind('2025-01-01T00:00:00Z', 'date-time')).toBe(true);
    expect(fitsKind('tomorrow', 'date-time')).toBe(false);
    expect(fitsKind(false, 'boolean')).toBe(true);
  });

  it('includes range bounds as rangeInterval says, closed by default', () => {
    const r = (rangeInterval?: string) => ({ valueFrom: 1, valueTo: 10, ...(rangeInterval ? { rangeInterval } : {}) });
    expect([1, 10].map((x) => inRange(x, r()))).toEqual([true, true]);
    expect([1, 10].map((x) => inRange(x, r('open')))).toEqual([false, false]);
    expect([1, 10].map((x) => inRange(x, r('closedBottom')))).toEqual([true, false]);
    expect([1, 10].map((x) => inRange(x, r('closedTop')))).toEqual([false, true]);
    expect(inRange(0, { valueTo: 5 })).toBe(true);
    expect(inRange(11, r())).toBe(false);
  });

  it('matches whole values against a pattern, and refuses a pattern that does not compile', () => {
    expect(compilePattern('[0-9]+', 'f')!.test('123')).toBe(true);
    expect(compilePattern('[0-9]+', 'f')!.test('12a')).toBe(false);
    expect(compilePattern(undefined, 'f')).toBeUndefined();
    expect(refusal(() => compilePattern('[0-9', 'c.regex'))).toMatchObject({ status: 422, field: 'c.regex' });
    expect(refusal(() => compilePattern('[0-9', 'c.regex', 'badRequest'))).toMatchObject({ status: 400, field: 'c.regex' });
  });
});

describe('one characteristic', () => {
  it('accepts a consistent definition, and a system-assigned range that is not configurable', () => {
    expect(check({ name: 'speed', valueType: 'integer', minCardinality: 1, maxCardinality: 1, values: [{ valueFrom: 100, valueTo: 1000 }, { value: 300, isDefault: true }] })).not.toThrow();
    expect(check({ name: 'vlanId', valueType: 'integer', configurable: false, values: [{ valueFrom: 2, valueTo: 4094 }] })).not.toThrow();
    expect(check({ name: 'codecs', valueType: 'string', maxCardinality: 3, values: [{ value: 'G711', isDefault: true }, { value: 'OPUS', isDefault: true }] })).not.toThrow();
    expect(check({ name: 'ratio', valueType: 'number', values: [{ value: 2, valueType: 'integer' }] })).not.toThrow();
  });

  it('refuses cardinalities that are negative or out of order', () => {
    expect(refusal(check({ minCardinality: -1 }))).toMatchObject({ status: 422, field: 'c.minCardinality' });
    expect(refusal(check({ maxCardinality: -1 }, strict))).toMatchObject({ status: 400, field: 'c.maxCardinality' });
    const r = refusal(check({ minCardinality: 2, maxCardinality: 1 }, strict));
    expect(r).toMatchObject({ status: 422, field: 'c.minCardinality' });
    expect(r.message).toContain('c.maxCardinality');
  });

  it('refuses values of the wrong type, contradicting types and patterns they do not match', () => {
    expect(refusal(check({ valueType: 'integer', values: [{ value: 'fast' }] }))).toMatchObject({ status: 422, field: 'c.values[0].value' });
    expect(refusal(check({ valueType: 'integer', values: [{ value: 'fast' }] }, strict))).toMatchObject({ status: 400, field: 'c.values[0].value' });
    expect(refusal(check({ valueType: 'integer', values: [{ value: 1, valueType: 'string' }] }))).toMatchObject({ status: 422, field: 'c.values[0].valueType' });
    expect(refusal(check({ valueType: 'string', regex: '[a-z]+', values: [{ value: 'ABC' }] }))).toMatchObject({ status: 422, field: 'c.values[0].value' });
    expect(refusal(check({ valueType: 'string', values: [{ value: 'ab', regex: '[0-9]+' }] }))).toMatchObject({ status: 422, field: 'c.values[0].value' });
    expect(refusal(check({ regex: '(' }, strict))).toMatchObject({ status: 400, field: 'c.regex' });
  });

  it('refuses ranges out of order, not numeric, with an unknown or pointless interval, and values outside their own range', () => {
    const r = refusal(check({ values: [{ valueFrom: 10, valueTo: 5 }] }));
    expect(r).toMatchObject({ status: 422, field: 'c.values[0].valueFrom' });
    expect(r.message).toContain('c.values[0].valueTo');
    expect(refusal(check({ valueType: 'string', values: [{ valueFrom: 1, valueTo: 2 }] }))).toMatchObject({ status: 422, field: 'c.values[0].valueFrom' });
    expect(refusal(check({ values: [{ valueFrom: 1, rangeInterval: 'half' }] }, strict))).toMatchObject({ status: 400, field: 'c.values[0].rangeInterval' });
    expect(refusal(check({ values: [{ value: 1, rangeInterval: 'open' }] }))).toMatchObject({ status: 422, field: 'c.values[0].rangeInterval' });
    expect(refusal(check({ values: [{ valueFrom: 1, valueTo: 5, value: 9 }] }))).toMatchObject({ status: 422, field: 'c.values[0].value' });
  });

  it('allows as many defaults as the characteristic takes values, inside its ranges', () => {
    expect(refusal(check({ values: [{ value: 1, isDefault: true }, { value: 2, isDefault: true }] }))).toMatchObject({ status: 422, field: 'c.values' });
    expect(refusal(check({ valueType: 'integer', values: [{ valueFrom: 10, valueTo: 100 }, { value: 500, isDefault: true }] }))).toMatchObject({ field: 'c.values[1].value' });
    expect(refusal(check({ valueType: 'integer', values: [{ valueFrom: 10, valueTo: 100, rangeInterval: 'open' }, { value: 100, isDefault: true }] }))).toMatchObject({ field: 'c.values[1].value' });
  });

  it('checks its validity period', () => {
    expect(refusal(check({ validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }))).toMatchObject({ status: 422, field: 'c.validFor.endDateTime' });
  });
});

describe('a list of characteristics', () => {
  it('needs a unique name for each', () => {
    expect(() => checkCharacteristics([{ name: 'a' }, { name: 'b' }], 'chars', opts)).not.toThrow();
    expect(refusal(() => checkCharacteristics([{ valueType: 'string' }], 'chars', opts))).toMatchObject({ status: 422, field: 'chars[0].name' });
    expect(refusal(() => checkCharacteristics([{ name: ' ' }], 'chars', strict))).toMatchObject({ status: 400, field: 'chars[0].name' });
    expect(refusal(() => checkCharacteristics([{ name: 'a' }, { name: 'a' }], 'chars', opts))).toMatchObject({ status: 422, field: 'chars[1].name' });
    expect(refusal(() => checkCharacteristics([{ name: 'a', minCardinality: 3, maxCardinality: 2 }], 'chars', opts))).toMatchObject({ field: 'chars[0].minCardinality' });
  });

  it('checks features: unique names, periods and their characteristics', () => {
    expect(() => checkFeatures([{ name: 'f', featureSpecCharacteristic: [{ name: 'level', featureSpecCharacteristicValue: [{ value: 'high', isDefault: true }] }] }])).not.toThrow();
    expect(refusal(() => checkFeatures([{ name: 'f' }, { name: 'f' }]))).toMatchObject({ field: 'featureSpecification[1].name' });
    expect(refusal(() => checkFeatures([{ name: 'f', featureSpecCharacteristic: [{ name: 'x', minCardinality: 2, maxCardinality: 1 }] }]))).toMatchObject({
      field: 'featureSpecification[0].featureSpecCharacteristic[0].minCardinality',
    });
    expect(refusal(() => checkFeatures([{ validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }]))).toMatchObject({
      field: 'featureSpecification[0].validFor.endDateTime',
    });
  });
});

describe('values a characteristic allows', () => {
  const spec = { values: [{ value: 'red' }, { valueFrom: 10, valueTo: 20 }] };
  it('are its listed values and the numbers in its ranges', () => {
    expect(allowedBy(spec, 'red', V)).toBe(true);
    expect(allowedBy(spec, 'blue', V)).toBe(false);
    expect(allowedBy(spec, 15, V)).toBe(true);
    expect(allowedBy(spec, 25, V)).toBe(false);
    expect(allowedBy({}, 'anything', V)).toBe(true);
  });
});
