import { unprocessable } from '@operon/kernel';

/**
 * Business rules on the TMF TimePeriod that any component may apply. A period
 * is read half-open, [startDateTime, endDateTime): a missing bound is open,
 * and the end instant itself is outside the period.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** A bound in epoch milliseconds: NaN when absent or unreadable. */
const bound = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : NaN);

/** Start and end of a period in epoch milliseconds; a bound that is missing or unreadable is open (±Infinity). */
export function periodBounds(period: unknown): { start: number; end: number } {
  if (!isObject(period)) return { start: -Infinity, end: Infinity };
  const start = bound(period['startDateTime']);
  const end = bound(period['endDateTime']);
  return { start: Number.isNaN(start) ? -Infinity : start, end: Number.isNaN(end) ? Infinity : end };
}

/**
 * A period must end after it starts; `field` is its path ('' for a document
 * that is itself a period). Read half-open, a period whose end equals its
 * start holds no instant, so whatever it dates would never be valid.
 */
export function checkTimePeriod(period: unknown, field: string): void {
  if (!isObject(period)) return;
  const start = bound(period['startDateTime']);
  const end = bound(period['endDateTime']);
  if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) {
    const [s, e] = [join(field, 'startDateTime'), join(field, 'endDateTime')];
    throw unprocessable(`${e} (${String(period['endDateTime'])}) must be after ${s} (${String(period['startDateTime'])})`, e);
  }
}

/** Every period of a document, wherever it is nested: any object with a start and an end is checked as one. */
export function checkTimePeriods(value: unknown, path = ''): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkTimePeriods(v, join(path, i)));
    return;
  }
  if (!isObject(value)) return;
  if (value['startDateTime'] !== undefined && value['endDateTime'] !== undefined) checkTimePeriod(value, path);
  for (const [k, v] of Object.entries(value)) checkTimePeriods(v, join(path, k));
}

/** Where the instant `at` falls with respect to the period. */
export function periodState(period: unknown, at: Date | number): 'before' | 'within' | 'after' {
  const t = typeof at === 'number' ? at : at.getTime();
  const { start, end } = periodBounds(period);
  if (t < start) return 'before';
  if (t >= end) return 'after';
  return 'within';
}

/** Whether the period contains the instant `at`. */
export function isCurrent(period: unknown, at: Date | number): boolean {
  return periodState(period, at) === 'within';
}

/** Whether two periods share at least one instant. */
export function periodsOverlap(a: unknown, b: unknown): boolean {
  const p = periodBounds(a);
  const q = periodBounds(b);
  return p.start < q.end && q.start < p.end;
}
