/**
 * The console's live event stream through real HTTP: events arrive after
 * commit, resume from Last-Event-ID, filter by type and resource, respect
 * read permissions and party scope, are bounded per node, free everything on
 * close, and reach a client on a node that does not relay.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productOrderComponent } from '@operon/product-order';
import { loadConfig } from '../config.ts';
import { startOperon, type RunningOperon } from '../operon.ts';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { EventVisibility } from './stream.ts';

type Doc = Record<string, unknown>;

interface Message {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** What the tests look at in an answer. */
interface Head {
  status: number;
  headers: { get(name: string): string | null };
  body: string;
}

/**
 * A client of the stream as the console reads it (the Authorization header, the body read as it
 * comes), on a connection of its own that closing ends: fetch would keep spare connections open
 * after an abort, which the server then waits for on shutdown.
 */
class StreamClient {
  readonly messages: Message[] = [];
  ended = false;
  private req?: http.ClientRequest;
  private done?: Promise<void>;

  static open(url: string, key: string | undefined, headers: Record<string, string> = {}): Promise<{ res: Head; client: StreamClient }> {
    const client = new StreamClient();
    return new Promise((resolve, reject) => {
      const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } }, (res) => {
        const head = (body: string): Head => ({
          status: res.statusCode ?? 0,
          headers: { get: (name) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : String(v); } },
          body,
        });
        if (res.statusCode !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ res: head(body), client }));
          return;
        }
        client.done = client.read(res);
        resolve({ res: head(''), client });
      });
      client.req = req;
      req.on('error', (e) => (client.ended ? undefined : reject(e)));
    });
  }

  private read(res: http.IncomingMessage): Promise<void> {
    return new Promise((resolve) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const m: Message = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) m.comment = line.slice(1).trim();
            const field = /^(id|event|data): (.*)$/.exec(line);
            if (field) m[field[1] as 'id' | 'event' | 'data'] = field[2]!;
          }
          this.messages.push(m);
        }
      });
      const finish = () => {
        this.ended = true;
        resolve();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
  }

  get events(): Array<{ id: number; event: string; data: Doc }> {
    return this.messages.filter((m) => m.data !== undefined).map((m) => ({ id: Number(m.id), event: m.event!, data: JSON.parse(m.data!) as Doc }));
  }

  async until<T>(find: () => T | undefined, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const x = find();
      if (x !== undefined && x !== false) return x;
      if (Date.now() > end) throw new Error(`not received in ${ms} ms; got ${JSON.stringify(this.messages).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves once the stream is open (its first comment arrived). */
  connected(): Promise<true> {
    return this.until(() => this.messages.some((m) => m.comment === 'connected') || undefined);
  }

  eventFor(id: string, event?: string) {
    return () => this.events.find((e) => (e.data['event'] as Record<string, Doc>)?.['productOrder']?.['id'] === id && (!event || e.event === event));
  }

  async close(): Promise<void> {
    this.ended = true;
    this.req?.destroy();
    await this.done;
  }
}

let op: TestOperon;
let dataDir: string;
let adminKey: string;
let salesKey: string;
let janeKey: string;
const open: StreamClient[] = [];
const PARTY_JANE = 'ind-jane';
const PARTY_BOB = 'ind-bob';
const streamUrl = (query = '') => `${op.url}/ops/events/stream${query}`;

async function stream(key: string | undefined, query = '', headers: Record<string, string> = {}): Promise<StreamClient> {
  const { res, client } = await StreamClient.open(streamUrl(query), key, headers);
  expect(res.status, `GET /ops/events/stream${query}`).toBe(200);
  open.push(client);
  await client.connected();
  return client;
}

async function api(method: string, url: string, body?: unknown, key = adminKey): Promise<Doc> {
  const res = await fetch(`${op.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
  return JSON.parse(text) as Doc;
}

const ORDERS = '/tmf-api/productOrderingManagement/v4/productOrder';
const placeOrder = (party: string, extra: Doc = {}) => api('POST', ORDERS, {
  productOrderItem: [{ id: '1', action: 'add', quantity: 1, productOffering: { id: 'po-fibre', name: 'Fibre' } }],
  relatedParty: [{ id: party, role: 'customer', '@referredType': 'Individual' }],
  ...extra,
});

const streamSettings = { max: 4, perPrincipal: 2, heartbeatMs: 300, maxAgeMs: 60_000, pollMs: 60_000, lingerMs: 100 };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-stream-'));
  // the safety-net poll is a minute: every delivery in these tests comes from the relay's notification
  op = await startTestOperon({ components: [productOrderComponent], flows: [], config: { auth: true, dataDir, eventStreams: streamSettings } });
  adminKey = (await op.credentials.createKey({ name: 'admin', roles: ['administrator'] })).secret;
  salesKey = (await op.credentials.createKey({ name: 'sales', roles: ['sales'] })).secret;
  janeKey = (await op.credentials.createKey({ name: 'Jane self-service', roles: ['customer'], partyId: PARTY_JANE })).secret;
});

