import type { Queryable } from './database.ts';

/**
 * The outbox as PostgreSQL keeps it: one row per transaction (`outbox_batch`)
 * holding its events in the order they were raised. The relay stamps a row
 * with a range of positions, one per event, so that consumers follow a
 * gap-free cursor of events whatever the rows.
 */

/** An event as the outbox row stores it (its position is the row's first position plus its index). */
export interface StoredEvent {
  eventId: string;
  api: string;
  eventType: string;
  resourceType: string;
  resourceId: string;
  payload: Record<string, unknown>;
}

/** An event as consumers see it: written in a commit, then given its position by the relay. */
export interface RelayEvent extends StoredEvent {
  position: number;
}

/** The highest position stamped so far (0 when nothing was), as an SQL expression. */
export const OUTBOX_HEAD_SQL = '(SELECT coalesce(max(last_position), 0) FROM outbox_batch)';

/**
 * Events of one transaction per row, at most this many: larger transactions
 * (bulk imports) take several rows, so that the `outbox` view's `seq`
 * (row × 2^20 + index) keeps them in order.
 */
export const OUTBOX_ROW_EVENTS = 10_000;

/** What a page of the outbox gave: the events asked for, and how far it looked. */
export interface OutboxPage {
  events: RelayEvent[];
  /** Every event up to this position was seen (those not asked for were passed over). */
  through: number;
  /** The page was cut at its limit: there may be more before the bound asked for. */
  full: boolean;
}

export interface OutboxFilter {
  /** Read up to this position (inclusive); unbounded when omitted. */
  upTo?: number;
  /** Only these event types. */
  eventTypes?: readonly string[];
  /** Only this API's events. */
  api?: string;
  /** Rows read at most (default 100). */
  rows?: number;
}

/** The events of one stamped row, with their positions, that pass `keep`. */
export function eventsOf(first: number, stored: readonly StoredEvent[], after: number, upTo: number, keep: (e: StoredEvent) => boolean): RelayEvent[] {
  const out: RelayEvent[] = [];
  for (let i = Math.max(0, after - first + 1); i < stored.length; i++) {
    const position = first + i;
    if (position > upTo) break;
    const e = stored[i]!;
    if (!keep(e)) continue;
    out.push({ position, eventId: e.eventId, api: e.api, eventType: e.eventType, resourceType: e.resourceType, resourceId: e.resourceId, payload: e.payload });
  }
  return out;
}

/** A filter as a predicate over stored events. */
export function eventFilter(filter: Pick<OutboxFilter, 'eventTypes' | 'api'>): (e: StoredEvent) => boolean {
  const types = filter.eventTypes ? new Set(filter.eventTypes) : undefined;
  const api = filter.api;
  return (e) => (!types || types.has(e.eventType)) && (!api || e.api === api);
}

/** Stamped events after position `after`, in position order, as far as `filter` allows. */
export async function readOutbox(q: Queryable, after: number, filter: OutboxFilter = {}): Promise<OutboxPage> {
  const params: unknown[] = [after];
  const where = [
    ...(filter.upTo !== undefined ? [`first_position <= $${params.push(filter.upTo)}`] : []),
    ...(filter.eventTypes ? [`types && $${params.push(filter.eventTypes)}::text[]`] : []),
    ...(filter.api ? [`$${params.push(filter.api)} = ANY (apis)`] : []),
  ];
  const limit = filter.rows ?? 100;
  const rows = (
    await q.query<{ f: number; l: number; events: StoredEvent[] }>(
      `SELECT first_position AS f, last_position AS l, events FROM outbox_batch
        WHERE last_position > $1${where.map((w) => ` AND ${w}`).join('')} ORDER BY last_position LIMIT ${limit}`,
      params,
    )
  ).rows;
  const upTo = filter.upTo ?? Number.MAX_SAFE_INTEGER;
  const keep = eventFilter(filter);
  const events: RelayEvent[] = [];
  for (const r of rows) events.push(...eventsOf(r.f, r.events, after, upTo, keep));
  const full = rows.length === limit;
  const last = rows.length ? Math.min(rows[rows.length - 1]!.l, upTo) : after;
  // a short page saw everything up to the bound; without one, up to the last row read
  const through = full || filter.upTo === undefined ? Math.max(after, last) : Math.max(after, filter.upTo);
  return { events, through, full };
}
