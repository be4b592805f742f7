import pg from 'pg';
import { OperonError, newId, notFound } from '@operon/kernel';
import { prepared, type Database } from './database.ts';
import { OUTBOX_HEAD_SQL, eventFilter, eventsOf, readOutbox, type OutboxPage, type RelayEvent, type StoredEvent } from './outbox.ts';

/** An in-process consumer with a durable cursor; `handle` must be idempotent (delivery is at least once). */
export interface LocalSubscriber {
  name: string;
  /** Event types to receive; every type when omitted. */
  eventTypes?: readonly string[];
  /**
   * Where a subscriber registered for the first time starts: at the head of the
   * stream (default) or at the oldest event still kept (to build a projection).
   */
  from?: 'now' | 'beginning';
  /**
   * Events handed over at once (default 1: one after the other, in order).
   * Above 1, up to this many consecutive events are handled concurrently and
   * the cursor moves past them together: for handlers whose events do not
   * depend on each other's order.
   */
  concurrency?: number;
  handle(event: RelayEvent): Promise<void>;
}

export interface RetryPolicy {
  /** First back-off delay. */
  baseMs: number;
  /** Ceiling of the back-off delay. */
  maxMs: number;
  /** Attempts before a delivery is moved to the dead-letter list. */
  maxAttempts: number;
}

export interface RelayOptions {
  retry?: Partial<RetryPolicy>;
  /** Safety-net poll for lost notifications. */
  pollMs?: number;
  /** Per-request timeout of a hub delivery. */
  deliveryTimeoutMs?: number;
  /** Least time between two stamping passes under load (events wait at most this long). */
  stampIntervalMs?: number;
  /** How long stamped events stay in the outbox once every consumer has passed them. */
  retentionMs?: number;
  /** How often the outbox is purged of such events (default a minute). */
  purgeIntervalMs?: number;
  log?: RelayLog;
}

/** Where the relay reports: `info` for its role, `warn` for failed deliveries, `error` for its own failures. */
export type RelayLog = (level: 'info' | 'warn' | 'error', msg: string, detail?: Record<string, unknown>) => void;

export interface DeadLetter {
  id: string;
  consumerId: string;
  position: number;
  eventId: string;
  eventType: string;
  api: string;
  resourceType: string;
  resourceId: string;
  payload: Record<string, unknown>;
  attempts: number;
  lastError: string | null;
  status: 'dead' | 'replayed';
  failedAt: string;
  replayedAt: string | null;
}

export interface ConsumerStatus {
  id: string;
  kind: 'hub' | 'local';
  api: string | null;
  callback: string | null;
  query: string | null;
  position: number;
  lag: number;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  delivered: number;
  deadLetters: number;
}

type Condition = { path: string[]; values: string[] };

/**
 * Parses a TMF hub `query` (`eventType=A,B&event.productOrder.state=completed`)
 * into conditions; several values mean OR, several conditions mean AND.
 */
export function parseHubQuery(query: string | null | undefined): Condition[] {
  if (!query || !query.trim()) return [];
  const text = query.trim().replace(/^\?/, '').replace(/\s*=\s*/g, '=').replace(/\s*&\s*/g, '&');
  const out: Condition[] = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OperonError('badRequest', `hub query '${query}' is not of the form attribute=value[&attribute=value]`, { field: 'query' });
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text);
      } catch {
        throw new OperonError('badRequest', `hub query '${query}': '${part}' holds a malformed %-escape`, { field: 'query' });
      }
    };
    const key = decode(part.slice(0, eq));
    const values = part.slice(eq + 1).split(',').map((v) => decode(v.trim()));
    if (!/^[@\w]+(\.[@\w]+)*$/.test(key) || values.some((v) => v === '')) {
      throw new OperonError('badRequest', `hub query '${query}': '${part}' is not a valid condition`, { field: 'query' });
    }
    out.push({ path: key.split('.'), values });
  }
  return out;
}

function valuesAt(node: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(node) ? node : [node];
  if (Array.isArray(node)) return node.flatMap((n) => valuesAt(n, path));
  if (node && typeof node === 'object') return valuesAt((node as Record<string, unknown>)[path[0]!], path.slice(1));
  return [];
}

