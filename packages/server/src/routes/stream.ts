/**
 * The live event stream for the web console: `GET /ops/events/stream` answers
 * server-sent events, one per committed outbox event once the relay has stamped
 * its position (`id:` the position, `event:` the event type, `data:` the TMF
 * event as hub listeners receive it). Every node tails the outbox by position,
 * woken by the relay's NOTIFY after each stamp (with a slow poll as a safety
 * net), so a stream works on whichever node the client reaches. A caller only
 * receives events of APIs it may read, and a party-confined caller (customer,
 * partner) only those whose resource names its own party — the rule the TMF kit
 * applies to every read.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import { Type } from 'typebox';
import { OperonError, badRequest, type Principal } from '@operon/kernel';
import { OUTBOX_HEAD_SQL, readOutbox, type Database, type OutboxPage } from '@operon/store';
import { ErrorBody, lowerFirst, type ComponentRuntime, type ResourceService } from '@operon/tmf';
import { allows } from '../security/permissions.ts';
import { PARTY_CONFINED_ROLES, type Role } from '../security/roles.ts';

export interface EventStreamSettings {
  /** Streams open at once on this node. */
  max: number;
  /** Streams open at once per principal on this node. */
  perPrincipal: number;
  /** A comment line this often keeps proxies and the client from timing out. */
  heartbeatMs: number;
  /** A stream ends after this long (±10 %): the client resumes with Last-Event-ID and its credential is checked again. */
  maxAgeMs: number;
  /** Safety net for a lost notification: how often the outbox is read anyway while streams are open. */
  pollMs?: number;
  /** How long the outbox listener stays connected after the last stream closed. */
  lingerMs?: number;
}

/** The outbox channel the relay notifies after stamping positions (see relay.ts). */
export const STAMPED_CHANNEL = 'operon_stamped';
/** Outbox rows (a transaction's events each) read per page. */
const PAGE = 100;
/** A resuming stream reads smaller pages, each sent before the next is read. */
const CATCH_UP_PAGE = 20;
/** A client that does not read is dropped before its unsent events take more memory than this. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const MAX_TYPES = 50;
const MAX_IDS = 100;

/** One outbox row as the stream sends it. */
interface StreamEvent {
  position: number;
  api: string;
  eventType: string;
  resourceType: string;
  resourceId: string;
  payload: Record<string, unknown>;
}

/** What a stream asked for. */
export interface StreamFilter {
  /** Resume after this position. */
  after?: number;
  eventTypes?: ReadonlySet<string>;
  /** The event's resource id, or the resource's externalId (a service order of a product order), is one of these. */
  resourceIds?: ReadonlySet<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The externalId(s) a resource carries: a string (TMF641, TMF652) or a list of references (TMF622 v5). */
function externalIds(resource: Record<string, unknown> | undefined): string[] {
  const x = resource?.['externalId'];
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap((v) => (typeof v === 'string' ? [v] : isObject(v) && typeof v['id'] === 'string' ? [v['id']] : []));
  return [];
}

/**
 * Who may see which event: the read permission of the event's API, then the
 * party scope of its resource type for a confined caller.
 */
export class EventVisibility {
  private byType?: Map<string, ResourceService>;

  constructor(private readonly services: ComponentRuntime['services']) {}

  private service(api: string, resourceType: string): ResourceService | undefined {
    if (!this.byType) {
      this.byType = new Map();
      for (const svcs of this.services.values()) for (const svc of svcs.values()) this.byType.set(`${svc.api.name}\u0000${svc.def.type}`, svc);
    }
    return this.byType.get(`${api}\u0000${resourceType}`);
  }

  /** The resource inside an event, where the kit put it. */
  resourceOf(e: StreamEvent): Record<string, unknown> | undefined {
    const event = e.payload['event'];
    if (!isObject(event)) return undefined;
    const svc = this.service(e.api, e.resourceType);
    const inside = event[svc ? svc.def.eventProperty ?? lowerFirst(svc.def.type) : lowerFirst(e.resourceType)];
    return isObject(inside) ? inside : undefined;
  }

