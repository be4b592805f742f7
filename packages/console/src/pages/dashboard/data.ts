/**
 * What the dashboard draws, for a chosen period, from the Lead-to-Cash KPIs
 * (GET /ops/kpi/lead-to-cash?since&until&interval): orders by state, fallout,
 * order-to-activation per offering and as a histogram, orders created,
 * completed and fallen out per interval, and the eTOM step durations.
 */
import type { LeadToCashKpis, OfferingKpi } from '@operon/lead-to-cash';
import { api, qs } from '../../api.ts';
import { API } from '../orders/tmf.ts';

export type PeriodKind = 'hour' | 'day' | 'week' | 'custom';

export interface Period {
  kind: PeriodKind;
  /** datetime-local values, for a custom period. */
  from?: string;
  to?: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPANS: Record<Exclude<PeriodKind, 'custom'>, number> = { hour: HOUR, day: DAY, week: 7 * DAY };

export function resolvePeriod(p: Period, now: number): { since: Date; until: Date } | { error: string } {
  if (p.kind !== 'custom') return { since: new Date(now - SPANS[p.kind]), until: new Date(now) };
  const since = p.from ? new Date(p.from) : undefined;
  const until = p.to ? new Date(p.to) : new Date(now);
  if (!since || Number.isNaN(since.getTime())) return { error: 'Give the start of the period' };
  if (Number.isNaN(until.getTime())) return { error: 'The end of the period is not a date and time' };
  if (until.getTime() <= since.getTime()) return { error: 'The period must end after it starts' };
  return { since, until };
}

/** The answer's shapes, as the server declares them (types only: nothing of the server reaches the bundle). */
export type { LeadToCashKpis, OfferingKpi };
export type ActivationBucket = LeadToCashKpis['orderToActivationHistogram']['buckets'][number];
export type TimelineBucket = LeadToCashKpis['timeline']['buckets'][number];
export type TimelineInterval = LeadToCashKpis['timeline']['interval'];

/** Hours up to two days, days up to two months, weeks beyond: a readable number of bars. */
export function intervalFor(spanMs: number): TimelineInterval {
  return spanMs <= 2 * DAY ? 'hour' : spanMs <= 62 * DAY ? 'day' : 'week';
}

export interface Bar {
  label: string;
  fromMs: number;
  toMs: number | null;
  orders: number;
}

export interface Interval {
  start: Date;
  end: Date;
  created: number;
  completed: number;
  fallenOut: number;
  /** Fallen out / ended in the interval; null when none ended. */
  rate: number | null;
}

export interface DashboardData {
  since: Date;
  until: Date;
  kpis: LeadToCashKpis;
  bars: Bar[];
  intervals: Interval[];
  /** Upper edges within which half and nine in ten of the completed orders were activated. */
  within50: number | null;
  within90: number | null;
}

const UNITS: Array<[number, string]> = [[DAY, 'd'], [HOUR, 'h'], [MINUTE, 'min'], [SECOND, 's'], [1, 'ms']];

/** A round duration in its largest whole unit: 500 ms, 2 s, 15 min. */
function unitOf(ms: number): [number, string] {
  return UNITS.find(([u]) => ms >= u && ms % u === 0) ?? [1, 'ms'];
}

/** `5–15 s`, `30 s–1 min`, `0–1 s`, `≥ 30 d`: a bar of the distribution. */
export function rangeText(from: number, to: number | null): string {
  if (to === null) {
    const [u, n] = unitOf(from);
    return `≥ ${from / u} ${n}`;
  }
  const [tu, tn] = unitOf(to);
  const [fu, fn] = from === 0 ? [tu, tn] : unitOf(from);
  return fn === tn ? `${from / fu}–${to / tu} ${tn}` : `${from / fu} ${fn}–${to / tu} ${tn}`;
}

/** The server's fixed buckets, from the first to the last that holds an order (at least three shown). */
export function barsOf(buckets: readonly ActivationBucket[]): Bar[] {
  const used = buckets.map((b, i) => (b.orders > 0 ? i : -1)).filter((i) => i >= 0);
  if (used.length === 0) return [];
  const first = Math.max(0, Math.min(used[0]!, buckets.length - 3));
  const last = Math.min(buckets.length - 1, Math.max(used[used.length - 1]!, first + 2));
  return buckets.slice(first, last + 1).map((b) => ({ label: rangeText(b.fromMs, b.toMs), fromMs: b.fromMs, toMs: b.toMs, orders: b.orders }));
}

/** The upper edge of the bucket in which `share` of the orders have been counted. */
export function withinShare(buckets: readonly ActivationBucket[], share: number): number | null {
  const total = buckets.reduce((n, b) => n + b.orders, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const b of buckets) {
    seen += b.orders;
    if (seen >= share * total) return b.toMs;
  }
  return null;
}

export function intervalsOf(buckets: readonly TimelineBucket[]): Interval[] {
  return buckets.map((b) => {
    const ended = b.completed + b.failed;
    return { start: new Date(b.start), end: new Date(b.end), created: b.created, completed: b.completed, fallenOut: b.failed, rate: ended === 0 ? null : b.failed / ended };
  });
}

export async function loadDashboard(since: Date, until: Date): Promise<DashboardData> {
  const kpis = await api<LeadToCashKpis>(`${API.kpi}${qs({ since: since.toISOString(), until: until.toISOString(), interval: intervalFor(until.getTime() - since.getTime()) })}`);
  const buckets = kpis.orderToActivationHistogram.buckets;
  return {
    since, until, kpis,
    bars: barsOf(buckets),
    intervals: intervalsOf(kpis.timeline.buckets),
    within50: withinShare(buckets, 0.5),
    within90: withinShare(buckets, 0.9),
  };
}