export function matchesHubQuery(conditions: Condition[], event: Pick<RelayEvent, 'eventType' | 'payload'>): boolean {
  return conditions.every((c) => {
    const found = c.path.length === 1 && c.path[0] === 'eventType' ? [event.eventType] : valuesAt(event.payload, c.path);
    return found.some((f) => f !== null && f !== undefined && typeof f !== 'object' && c.values.includes(String(f)));
  });
}

interface Consumer {
  id: string;
  kind: 'hub' | 'local';
  api: string | null;
  callback: string | null;
  conditions: Condition[];
  eventTypes?: readonly string[];
  handler?: LocalSubscriber['handle'];
  /** Events delivered at once (local subscribers that allow it). */
  concurrency: number;
  position: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  delivered: number;
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  removed: boolean;
  /** Position moved past events that did not concern it, not yet saved (saving it is an optimisation). */
  unsaved: boolean;
  savedAt: number;
}

const LEADER_LOCK = 4242002;

/** Outbox rows stamped at most at once. */
const STAMP_ROWS = 200;
/**
 * Stamps committed, unstamped outbox rows with the next positions in insertion
 * order, hands them back with their events, and tells every node (NOTIFY
 * operon_stamped, for its event streams).
 */
const STAMP = prepared(`SELECT f, l, t, a, ev FROM operon_outbox_stamp_batches(${STAMP_ROWS})`);
/** Events the leader keeps from its latest stamps, so that consumers keeping up never read them back. */
const RECENT_EVENTS = 20_000;
/** Events handed to a consumer per page. */
const PAGE_EVENTS = 200;

/** A stamped outbox row as the leader keeps it; its events are parsed when a consumer first needs them. */
interface RecentRow {
  first: number;
  last: number;
  types: string[];
  apis: string[];
  text: string;
  events?: StoredEvent[];
}

/** Name of the listener endpoint a hub event is POSTed to (`callback/listener/<name>`). */
export function listenerUrl(callback: string, eventType: string): string {
  return `${callback.replace(/\/+$/, '')}/listener/${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}`;
}

/**
 * Moves committed events from the outbox to their consumers, at least once and
 * in order per consumer. One node at a time leads (a PostgreSQL advisory lock);
 * the leader stamps positions in commit order and drives every consumer's cursor.
 */
export class EventRelay {
  private readonly retry: RetryPolicy;
  private readonly pollMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly retentionMs: number;
  private readonly purgeIntervalMs: number;
  private readonly stampIntervalMs: number;
  private readonly consumers = new Map<string, Consumer>();
  private readonly locals = new Map<string, LocalSubscriber>();
  private listener?: pg.Client;
  private leader = false;
  private started = false;
  private stopping = false;
  private stamping = false;
  private stampAgain = false;
  private pollTimer?: NodeJS.Timeout;
  private leaderTimer?: NodeJS.Timeout;
  private lastPurge = 0;
  /** Highest position stamped so far; consumers read up to it. */
  private head = 0;
  /** The rows of the latest stamps, oldest first, ending at `head` (empty, or contiguous). */
  private recent: RecentRow[] = [];
  private recentEvents = 0;
  /** Event types and APIs stamped since consumers last looked, to skip those with nothing to read. */
  private freshTypes = new Set<string>();
  private freshApis = new Set<string>();
  private readonly unhookCommit: () => void;
  private log: RelayLog;

  constructor(private readonly db: Database, options: RelayOptions = {}) {
    this.retry = { baseMs: 500, maxMs: 60_000, maxAttempts: 15, ...options.retry };
    this.pollMs = options.pollMs ?? 1000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    this.stampIntervalMs = options.stampIntervalMs ?? 10;
    this.log = options.log ?? (() => {});
    this.unhookCommit = db.onEventsCommitted(() => this.onLocalCommit());
  }

  private notifyTimer?: NodeJS.Timeout;
  private lastNotify = 0;