  visible(principal: Principal, e: StreamEvent): boolean {
    if (!allows(principal.roles, e.api, 'read')) return false;
    // a confined role always has a party (credentials refuse one without); without it, it sees no party's data
    const confined = principal.partyId ?? (principal.roles.some((r) => PARTY_CONFINED_ROLES.includes(r as Role)) ? '' : undefined);
    if (confined === undefined) return true;
    const svc = this.service(e.api, e.resourceType);
    // an event of a resource the kit does not serve cannot be scoped: a confined caller does not see it
    if (!svc) return false;
    if (!svc.def.partyPaths) return true;
    const resource = this.resourceOf(e);
    return confined !== '' && resource !== undefined && svc.belongsTo(resource, confined);
  }
}

/** One open stream. */
class Subscriber {
  /** Last position considered (sent or passed over). */
  position = 0;
  /** False while it catches up from its Last-Event-ID; the tail then leaves it alone. */
  live = false;
  closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private waiting?: () => void;

  constructor(
    readonly principal: Principal,
    private readonly filter: StreamFilter,
    readonly out: PassThrough,
    private readonly visibility: EventVisibility,
    private readonly onClose: (s: Subscriber) => void,
  ) {}

  every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private wants(e: StreamEvent): boolean {
    if (this.filter.eventTypes && !this.filter.eventTypes.has(e.eventType)) return false;
    const ids = this.filter.resourceIds;
    if (ids && !ids.has(e.resourceId) && !externalIds(this.visibility.resourceOf(e)).some((x) => ids.has(x))) return false;
    return this.visibility.visible(this.principal, e);
  }

  /** Sends `e` if it is new to this stream, asked for and visible to its caller. */
  offer(e: StreamEvent): void {
    if (this.closed || e.position <= this.position) return;
    this.position = e.position;
    if (this.wants(e)) this.write(`id: ${e.position}\nevent: ${e.eventType}\ndata: ${JSON.stringify(e.payload)}\n\n`);
  }

  write(text: string): void {
    if (this.closed || this.out.destroyed || this.out.writableEnded) return;
    this.out.write(text);
    // a client that stopped reading resumes later from its Last-Event-ID instead of filling memory
    if (this.out.writableLength > MAX_BUFFERED) this.close(true);
  }

  /** Resolves once what was written has mostly reached the client (or the stream closed). */
  drained(): Promise<void> {
    if (this.closed || !this.out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.waiting = undefined;
        resolve();
      };
      this.waiting = done;
      this.out.on('drain', done);
      this.out.on('close', done);
    });
  }

  /** Ends the stream after what was written (`drop`: at once, what was not sent is thrown away). */
  close(drop = false): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    this.waiting?.();
    if (drop) this.out.destroy();
    else if (!this.out.destroyed && !this.out.writableEnded) this.out.end();
    this.onClose(this);
  }
}

type Log = (level: 'warn' | 'error', msg: string, detail?: Record<string, unknown>) => void;

/**
 * This node's streams and its one tail of the outbox: a dedicated connection
 * LISTENs for stamps while at least one stream is open, reads each new page of
 * events once and hands it to every live stream.
 */
export class EventStreams {
  private readonly subs = new Set<Subscriber>();
  private listener?: pg.Client;
  private starting?: Promise<void>;
  private running = false;
  private cursor = 0;
  private pumping = false;
  private again = false;
  private pollTimer?: NodeJS.Timeout;
  private lingerTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private shutDown = false;
  readonly visibility: EventVisibility;

  constructor(private readonly db: Database, services: ComponentRuntime['services'], readonly settings: EventStreamSettings, private readonly log: Log = () => {}) {
    this.visibility = new EventVisibility(services);
  }

  /** Streams open on this node. */
  get size(): number {
    return this.subs.size;
  }

