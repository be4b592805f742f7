import { describe, expect, it } from 'vitest';
import { barsOf, intervalFor, intervalsOf, rangeText, resolvePeriod, withinShare, type ActivationBucket } from './data.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('periods', () => {
  it('resolves the relative periods from now, and checks a custom one', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(resolvePeriod({ kind: 'hour' }, now)).toEqual({ since: new Date(now - HOUR), until: new Date(now) });
    expect(resolvePeriod({ kind: 'week' }, now)).toEqual({ since: new Date(now - 7 * DAY), until: new Date(now) });
    expect(resolvePeriod({ kind: 'custom' }, now)).toEqual({ error: 'Give the start of the period' });
    expect(resolvePeriod({ kind: 'custom', from: '2026-01-02T10:00', to: '2026-01-01T10:00' }, now)).toEqual({ error: 'The period must end after it starts' });
    expect('since' in resolvePeriod({ kind: 'custom', from: '2026-01-01T10:00' }, now)).toBe(true);
  });

  it('draws hours up to two days, days up to two months, weeks beyond', () => {
    expect(intervalFor(HOUR)).toBe('hour');
    expect(intervalFor(DAY)).toBe('hour');
    expect(intervalFor(7 * DAY)).toBe('day');
    expect(intervalFor(365 * DAY)).toBe('week');
  });
});

describe('activation times', () => {
  // the server's edges, in part
  const edges = [0, S, 5 * S, 15 * S, 30 * S, MIN, 2 * MIN];
  const buckets = (counts: number[]): ActivationBucket[] => edges.map((fromMs, i) => ({ fromMs, toMs: edges[i + 1] ?? null, orders: counts[i] ?? 0 }));

  it('names the buckets in their units', () => {
    expect(rangeText(0, S)).toBe('0–1 s');
    expect(rangeText(5 * S, 15 * S)).toBe('5–15 s');
    expect(rangeText(30 * S, MIN)).toBe('30 s–1 min');
    expect(rangeText(30 * DAY, null)).toBe('≥ 30 d');
  });

  it('shows the bars from the first to the last used bucket, three at least', () => {
    expect(barsOf(buckets([0, 0, 2, 0, 1])).map((b) => [b.label, b.orders])).toEqual([['5–15 s', 2], ['15–30 s', 0], ['30 s–1 min', 1]]);
    expect(barsOf(buckets([0, 4])).map((b) => b.label)).toEqual(['1–5 s', '5–15 s', '15–30 s']);
    expect(barsOf(buckets([0, 0, 0, 0, 0, 0, 3])).map((b) => b.label)).toEqual(['30 s–1 min', '1–2 min', '≥ 2 min']);
    expect(barsOf(buckets([]))).toEqual([]);
  });

  it('says within which edge half and nine in ten of the orders were activated', () => {
    const b = buckets([1, 4, 4, 1]);
    expect(withinShare(b, 0.5)).toBe(5 * S);
    expect(withinShare(b, 0.9)).toBe(15 * S);
    expect(withinShare(buckets([]), 0.5)).toBeNull();
  });
});

describe('intervals', () => {
  it('rates the fallout among the orders that ended in each interval', () => {
    const rows = intervalsOf([
      { start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z', created: 3, completed: 1, failed: 2 },
      { start: '2026-03-01T11:00:00Z', end: '2026-03-01T12:00:00Z', created: 1, completed: 0, failed: 0 },
    ]);
    expect(rows.map((r) => [r.start.toISOString(), r.created, r.completed, r.fallenOut, r.rate])).toEqual([
      ['2026-03-01T10:00:00.000Z', 3, 1, 2, 2 / 3],
      ['2026-03-01T11:00:00.000Z', 1, 0, 0, null],
    ]);
  });
});