afterAll(async () => {
  for (const c of open) await c.close();
  await op?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Closes every stream of the test and waits until the server has let them go (it sees a closed connection a moment later). */
async function closeAll(): Promise<void> {
  for (const c of open.splice(0)) await c.close();
  await until(async () => op.app.eventStreams.size, (n) => n === 0);
}

describe('GET /ops/events/stream', () => {
  it('refuses a caller without a credential (401), and a token in the address is not a credential', async () => {
    for (const query of ['', `?access_token=${adminKey}`]) {
      const { res } = await StreamClient.open(streamUrl(query), undefined);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers a bad request with a TMF Error (400) before opening anything', async () => {
    for (const [query, headers, field] of [
      ['?lastEventId=abc', {}, 'lastEventId'],
      ['', { 'last-event-id': '-1' }, 'lastEventId'],
      ['?eventType=Product Order', {}, 'eventType'],
      [`?resourceId=${Array.from({ length: 101 }, (_, i) => `o${i}`).join(',')}`, {}, 'resourceId'],
      ['?resourceID=x', {}, 'resourceID'],
      // a never-ending answer goes only to a client that asks for one
      ['', { accept: '*/*' }, 'Accept'],
      ['', { accept: 'text/html, text/event-stream;q=0' }, 'Accept'],
    ] as const) {
      const res = await fetch(streamUrl(query), { headers: { authorization: `Bearer ${adminKey}`, accept: 'text/event-stream', ...headers } });
      const body = (await res.json()) as Doc;
      expect(res.status, query).toBe(400);
      expect(body).toMatchObject({ '@type': 'Error', status: '400' });
      expect(String(body['message'])).toContain(field);
    }
  });

  it('delivers a committed event with its outbox position as id, its type as event and the TMF event as data', async () => {
    const s = await stream(adminKey);
    const order = await placeOrder(PARTY_BOB);
    const e = await s.until(s.eventFor(String(order['id']), 'ProductOrderCreateEvent'));
    expect(e.id).toBeGreaterThan(0);
    const row = (await op.db.query<{ position: number; payload: Doc }>(`SELECT position, payload FROM outbox WHERE resource_id = $1 AND event_type = 'ProductOrderCreateEvent'`, [order['id']])).rows[0]!;
    // exactly what a hub listener receives: the payload as stored
    expect(e.id).toBe(row.position);
    expect(e.data).toEqual(row.payload);
    expect(e.data).toMatchObject({ eventType: 'ProductOrderCreateEvent', event: { productOrder: { id: order['id'], href: expect.stringContaining(String(order['id'])) } } });
    // and a heartbeat keeps the connection open
    await s.until(() => s.messages.some((m) => m.comment === 'heartbeat') || undefined);
    await closeAll();
  });

  it('sends the stream headers and keeps the API\'s strict ones', async () => {
    const { res, client } = await StreamClient.open(streamUrl(), adminKey);
    open.push(client);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    await closeAll();
  });

  it('resumes after Last-Event-ID (header or lastEventId), oldest first, without repeating what the client had', async () => {
    const order = await placeOrder(PARTY_BOB);
    const id = String(order['id']);
    await api('PATCH', `${ORDERS}/${id}`, { description: 'changed once' });
    await api('PATCH', `${ORDERS}/${id}`, { description: 'changed twice' });
    await op.relay.idle();
    const mine = (await op.db.query<{ position: number; event_type: string }>(`SELECT position, event_type FROM outbox WHERE resource_id = $1 ORDER BY position`, [id])).rows;
    expect(mine.map((r) => r.event_type)).toEqual(['ProductOrderCreateEvent', 'ProductOrderAttributeValueChangeEvent', 'ProductOrderAttributeValueChangeEvent']);
    const [created, first, second] = mine.map((r) => r.position) as [number, number, number];

    const byHeader = await stream(adminKey, `?resourceId=${id}`, { 'last-event-id': String(created - 1) });
    await byHeader.until(() => byHeader.events.length === 3 || undefined);
    expect(byHeader.events.map((e) => e.id)).toEqual([created, first, second]);

    // the client had the create event: it receives what followed, and the header wins over a stale address
    const byQuery = await stream(adminKey, `?resourceId=${id}&lastEventId=0`, { 'last-event-id': String(created) });
    await byQuery.until(() => byQuery.events.length === 2 || undefined);
    expect(byQuery.events.map((e) => e.id)).toEqual([first, second]);

    // caught up, the stream goes on live
    await api('PATCH', `${ORDERS}/${id}`, { description: 'changed live' });
    const live = await byQuery.until(() => byQuery.events.find((e) => e.id > second));
    expect((live.data['event'] as Record<string, Doc>)['productOrder']!['description']).toBe('changed live');
    await byHeader.until(() => byHeader.events.length === 4 || undefined);
    expect(byHeader.events.map((e) => e.id)).toEqual([created, first, second, live.id]);
    await closeAll();
  });

  it('resumes through a backlog longer than one page, in order and complete', async () => {
    const start = (await op.db.query<{ h: number }>('SELECT coalesce(max(position), 0) AS h FROM outbox')).rows[0]!.h;
    const order = await placeOrder(PARTY_BOB);
    for (let i = 0; i < 130; i++) await api('PATCH', `${ORDERS}/${String(order['id'])}`, { description: `change ${i}` });
    await op.relay.idle();
    const s = await stream(adminKey, `?lastEventId=${start}`);
    await s.until(() => s.events.length >= 131 || undefined, 20_000);
    const ids = s.events.map((e) => e.id);
    expect(ids.slice(0, 131)).toEqual(Array.from({ length: 131 }, (_, i) => start + 1 + i));
    await closeAll();
  });

  it('filters by event type and by resource id (several, and resources whose externalId names one)', async () => {
    const a = await placeOrder(PARTY_BOB);
    const b = await placeOrder(PARTY_BOB);
    // stamped before the streams open: neither sees these two create events
    await op.relay.idle();
    const types = await stream(adminKey, '?eventType=ProductOrderAttributeValueChangeEvent,ProductOrderDeleteEvent');
    const ids = await stream(salesKey, `?resourceId=${String(a['id'])},${String(b['id'])}`);
    const other = await placeOrder(PARTY_BOB);
    // an order whose externalId names order a, as a service order names its product order
    const follower = await placeOrder(PARTY_BOB, { externalId: String(a['id']) });
    await api('PATCH', `${ORDERS}/${String(b['id'])}`, { description: 'b changed' });
    await api('PATCH', `${ORDERS}/${String(other['id'])}`, { description: 'other changed' });
    await types.until(types.eventFor(String(other['id']), 'ProductOrderAttributeValueChangeEvent'));
    expect(new Set(types.events.map((e) => e.event))).toEqual(new Set(['ProductOrderAttributeValueChangeEvent']));
    await ids.until(ids.eventFor(String(b['id']), 'ProductOrderAttributeValueChangeEvent'));
    // the last change (of another order) has been passed over once the stream is past it
    await api('PATCH', `${ORDERS}/${String(a['id'])}`, { description: 'a changed' });
    await ids.until(ids.eventFor(String(a['id']), 'ProductOrderAttributeValueChangeEvent'));
    const seen = ids.events.map((e) => `${String((e.data['event'] as Record<string, Doc>)['productOrder']!['id'])} ${e.event}`);
    expect(seen, JSON.stringify(ids.events)).toEqual([
      `${String(follower['id'])} ProductOrderCreateEvent`,
      `${String(b['id'])} ProductOrderAttributeValueChangeEvent`,
      `${String(a['id'])} ProductOrderAttributeValueChangeEvent`,
    ]);
    await closeAll();
  });

  it('gives a customer only the events of its own party\'s orders', async () => {
    const jane = await stream(janeKey);
    const admin = await stream(adminKey);
    const bobs = await placeOrder(PARTY_BOB);
    const janes = await placeOrder(PARTY_JANE);
    await jane.until(jane.eventFor(String(janes['id']), 'ProductOrderCreateEvent'));
    await admin.until(admin.eventFor(String(janes['id']), 'ProductOrderCreateEvent'));
    // Bob's order was committed (and streamed to the administrator) before Jane's: Jane's stream passed over it
    expect(admin.eventFor(String(bobs['id']))()).toBeDefined();
    expect(jane.eventFor(String(bobs['id']))()).toBeUndefined();
    expect(jane.events.every((e) => JSON.stringify(e.data).includes(PARTY_JANE))).toBe(true);
    expect(JSON.stringify(jane.messages)).not.toContain(PARTY_BOB);

    // resuming does not open another way in
    const resumed = await stream(janeKey, `?lastEventId=${admin.eventFor(String(bobs['id']))()!.id - 1}`);
    await resumed.until(resumed.eventFor(String(janes['id'])));
    expect(JSON.stringify(resumed.messages)).not.toContain(PARTY_BOB);
    await closeAll();
  });

  it('applies the read permission of each event\'s API and the party scope of its resource', () => {
    const v = new EventVisibility(op.runtime.services);
    const order = (party: string) => ({
      position: 1, api: 'productOrderingManagement', eventType: 'ProductOrderCreateEvent', resourceType: 'ProductOrder', resourceId: 'o-1',
      payload: { event: { productOrder: { id: 'o-1', relatedParty: [{ id: party, role: 'customer' }] } } },
    });
    const customer = { id: 'key:c', roles: ['customer'], partyId: PARTY_JANE };
    expect(v.visible(customer, order(PARTY_JANE))).toBe(true);
    expect(v.visible(customer, order(PARTY_BOB))).toBe(false);
    expect(v.visible({ id: 'key:s', roles: ['sales'] }, order(PARTY_BOB))).toBe(true);
    // a confined role without its party sees no party's data
    expect(v.visible({ id: 'key:x', roles: ['partner'] }, order(PARTY_BOB))).toBe(false);
    // service orders are internal: a customer may not read them, whatever party they name
    const serviceOrder = { ...order(PARTY_JANE), api: 'serviceOrdering', eventType: 'ServiceOrderCreateEvent', resourceType: 'ServiceOrder', payload: { event: { serviceOrder: { id: 's-1', relatedParty: [{ id: PARTY_JANE }] } } } };
    expect(v.visible(customer, serviceOrder)).toBe(false);
    expect(v.visible({ id: 'key:n', roles: ['networkOperations'] }, serviceOrder)).toBe(true);
    // an API no one declared cannot be read by anyone
    expect(v.visible({ id: 'key:a', roles: ['administrator'] }, { ...order(PARTY_JANE), api: 'noSuchApi' })).toBe(false);
  });

  it('bounds the streams per caller and per node (429 TMF Error), and closing one frees its place and, with the last, the listener', async () => {
    const a1 = await stream(adminKey);
    await stream(adminKey);
    const third = await StreamClient.open(streamUrl(), adminKey);
    expect(third.res.status).toBe(429);
    expect(third.res.headers.get('retry-after')).toBeTruthy();
    expect(JSON.parse(third.res.body)).toMatchObject({ '@type': 'Error', status: '429' });
    await stream(salesKey);
    await stream(janeKey);
    const fifth = await fetch(streamUrl(), { headers: { authorization: `Bearer ${salesKey}`, accept: 'text/event-stream' } });
    expect(fifth.status).toBe(429);
    expect(await fifth.json()).toMatchObject({ '@type': 'Error', status: '429' });
    const listening = async () => (await op.db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'operon-event-stream' AND datname = current_database()`)).rowCount;
    expect(await listening()).toBe(1);

    // a client going away frees its place at once
    await a1.close();
    open.splice(open.indexOf(a1), 1);
    const again = await until(async () => (await StreamClient.open(streamUrl(), adminKey)), (r) => r.res.status === 200);
    open.push(again.client);
    await again.client.connected();

    // the last one gone, the node stops listening to the outbox
    await closeAll();
    await until(listening, (n) => n === 0);
    // and listens again for the next one
    const next = await stream(adminKey);
    const order = await placeOrder(PARTY_BOB);
    await next.until(next.eventFor(String(order['id'])));
    await closeAll();
  });
});

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('on a node that does not relay events', () => {
  let other: RunningOperon;
  afterAll(async () => other?.stop());

  it('streams what another node commits, woken by the relay\'s notification, and ends its streams when it stops', async () => {
    other = await startOperon(loadConfig({}, { ...op.config, port: 0 }), { components: [productOrderComponent], flows: [] });
    expect(other.relay.isLeader).toBe(false);
    const { res, client } = await StreamClient.open(`${other.url}/ops/events/stream`, janeKey);
    expect(res.status).toBe(200);
    await client.connected();
    const t0 = Date.now();
    const janes = await placeOrder(PARTY_JANE);
    await client.until(client.eventFor(String(janes['id']), 'ProductOrderCreateEvent'));
    // far sooner than the minute of the safety-net poll
    expect(Date.now() - t0).toBeLessThan(10_000);

    await other.stop();
    await client.until(() => client.ended || undefined);
  });
});