  /** Whether the outbox listener is connected (it is only while streams are open, and shortly after). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  countFor(principalId: string): number {
    let n = 0;
    for (const s of this.subs) if (s.principal.id === principalId) n++;
    return n;
  }

  private ensureStarted(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.running) return Promise.resolve();
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async head(): Promise<number> {
    return (await this.db.query<{ h: number }>(`SELECT ${OUTBOX_HEAD_SQL} AS h`)).rows[0]?.h ?? 0;
  }

  private async start(): Promise<void> {
    await this.connect();
    try {
      // listening first, then the head: whatever is stamped after it is notified
      this.cursor = Math.max(this.cursor, await this.head());
    } catch (e) {
      const l = this.listener;
      this.listener = undefined;
      await l?.end().catch(() => {});
      throw e;
    }
    this.running = true;
    this.pollTimer = setInterval(() => this.pump(), this.settings.pollMs ?? 5000);
    this.pollTimer.unref();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.db.url, application_name: 'operon-event-stream' });
    client.on('error', () => {});
    client.on('notification', () => this.pump());
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      // the poll carries on meanwhile; the notifications come back with the connection
      if (this.running && !this.shutDown) this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STAMPED_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    this.listener = client;
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.running || this.shutDown || this.listener) return;
      this.connect().then(() => this.pump(), (e: unknown) => {
        this.log('warn', 'event streams: cannot listen for stamped events, retrying', { error: String(e) });
        this.scheduleReconnect();
      });
    }, 1000);
    this.reconnectTimer.unref();
  }

  private stop(): void {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pollTimer = undefined;
    this.reconnectTimer = undefined;
    const l = this.listener;
    this.listener = undefined;
    void l?.end().catch(() => {});
  }

  private read(after: number, upTo: number | undefined, eventTypes?: ReadonlySet<string>, rows = PAGE): Promise<OutboxPage> {
    return readOutbox(this.db, after, { ...(upTo !== undefined ? { upTo } : {}), ...(eventTypes ? { eventTypes: [...eventTypes] } : {}), rows });
  }

  /** Reads what was stamped past the cursor, page by page, and offers it to every live stream. */
  private pump(): void {
    // also while no stream is open (the linger): the cursor must stay current for the next one
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const page = await this.read(this.cursor, undefined);
            // one synchronous pass: a stream turning live sees the cursor either before or after a page, never inside it
            for (const e of page.events) {
              for (const s of this.subs) if (s.live) s.offer(e);
            }
            this.cursor = Math.max(this.cursor, page.through);
            if (!page.full || !this.running) break;
          }
        } while (this.again && this.running);
      } catch (e) {
        this.log('error', 'event streams: reading the outbox failed', { error: String(e) });
      } finally {
        this.pumping = false;
      }
    })();
  }

  /** Sends a resuming stream what it missed, then hands it to the tail. */
  private async catchUp(sub: Subscriber, eventTypes?: ReadonlySet<string>): Promise<void> {
    try {
      while (!sub.closed) {
        const upTo = this.cursor;
        const page = await this.read(sub.position, upTo, eventTypes, CATCH_UP_PAGE);
        for (const e of page.events) sub.offer(e);
        sub.position = Math.max(sub.position, page.full ? page.through : upTo);
        // a long backlog goes out at the pace the client reads it
        if (page.full) await sub.drained();
        if (sub.position >= this.cursor) {
          sub.live = true;
          return;
        }
      }
    } catch (e) {
      this.log('error', 'event streams: resuming a stream failed', { error: String(e) });
      sub.close();
    }
  }

  /**
   * Opens a stream for `principal`: refuses beyond the limits (429), starts
   * the tail if this is the first stream, and resumes after `filter.after`.
   */
  async open(principal: Principal, filter: StreamFilter, out: PassThrough): Promise<Subscriber> {
    if (this.shutDown) throw new OperonError('unavailable', 'the server is shutting down');
    const full = () => {
      const retry = { headers: { 'Retry-After': '30' } };
      if (this.subs.size >= this.settings.max) {
        throw new OperonError('tooManyRequests', `this node already serves ${this.settings.max} event streams; retry later or on another node`, retry);
      }
      if (this.countFor(principal.id) >= this.settings.perPrincipal) {
        throw new OperonError('tooManyRequests', `at most ${this.settings.perPrincipal} event streams per caller at once; close one first`, retry);
      }
    };
    full();
    let now = 0;
    try {
      await this.ensureStarted();
      // a new stream starts after what is stamped now, even if the tail has not read it yet
      if (filter.after === undefined) now = await this.head();
    } catch (e) {
      this.log('error', 'event streams: cannot read the outbox', { error: String(e) });
      throw new OperonError('unavailable', 'the event stream cannot reach the database; retry shortly', { headers: { 'Retry-After': '5' } });
    }
    // the limits again: other streams may have opened meanwhile
    full();
    const sub = new Subscriber(principal, filter, out, this.visibility, (s) => this.remove(s));
    const resumeFrom = filter.after;
    sub.position = resumeFrom ?? Math.max(now, this.cursor);
    sub.live = resumeFrom === undefined || resumeFrom >= this.cursor;
    this.subs.add(sub);
    if (!sub.live) void this.catchUp(sub, filter.eventTypes);
    // whatever was stamped while the tail started is read now, not at the next notification
    else this.pump();
    return sub;
  }

  private remove(sub: Subscriber): void {
    if (!this.subs.delete(sub) || this.subs.size > 0 || !this.running) return;
    // a client that reconnects at once finds the tail still listening
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      if (this.subs.size === 0) this.stop();
    }, this.settings.lingerMs ?? 2000);
    this.lingerTimer.unref();
  }

  /** Ends every stream and the tail (the server is closing). */
  close(): void {
    this.shutDown = true;
    for (const s of [...this.subs]) s.close();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.stop();
  }
}

