import { describe, expect, it } from 'vitest';
import { checkTimePeriod, checkTimePeriods, isCurrent, periodBounds, periodState, periodsOverlap } from './rules.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const p = (startDateTime?: string, endDateTime?: string) => ({
  ...(startDateTime ? { startDateTime } : {}),
  ...(endDateTime ? { endDateTime } : {}),
});
const JAN = '2024-01-01T00:00:00Z';
const FEB = '2024-02-01T00:00:00Z';

describe('periodBounds', () => {
  it('reads the bounds in epoch milliseconds, open where missing or unreadable', () => {
    expect(periodBounds(p(JAN, FEB))).toEqual({ start: Date.parse(JAN), end: Date.parse(FEB) });
    expect(periodBounds(p(JAN))).toEqual({ start: Date.parse(JAN), end: Infinity });
    expect(periodBounds(p(undefined, FEB))).toEqual({ start: -Infinity, end: Date.parse(FEB) });
    expect(periodBounds({ startDateTime: 'soon', endDateTime: 42 })).toEqual({ start: -Infinity, end: Infinity });
    expect(periodBounds(undefined)).toEqual({ start: -Infinity, end: Infinity });
  });
});

describe('checkTimePeriod', () => {
  it('accepts ordered, open-ended and absent periods', () => {
    for (const period of [p(JAN, FEB), p(JAN), p(undefined, FEB), {}, undefined, 'not a period']) {
      expect(() => checkTimePeriod(period, 'validFor')).not.toThrow();
    }
  });

  it('refuses a period that ends before it starts, naming its end', () => {
    expect(() => checkTimePeriod(p(FEB, JAN), 'validFor')).toThrow(refused('validFor.endDateTime'));
    expect(() => checkTimePeriod(p(FEB, JAN), 'contactMedium[2].validFor')).toThrow(refused('contactMedium[2].validFor.endDateTime'));
  });

  it('refuses a period that ends when it starts: it holds no instant', () => {
    expect(() => checkTimePeriod(p(JAN, JAN), 'validFor')).toThrow(refused('validFor.endDateTime'));
    // the same instant written in another offset is the same instant
    expect(() => checkTimePeriod(p('2024-01-01T01:00:00+01:00', JAN), 'validFor')).toThrow(refused('validFor.endDateTime'));
  });

  it('leaves unreadable bounds to the schema', () => {
    expect(() => checkTimePeriod({ startDateTime: 'tomorrow', endDateTime: JAN }, 'validFor')).not.toThrow();
  });

  it('names the bare attribute when the document itself is the period', () => {
    expect(() => checkTimePeriod(p(FEB, JAN), '')).toThrow(refused('endDateTime'));
  });
});

describe('checkTimePeriods', () => {
  it('checks every period of a document, however deep, naming its path', () => {
    const doc = {
      validFor: p(JAN, FEB),
      contact: [{ validFor: p(JAN) }, { contactMedium: [{ validFor: p(JAN, FEB) }, { validFor: p(FEB, JAN) }] }],
    };
    expect(() => checkTimePeriods(doc)).toThrow(refused('contact[1].contactMedium[1].validFor.endDateTime'));
    expect(() => checkTimePeriods({ balance: { period: p(FEB, JAN) } })).toThrow(refused('balance.period.endDateTime'));
    expect(() => checkTimePeriods([p(JAN, FEB), p(FEB, JAN)], 'periods')).toThrow(refused('periods[1].endDateTime'));
  });

  it('accepts documents whose periods are all well ordered', () => {
    expect(() => checkTimePeriods({ validFor: p(JAN, FEB), items: [{ validFor: p(JAN) }, 'x', 3, null] })).not.toThrow();
  });
});

describe('periodState and isCurrent', () => {
  const period = p(JAN, FEB);

  it('places an instant before, within or after the period, its start included and its end excluded', () => {
    expect(periodState(period, Date.parse(JAN) - 1)).toBe('before');
    expect(periodState(period, Date.parse(JAN))).toBe('within');
    expect(periodState(period, new Date('2024-01-15T00:00:00Z'))).toBe('within');
    expect(periodState(period, Date.parse(FEB))).toBe('after');
    expect(isCurrent(period, Date.parse(JAN))).toBe(true);
    expect(isCurrent(period, new Date(FEB))).toBe(false);
  });

  it('treats missing bounds and missing periods as unbounded', () => {
    expect(periodState(p(JAN), new Date('2999-01-01T00:00:00Z'))).toBe('within');
    expect(periodState(p(undefined, FEB), new Date('1900-01-01T00:00:00Z'))).toBe('within');
    expect(periodState(undefined, 0)).toBe('within');
    expect(isCurrent({}, Date.now())).toBe(true);
  });
});

describe('periodsOverlap', () => {
  it('tells whether two periods share an instant', () => {
    const march = '2024-03-01T00:00:00Z';
    expect(periodsOverlap(p(JAN, march), p(FEB))).toBe(true);
    expect(periodsOverlap(p(FEB), p(JAN, march))).toBe(true);
    expect(periodsOverlap(undefined, p(JAN, FEB))).toBe(true);
    // one ending when the other starts: the end instant is not part of the first
    expect(periodsOverlap(p(JAN, FEB), p(FEB, march))).toBe(false);
    expect(periodsOverlap(p(undefined, JAN), p(FEB))).toBe(false);
  });
});