  /**
   * Events were committed in this process. The leader takes them at once; any
   * other node tells the leader, outside the writing transaction (a NOTIFY
   * inside it would serialise commits) and at most every 20 ms.
   */
  private onLocalCommit(): void {
    if (this.leader) return this.wake();
    if (!this.started || this.stopping || this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.lastNotify = Date.now();
      this.db.query(`SELECT pg_notify('operon_outbox', '')`).catch(() => {});
    }, Math.max(0, this.lastNotify + 20 - Date.now()));
    this.notifyTimer.unref();
  }

  setLogger(log: RelayLog): void {
    this.log = log;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Registers an in-process consumer; a new one starts where `sub.from` says, then keeps its cursor. */
  async subscribe(sub: LocalSubscriber): Promise<void> {
    this.locals.set(sub.name, sub);
    const start = sub.from === 'beginning' ? '0' : OUTBOX_HEAD_SQL;
    await this.db.query(
      `INSERT INTO event_consumer (id, kind, position) VALUES ($1, 'local', ${start}) ON CONFLICT (id) DO NOTHING`,
      [`local:${sub.name}`],
    );
    if (this.leader) await this.loadConsumers();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.connectListener();
    this.pollTimer = setInterval(() => this.tick(), this.pollMs);
    this.pollTimer.unref();
  }

  private async connectListener(): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client({ connectionString: this.db.url, application_name: 'operon-relay' });
    client.on('error', () => {});
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.leader = false;
      if (!this.stopping) this.leaderTimer = setTimeout(() => void this.connectListener().catch(() => {}), 1000);
    });
    try {
      await client.connect();
    } catch (e) {
      this.log('warn', 'relay: cannot connect, retrying', { error: String(e) });
      this.leaderTimer = setTimeout(() => void this.connectListener().catch(() => {}), 1000);
      return;
    }
    this.listener = client;
    client.on('notification', (n) => {
      if (n.channel === 'operon_consumers') void this.loadConsumers().then(() => this.wake());
      else this.wake();
    });
    await client.query('LISTEN operon_outbox');
    await client.query('LISTEN operon_consumers');
    await this.tryLead();
  }

  private async tryLead(): Promise<void> {
    if (this.stopping || !this.listener) return;
    const r = await this.listener.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
    if (r.rows[0]?.ok) {
      this.leader = true;
      this.log('info', 'relay: leading');
      this.head = (await this.db.query<{ h: number }>(`SELECT ${OUTBOX_HEAD_SQL} AS h`)).rows[0]?.h ?? 0;
      this.recent = [];
      this.recentEvents = 0;
      await this.loadConsumers();
      this.wake();
    } else {
      this.leaderTimer = setTimeout(() => void this.tryLead().catch(() => {}), 2000);
      this.leaderTimer.unref();
    }
  }

  private async loadConsumers(): Promise<void> {
    if (!this.leader) return;
    const rows = (
      await this.db.query<{
        id: string; kind: 'hub' | 'local'; api: string | null; callback: string | null; query: string | null;
        position: number; attempts: number; next_attempt_at: Date | null; last_error: string | null; delivered: number;
      }>('SELECT id, kind, api, callback, query, position, attempts, next_attempt_at, last_error, delivered FROM event_consumer')
    ).rows;
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.id);
      if (this.consumers.has(r.id)) continue;
      let conditions: Condition[] = [];
      try {
        conditions = parseHubQuery(r.query);
      } catch {
        // stored queries were validated on creation; an unreadable one matches nothing
        conditions = [{ path: ['eventType'], values: [] }];
      }
      const local = r.kind === 'local' ? this.locals.get(r.id.slice('local:'.length)) : undefined;
      if (r.kind === 'local' && !local) continue; // registered by another kind of node
      this.consumers.set(r.id, {
        id: r.id, kind: r.kind, api: r.api, callback: r.callback, conditions,
        eventTypes: local?.eventTypes, handler: local?.handle.bind(local), concurrency: Math.max(1, Math.floor(local?.concurrency ?? 1)),
        position: r.position, attempts: r.attempts, nextAttemptAt: r.next_attempt_at?.getTime() ?? 0,
        lastError: r.last_error, delivered: r.delivered, running: false, dirty: false, removed: false, unsaved: false, savedAt: Date.now(),
      });
    }
    for (const [id, c] of this.consumers) {
      if (!seen.has(id)) {
        c.removed = true;
        if (c.timer) clearTimeout(c.timer);
        this.consumers.delete(id);
      }
    }
  }

  private wakeTimer?: NodeJS.Timeout;
  private lastStamp = 0;

  /**
   * Ask the relay to look for new events. Stamping runs at most every
   * `stampIntervalMs`, so that under load one stamp serves many events instead
   * of costing a round trip and an UPDATE per event.
   */
  wake(): void {
    if (!this.leader || this.stopping || this.wakeTimer) return;
    const wait = this.lastStamp + this.stampIntervalMs - Date.now();
    if (wait <= 0) {
      void this.stampAndDispatch();
      return;
    }
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.stampAndDispatch();
    }, wait);
  }

  private tick(): void {
    if (!this.leader || this.stopping) return;
    void this.stampAndDispatch();
    for (const c of this.consumers.values()) {
      if (c.unsaved && !c.running && Date.now() - c.savedAt > 1000) void this.persist(c).catch(() => {});
    }
    if (Date.now() - this.lastPurge > this.purgeIntervalMs) {
      this.lastPurge = Date.now();
      void this.purge().catch((e) => this.log('error', 'relay: purge failed', { error: String(e) }));
    }
  }

  private async stampAndDispatch(): Promise<void> {
    if (this.stamping) {
      this.stampAgain = true;
      return;
    }
    this.stamping = true;
    try {
      do {
        this.stampAgain = false;
        this.lastStamp = Date.now();
        const before = this.head;
        let n: number;
        do n = await this.stampBatch();
        while (n === STAMP_ROWS);
        const types = this.freshTypes;
        const apis = this.freshApis;
        this.freshTypes = new Set();
        this.freshApis = new Set();
        for (const c of this.consumers.values()) {
          if (c.position >= this.head) continue;
          // caught up before this batch and nothing in it concerns it: move on without reading
          if (c.position >= before && !c.running && c.attempts === 0 && !this.mayConcern(c, types, apis)) {
            this.skipTo(c, this.head);
            continue;
          }
          void this.drain(c);
        }
      } while (this.stampAgain && !this.stopping);
    } catch (e) {
      this.log('error', 'relay: stamping failed', { error: String(e) });
    } finally {
      this.stamping = false;
    }
  }

  /** Gives committed, unstamped outbox rows the next positions, in insertion order, and keeps them for the consumers. */
  private async stampBatch(): Promise<number> {
    const rows = (await this.db.query<{ f: number; l: number; t: string[]; a: string[]; ev: string }>(STAMP)).rows;
    rows.sort((x, y) => x.f - y.f);
    for (const r of rows) {
      // only this leader stamps; a gap means positions were stamped while it did not lead
      if (r.f !== this.head + 1) {
        this.recent = [];
        this.recentEvents = 0;
      }
      this.recent.push({ first: r.f, last: r.l, types: r.t, apis: r.a, text: r.ev });
      this.recentEvents += r.l - r.f + 1;
      this.head = Math.max(this.head, r.l);
      for (const t of r.t) this.freshTypes.add(t);
      for (const a of r.a) this.freshApis.add(a);
    }
    let drop = 0;
    while (this.recentEvents > RECENT_EVENTS && drop < this.recent.length - 1) {
      const x = this.recent[drop++]!;
      this.recentEvents -= x.last - x.first + 1;
    }
    if (drop) this.recent.splice(0, drop);
    return rows.length;
  }

  /** The next events after `after` that can concern `c`, up to `head`: from the latest stamps when they reach back that far, else from the database. */
  private async page(c: Consumer, after: number, head: number): Promise<OutboxPage> {
    const types = this.typesOf(c);
    const api = c.kind === 'hub' && c.api ? c.api : undefined;
    const rows = this.recent;
    if (!rows.length || after < rows[0]!.first - 1) {
      return readOutbox(this.db, after, { upTo: head, ...(types ? { eventTypes: types } : {}), ...(api ? { api } : {}) });
    }
    // the first row with events after `after`
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid]!.last > after) hi = mid;
      else lo = mid + 1;
    }
    const keep = eventFilter({ ...(types ? { eventTypes: types } : {}), ...(api ? { api } : {}) });
    const events: RelayEvent[] = [];
    for (let i = lo; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.first > head) break;
      if (types && !r.types.some((t) => types.includes(t))) continue;
      if (api && !r.apis.includes(api)) continue;
      r.events ??= JSON.parse(r.text) as StoredEvent[];
      for (const e of eventsOf(r.first, r.events, after, head, keep)) events.push(e);
      if (events.length >= PAGE_EVENTS && r.last < head) return { events, through: r.last, full: true };
    }
    return { events, through: head, full: false };
  }

  /** Event types a consumer can receive (undefined: any), for reading only what concerns it. */
  private typesOf(c: Consumer): readonly string[] | undefined {
    if (c.kind === 'local') return c.eventTypes;
    const cond = c.conditions.find((x) => x.path.length === 1 && x.path[0] === 'eventType');
    return cond?.values;
  }

  /** Whether anything stamped since the consumer last read could concern it. */
  private mayConcern(c: Consumer, types: ReadonlySet<string>, apis: ReadonlySet<string>): boolean {
    const wanted = this.typesOf(c);
    if (wanted && !wanted.some((t) => types.has(t))) return false;
    if (c.kind === 'hub' && c.api && !apis.has(c.api)) return false;
    return true;
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  private matches(c: Consumer, e: RelayEvent): boolean {
    if (c.kind === 'local') return !c.eventTypes || c.eventTypes.includes(e.eventType);
    return (!c.api || c.api === e.api) && matchesHubQuery(c.conditions, e);
  }

  private async deliver(c: Consumer, e: RelayEvent): Promise<void> {
    if (c.kind === 'local') {
      if (!c.handler) throw new Error(`no handler registered for ${c.id}`);
      await c.handler(e);
      return;
    }
    const res = await fetch(listenerUrl(c.callback!, e.eventType), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(e.payload),
      signal: AbortSignal.timeout(this.deliveryTimeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) throw new Error(`listener answered HTTP ${res.status}`);
  }

  /** Moves a consumer past events that do not concern it; the cursor is saved now and then, not every time. */
  private skipTo(c: Consumer, position: number): void {
    if (position <= c.position) return;
    c.position = position;
    c.unsaved = true;
    if (Date.now() - c.savedAt > 1000 && !c.running) void this.persist(c).catch(() => {});
  }

  private async persist(c: Consumer): Promise<void> {
    c.unsaved = false;
    c.savedAt = Date.now();
    const r = await this.db.query(
      `UPDATE event_consumer SET position = $2, attempts = $3, next_attempt_at = $4, last_error = $5, delivered = $6, updated_at = now() WHERE id = $1`,
      [c.id, c.position, c.attempts, c.nextAttemptAt ? new Date(c.nextAttemptAt) : null, c.lastError, c.delivered],
    );
    if (r.rowCount === 0) {
      c.removed = true;
      this.consumers.delete(c.id);
    }
  }

  private schedule(c: Consumer, ms: number): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      void this.drain(c);
    }, Math.max(0, ms));
    c.timer.unref();
  }

  private readonly draining = new Set<Promise<void>>();

  private drain(c: Consumer): Promise<void> {
    if (c.running) {
      c.dirty = true;
      return Promise.resolve();
    }
    const p = this.drainLoop(c).finally(() => this.draining.delete(p));
    this.draining.add(p);
    return p;
  }

  private async drainLoop(c: Consumer): Promise<void> {
    c.running = true;
    try {
      do {
        c.dirty = false;
        while (!this.stopping && !c.removed && this.leader) {
          const wait = c.nextAttemptAt - Date.now();
          if (wait > 0) {
            this.schedule(c, wait);
            return;
          }
          // only what can concern this consumer, up to what has been stamped
          const head = this.head;
          if (c.position >= head) break;
          const page = await this.page(c, c.position, head);
          const events = page.events;
          let stopped = false;
          for (let i = 0; i < events.length && !stopped; ) {
            if (this.stopping || c.removed) break;
            const e = events[i]!;
            if (!this.matches(c, e)) {
              this.skipTo(c, e.position);
              i++;
              continue;
            }
            // the next events that concern the consumer, as many as it takes at once
            const group: RelayEvent[] = [];
            while (i < events.length && group.length < c.concurrency) {
              const g = events[i]!;
              if (this.matches(c, g)) group.push(g);
              i++;
            }
            const results = await Promise.allSettled(group.map((g) => this.deliver(c, g)));
            const failedAt = results.findIndex((r) => r.status === 'rejected');
            if (failedAt < 0) {
              c.position = group[group.length - 1]!.position;
              c.attempts = 0;
              c.nextAttemptAt = 0;
              c.lastError = null;
              c.delivered += group.length;
              await this.persist(c);
              continue;
            }
            // the group's events before the first failure are done; the failed one is retried (and those after it redelivered)
            if (failedAt > 0) {
              c.position = group[failedAt - 1]!.position;
              c.delivered += failedAt;
            }
            const failed = group[failedAt]!;
            const err = (results[failedAt] as PromiseRejectedResult).reason as unknown;
            c.attempts++;
            c.lastError = err instanceof Error ? `${err.name}: ${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ''}` : String(err);
            if (c.attempts >= this.retry.maxAttempts) {
              await this.deadLetter(c, failed);
              // what followed the failed event in its group is delivered again from the next page
              stopped = true;
              break;
            }
            c.nextAttemptAt = Date.now() + this.backoff(c.attempts);
            await this.persist(c);
            this.schedule(c, c.nextAttemptAt - Date.now());
            return;
          }
          if (stopped) continue;
          if (this.stopping || c.removed) break;
          this.skipTo(c, page.through);
          if (!page.full) break;
        }
      } while (c.dirty && !this.stopping && !c.removed);
    } catch (e) {
      this.log('error', 'relay: consumer failed', { consumer: c.id, error: String(e) });
    } finally {
      c.running = false;
    }
  }

  private async deadLetter(c: Consumer, e: RelayEvent): Promise<void> {
    const attempts = c.attempts;
    const lastError = c.lastError;
    c.position = e.position;
    c.attempts = 0;
    c.nextAttemptAt = 0;
    await this.db.tx(async (tx) => {
      await tx.query(
        `INSERT INTO event_dead_letter (id, consumer_id, position, event_id, event_type, api, resource_type, resource_id, payload, attempts, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [newId(), c.id, e.position, e.eventId, e.eventType, e.api, e.resourceType, e.resourceId, JSON.stringify(e.payload), attempts, lastError],
      );
      await tx.query(`UPDATE event_consumer SET position = $2, attempts = 0, next_attempt_at = NULL, last_error = $3, updated_at = now() WHERE id = $1`, [c.id, c.position, lastError]);
    });
    this.log('warn', 'relay: dead-lettered', { consumer: c.id, eventType: e.eventType, position: e.position, attempts });
  }

  private async purge(): Promise<void> {
    await this.db.query(
      // the newest row stays, so that positions go on from where they were even with nothing else kept
      `DELETE FROM outbox_batch WHERE last_position IS NOT NULL AND created_at < $1
         AND last_position <= (SELECT coalesce(min(position), 9223372036854775807) FROM event_consumer)
         AND last_position < ${OUTBOX_HEAD_SQL}`,
      [new Date(Date.now() - this.retentionMs)],
    );
  }

  // --- operations: status, dead letters, replay --------------------------------------------

  async consumerStatus(): Promise<ConsumerStatus[]> {
    const head = (await this.db.query<{ h: number }>(`SELECT ${OUTBOX_HEAD_SQL} AS h`)).rows[0]?.h ?? 0;
    const rows = (
      await this.db.query<{
        id: string; kind: 'hub' | 'local'; api: string | null; callback: string | null; query: string | null; position: number;
        attempts: number; next_attempt_at: Date | null; last_error: string | null; delivered: number; dead: number;
      }>(
        `SELECT c.*, (SELECT count(*)::int FROM event_dead_letter d WHERE d.consumer_id = c.id AND d.status = 'dead') AS dead
           FROM event_consumer c ORDER BY c.created_at, c.id`,
      )
    ).rows;
    return rows.map((r) => ({
      id: r.id, kind: r.kind, api: r.api, callback: r.callback, query: r.query, position: r.position,
      lag: Math.max(0, head - r.position), attempts: r.attempts, nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
      lastError: r.last_error, delivered: r.delivered, deadLetters: r.dead,
    }));
  }

  async listDeadLetters(filter: { consumerId?: string; status?: 'dead' | 'replayed'; limit?: number; offset?: number } = {}): Promise<{ items: DeadLetter[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.consumerId) where.push(`consumer_id = $${params.push(filter.consumerId)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_dead_letter ${w}`, params)).rows[0]?.n ?? 0;
    const rows = await this.db.query(
      `SELECT * FROM event_dead_letter ${w} ORDER BY failed_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit ?? 100, filter.offset ?? 0],
    );
    return { items: rows.rows.map(toDeadLetter), total };
  }

  async getDeadLetter(id: string): Promise<DeadLetter> {
    const r = await this.db.query('SELECT * FROM event_dead_letter WHERE id = $1', [id]);
    if (!r.rows[0]) throw notFound('DeadLetter', id);
    return toDeadLetter(r.rows[0]);
  }

  /** Delivers a dead letter again now; on success it is marked replayed, on failure its error is updated. */
  async replayDeadLetter(id: string): Promise<{ deadLetter: DeadLetter; delivered: boolean; error?: string }> {
    const dl = await this.getDeadLetter(id);
    if (dl.status === 'replayed') return { deadLetter: dl, delivered: true };
    const row = (await this.db.query<{ kind: 'hub' | 'local'; callback: string | null }>('SELECT kind, callback FROM event_consumer WHERE id = $1', [dl.consumerId])).rows[0];
    if (!row) throw new OperonError('conflict', `consumer ${dl.consumerId} of dead letter ${id} no longer exists`);
    const consumer: Consumer = {
      id: dl.consumerId, kind: row.kind, api: dl.api, callback: row.callback, conditions: [],
      handler: row.kind === 'local' ? this.locals.get(dl.consumerId.slice('local:'.length))?.handle : undefined,
      concurrency: 1, position: 0, attempts: 0, nextAttemptAt: 0, lastError: null, delivered: 0, running: false, dirty: false, removed: false, unsaved: false, savedAt: 0,
    };
    const event: RelayEvent = {
      position: dl.position, eventId: dl.eventId, api: dl.api, eventType: dl.eventType,
      resourceType: dl.resourceType, resourceId: dl.resourceId, payload: dl.payload,
    };
    try {
      await this.deliver(consumer, event);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.db.query(`UPDATE event_dead_letter SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, message]);
      return { deadLetter: await this.getDeadLetter(id), delivered: false, error: message };
    }
    await this.db.query(`UPDATE event_dead_letter SET status = 'replayed', replayed_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
    return { deadLetter: await this.getDeadLetter(id), delivered: true };
  }

  /** Resolves once every event committed so far has reached every consumer not waiting on a retry. */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.leader) {
        await this.stampAndDispatch();
        const unstamped = (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_batch WHERE last_position IS NULL')).rows[0]?.n ?? 0;
        const head = (await this.db.query<{ h: number }>(`SELECT ${OUTBOX_HEAD_SQL} AS h`)).rows[0]?.h ?? 0;
        const behind = [...this.consumers.values()].filter((c) => c.position < head && c.nextAttemptAt <= Date.now());
        if (unstamped === 0 && behind.length === 0 && ![...this.consumers.values()].some((c) => c.running)) return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('event relay did not become idle in time');
  }

  /** Stops the relay; with `flush`, first delivers what is pending (bounded by `timeoutMs`). */
  async stop(opts: { flush?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (opts.flush && this.leader && !this.stopping) {
      await this.idle(opts.timeoutMs ?? 5000).catch(() => {});
    }
    this.stopping = true;
    this.unhookCommit();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.leaderTimer) clearTimeout(this.leaderTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const c of this.consumers.values()) if (c.timer) clearTimeout(c.timer);
    await Promise.allSettled([...this.draining]);
    await Promise.allSettled([...this.consumers.values()].filter((c) => c.unsaved).map((c) => this.persist(c)));
    const l = this.listener;
    this.listener = undefined;
    this.leader = false;
    if (l) await l.end().catch(() => {});
  }
}

function toDeadLetter(r: Record<string, unknown>): DeadLetter {
  return {
    id: String(r['id']),
    consumerId: String(r['consumer_id']),
    position: Number(r['position']),
    eventId: String(r['event_id']),
    eventType: String(r['event_type']),
    api: String(r['api']),
    resourceType: String(r['resource_type']),
    resourceId: String(r['resource_id']),
    payload: r['payload'] as Record<string, unknown>,
    attempts: Number(r['attempts']),
    lastError: (r['last_error'] as string | null) ?? null,
    status: r['status'] as 'dead' | 'replayed',
    failedAt: (r['failed_at'] as Date).toISOString(),
    replayedAt: r['replayed_at'] ? (r['replayed_at'] as Date).toISOString() : null,
  };
}