// --- HTTP ----------------------------------------------------------------------------------------

function single(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  const values = Array.isArray(v) ? v : [v];
  if (!values.every((x): x is string => typeof x === 'string')) throw badRequest(`${name} must be text`, name);
  return values.join(',');
}

function list(v: unknown, name: string, max: number, pattern: RegExp, what: string): ReadonlySet<string> | undefined {
  const text = single(v, name);
  if (text === undefined) return undefined;
  const items = text.split(',').map((x) => x.trim());
  if (items.length > max) throw badRequest(`${name} takes at most ${max} values`, name);
  for (const x of items) if (!pattern.test(x)) throw badRequest(`${name}: '${x.slice(0, 60)}' is not ${what}`, name);
  return new Set(items);
}

const POSITION = /^\d{1,15}$/;
const QUERY_PARAMS = new Set(['lastEventId', 'eventType', 'resourceId']);

/** Whether the client names the event-stream media type in Accept (accepting anything does not count). */
function asksForStream(req: FastifyRequest): boolean {
  return String(req.headers.accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.trim().toLowerCase().split(';');
    return type?.trim() === 'text/event-stream' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** What a request asks for; a bad value is a 400 before anything is opened. */
export function streamFilter(req: FastifyRequest): StreamFilter {
  // a response that never ends goes only to a client that asked for one (EventSource always does), not to a crawler or a script that forgot
  if (!asksForStream(req)) throw badRequest('this is a stream of server-sent events: send Accept: text/event-stream', 'Accept');
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(query)) {
    if (!QUERY_PARAMS.has(k)) {
      throw badRequest(`unknown parameter '${k.slice(0, 60)}': the stream takes lastEventId, eventType and resourceId (credentials go in the Authorization header)`, k);
    }
  }
  const header = req.headers['last-event-id'];
  // the header is what a reconnecting client sends, so it wins over the address it reuses
  const resume = (typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined) ?? single(query['lastEventId'], 'lastEventId');
  if (resume !== undefined && !POSITION.test(resume)) throw badRequest(`Last-Event-ID must be the id of an event of this stream (a non-negative integer), not '${resume.slice(0, 60)}'`, 'lastEventId');
  const eventTypes = list(query['eventType'], 'eventType', MAX_TYPES, /^[A-Za-z][A-Za-z0-9]{0,99}$/, 'an event type such as ProductOrderStateChangeEvent');
  const resourceIds = list(query['resourceId'], 'resourceId', MAX_IDS, /^[^\s,]{1,200}$/, 'a resource id');
  return {
    ...(resume !== undefined ? { after: Number(resume) } : {}),
    ...(eventTypes ? { eventTypes } : {}),
    ...(resourceIds ? { resourceIds } : {}),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's live event streams (how many are open, whether the outbox is tailed). */
    eventStreams: EventStreams;
  }
}

/** `GET /ops/events/stream`: server-sent events for the console; the streams end when the server closes. */
export function eventStreamRoutes(app: FastifyInstance, runtime: ComponentRuntime, settings: EventStreamSettings): EventStreams {
  const streams = new EventStreams(runtime.db, runtime.services, settings, (level, msg, detail) => app.log[level](detail ?? {}, msg));
  app.decorate('eventStreams', streams);
  app.addHook('preClose', async () => streams.close());

  app.get('/ops/events/stream', {
    config: { access: { area: 'ops.eventStream', action: 'read' } },
    // a HEAD would open a stream no one reads
    exposeHeadRoute: false,
    validatorCompiler: () => () => true,
    schema: {
      tags: ['Operations: events'],
      summary: 'Live events (server-sent events): every committed event the caller may read, in outbox order',
      description: [
        'Answers `text/event-stream`. Each message: `id:` the outbox position, `event:` the event type, `data:` the TMF event as hub listeners receive it.',
        'The request must carry `Accept: text/event-stream`. Resume with the `Last-Event-ID` header (or `lastEventId`). A comment line every 15 s keeps the connection open; the server ends a stream after about',
        '15 minutes and the client resumes it. Authenticate with the Authorization header (or X-API-Key), as for every other route.',
        'Only events of APIs the caller may read are sent, and a customer or partner credential only receives events of its own party\'s resources.',
      ].join(' '),
      querystring: Type.Object({
        lastEventId: Type.Optional(Type.String({ description: 'Resume after this event id (the Last-Event-ID header wins when both are given)' })),
        eventType: Type.Optional(Type.String({ description: 'Comma-separated event types to receive, e.g. ProductOrderCreateEvent,ProductOrderStateChangeEvent' })),
        resourceId: Type.Optional(Type.String({ description: 'Comma-separated ids: events of these resources, or of resources whose externalId is one of them' })),
      }),
      response: { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 503: ErrorBody },
    },
  }, async (req: FastifyRequest, reply: FastifyReply) => {
    const filter = streamFilter(req);
    const principal = req.ctx.principal;
    if (!principal) throw new OperonError('unauthorized', 'the event stream needs a credential');
    const out = new PassThrough();
    out.on('error', () => {});
    const sub = await streams.open(principal, filter, out);
    // the client going away (or the stream being destroyed by the server) frees the subscription and its timers
    reply.raw.on('close', () => sub.close());
    out.on('close', () => sub.close());
    // gone while the stream was being opened: its close came before anyone listened
    if (req.raw.socket?.destroyed) sub.close();
    sub.every(settings.heartbeatMs, () => sub.write(': heartbeat\n\n'));
    sub.after(Math.round(settings.maxAgeMs * (0.9 + Math.random() * 0.2)), () => sub.close());
    // the first bytes flush the headers, so the client knows at once that it is connected
    sub.write('retry: 3000\n: connected\n\n');
    return reply
      .code(200)
      .header('Content-Type', 'text/event-stream; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Accel-Buffering', 'no')
      .send(out);
  });
  return streams;
}
