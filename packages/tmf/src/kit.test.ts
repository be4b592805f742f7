import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLifecycle, unprocessable } from '@operon/kernel';
import { EventRelay } from '@operon/store';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { createServices, defineApi, HubService, installTmfHttp, mountApi, Money, RelatedParty, TimePeriod, entity, type ApiServices } from './index.ts';

const lifecycle = defineLifecycle({
  name: 'Widget',
  field: 'lifecycleStatus',
  initial: 'In design',
  creatable: ['In design', 'Active'],
  transitions: { 'In design': ['Active'], Active: ['Retired'], Retired: [] },
  deletable: ['In design', 'Retired'],
});

const Widget = entity({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  size: Type.Optional(Type.Integer()),
  isBundle: Type.Optional(Type.Boolean()),
  price: Type.Optional(Money),
  validFor: Type.Optional(TimePeriod),
  relatedParty: Type.Optional(Type.Array(RelatedParty)),
  lifecycleStatus: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
});

const api = defineApi({
  id: 'TMF999',
  name: 'widgetManagement',
  title: 'Widget',
  version: '4.0.0',
  basePath: '/tmf-api/widgetManagement/v4',
  resources: [
    {
      name: 'widget',
      type: 'Widget',
      table: 'test_widget',
      schema: Widget,
      lifecycle,
      lastUpdate: 'lastUpdate',
      immutable: ['isBundle'],
      partyPaths: ['relatedParty.id'],
      validate(doc) {
        if (doc['name'] === 'forbidden') throw unprocessable('that name is not allowed', 'name');
      },
    },
  ],
});

let t: TestDatabase;
let app: FastifyInstance;
let base: string;
let services: ApiServices;
let relay: EventRelay;

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

function as(party: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  return { ...init, headers: { ...init.headers, 'x-test-party': party } };
}

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(base + path, { method, ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query(`SELECT operon_create_resource_table('test_widget', 'lifecycleStatus')`);
  app = Fastify();
  installTmfHttp(app);
  // stands in for the server's authentication: a caller confined to one party
  app.addHook('onRequest', async (req) => {
    const party = req.headers['x-test-party'];
    if (typeof party === 'string') req.ctx.principal = { id: `customer-of-${party}`, roles: ['customer'], partyId: party };
  });
  services = createServices(api, t.db);
  relay = new EventRelay(t.db, { retry: { baseMs: 30, maxMs: 200, maxAttempts: 4 }, pollMs: 100 });
  mountApi(app, api, services, new HubService(t.db));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/tmf-api/widgetManagement/v4`;
  await relay.start();
});

afterAll(async () => {
  await relay.stop();
  await app.close();
  await t.drop();
});

describe('create', () => {
  it('returns 201 with server-set id, absolute href, @type, lifecycle default, Location and ETag', async () => {
    const r = await call('POST', '/widget', json({ name: 'alpha', size: 3 }));
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.href).toBe(`${base}/widget/${r.body.id}`);
    expect(r.body['@type']).toBe('Widget');
    expect(r.body.lifecycleStatus).toBe('In design');
    expect(Date.parse(r.body.lastUpdate)).not.toBeNaN();
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"1"');
  });

  it('refuses invalid input with 400 naming the attribute, in a TMF Error body', async () => {
    const r = await call('POST', '/widget', json({ name: 'x', size: 'big' }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ '@type': 'Error', code: '400', reason: 'Bad Request', status: '400' });
    expect(r.body.message).toContain('size');
    const missing = await call('POST', '/widget', json({ size: 1 }));
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('name');
    const nested = await call('POST', '/widget', json({ name: 'x', validFor: { startDateTime: 'yesterday' } }));
    expect(nested.status).toBe(400);
    expect(nested.body.message).toContain('validFor.startDateTime');
  });

  it('refuses unknown top-level attributes unless the client gives its own @schemaLocation', async () => {
    const r = await call('POST', '/widget', json({ name: 'x', colour: 'red' }));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('colour');
    const ext = await call('POST', '/widget', json({ name: 'x', colour: 'red', '@type': 'RedWidget', '@schemaLocation': 'https://example.com/red.json' }));
    expect(ext.status).toBe(201);
    expect(ext.body.colour).toBe('red');
    expect(ext.body['@type']).toBe('RedWidget');
  });

  it('refuses server-set attributes, non-JSON bodies, wrong media types and non-creatable states', async () => {
    expect((await call('POST', '/widget', json({ name: 'x', id: 'mine' }))).status).toBe(400);
    expect((await call('POST', '/widget', json({ name: 'x', lastUpdate: '2020-01-01T00:00:00Z' }))).status).toBe(400);
    const bad = await call('POST', '/widget', { headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(bad.status).toBe(400);
    expect(bad.body['@type']).toBe('Error');
    expect((await call('POST', '/widget', json([1, 2]))).status).toBe(400);
    const xml = await call('POST', '/widget', { headers: { 'content-type': 'application/xml' }, body: '<w/>' });
    expect(xml.status).toBe(415);
    expect(xml.body['@type']).toBe('Error');
    expect((await call('POST', '/widget', json({ name: 'x', lifecycleStatus: 'Retired' }))).status).toBe(422);
    expect((await call('POST', '/widget', json({ name: 'x', lifecycleStatus: 'Nonsense' }))).status).toBe(400);
    expect((await call('POST', '/widget', json({ name: 'forbidden' }))).status).toBe(422);
  });

  it('normalises date-times to UTC', async () => {
    const r = await call('POST', '/widget', json({ name: 'dated', validFor: { startDateTime: '2026-03-01T10:00:00+02:00' } }));
    expect(r.body.validFor.startDateTime).toBe('2026-03-01T08:00:00.000Z');
  });
});

describe('list', () => {
  const names = ['l-a', 'l-b', 'l-c', 'l-d', 'l-e'];
  beforeAll(async () => {
    for (const [i, n] of names.entries()) {
      await call('POST', '/widget', json({
        name: n, size: i * 10, isBundle: i % 2 === 0, tags: ['list', `t${i}`],
        price: { unit: 'EUR', value: i + 0.5 },
        validFor: { startDateTime: `2026-0${i + 1}-01T00:00:00Z` },
        relatedParty: [{ id: `p${i}`, role: 'owner', '@referredType': 'Individual' }],
      }));
    }
  });

  it('filters exactly, by comma lists, nested attributes and inside arrays', async () => {
    expect((await call('GET', '/widget?name=l-b')).body.map((w: { name: string }) => w.name)).toEqual(['l-b']);
    expect((await call('GET', '/widget?name=l-b,l-d')).body.map((w: { name: string }) => w.name)).toEqual(['l-b', 'l-d']);
    expect((await call('GET', '/widget?price.unit=EUR&size=20')).body.map((w: { name: string }) => w.name)).toEqual(['l-c']);
    expect((await call('GET', '/widget?relatedParty.id=p3')).body.map((w: { name: string }) => w.name)).toEqual(['l-d']);
    expect((await call('GET', '/widget?tags=t4')).body.map((w: { name: string }) => w.name)).toEqual(['l-e']);
    expect((await call('GET', '/widget?isBundle=true&tags=list')).body).toHaveLength(3);
  });

  it('compares numbers and dates with .gt/.gte/.lt/.lte', async () => {
    expect((await call('GET', '/widget?tags=list&size.gte=30')).body.map((w: { name: string }) => w.name)).toEqual(['l-d', 'l-e']);
    expect((await call('GET', '/widget?tags=list&price.value.lt=1.5')).body.map((w: { name: string }) => w.name)).toEqual(['l-a']);
    const dated = await call('GET', '/widget?tags=list&validFor.startDateTime.gt=2026-03-15T00:00:00Z');
    expect(dated.body.map((w: { name: string }) => w.name)).toEqual(['l-d', 'l-e']);
    const first = (await call('GET', '/widget?name=l-a')).body[0];
    const byUpdate = await call('GET', `/widget?lastUpdate=${encodeURIComponent(first.lastUpdate)}`);
    expect(byUpdate.body.map((w: { id: string }) => w.id)).toContain(first.id);
    const after = await call('GET', `/widget?tags=list&lastUpdate.gt=${encodeURIComponent(first.lastUpdate)}`);
    expect(after.body.map((w: { name: string }) => w.name)).not.toContain('l-a');
  });

  it('sorts, pages with 206 and counts', async () => {
    const desc = await call('GET', '/widget?tags=list&sort=-size');
    expect(desc.status).toBe(200);
    expect(desc.body.map((w: { name: string }) => w.name)).toEqual([...names].reverse());
    expect(desc.headers.get('x-total-count')).toBe('5');
    const page = await call('GET', '/widget?tags=list&sort=name&offset=1&limit=2');
    expect(page.status).toBe(206);
    expect(page.body.map((w: { name: string }) => w.name)).toEqual(['l-b', 'l-c']);
    expect(page.headers.get('x-total-count')).toBe('5');
    expect(page.headers.get('x-result-count')).toBe('2');
    const nested = await call('GET', '/widget?tags=list&sort=-price.value&limit=1');
    expect(nested.body[0].name).toBe('l-e');
  });

  it('serves a resource by id exactly as the list does, id and href first', async () => {
    const [fromList] = (await call('GET', '/widget?name=l-c')).body;
    const one = await call('GET', `/widget/${fromList.id}`);
    expect(one.body).toEqual(fromList);
    expect(Object.keys(one.body).slice(0, 2)).toEqual(['id', 'href']);
    expect(one.headers.get('content-type')).toContain('application/json');
  });

  it('returns only the requested fields, plus id, href and @type', async () => {
    const r = await call('GET', '/widget?name=l-a&fields=name,price.unit');
    expect(Object.keys(r.body[0]).sort()).toEqual(['@type', 'href', 'id', 'name', 'price'].sort());
    expect(r.body[0].price).toEqual({ unit: 'EUR' });
    const one = await call('GET', `/widget/${r.body[0].id}?fields=size`);
    expect(Object.keys(one.body).sort()).toEqual(['@type', 'href', 'id', 'size']);
  });

  it('rejects unknown filter attributes and bad paging with 400', async () => {
    expect((await call('GET', '/widget?colour=red')).status).toBe(400);
    expect((await call('GET', '/widget?limit=-1')).status).toBe(400);
    expect((await call('GET', '/widget?offset=abc')).status).toBe(400);
    expect((await call('GET', '/widget?sort=nope')).status).toBe(400);
    expect((await call('GET', '/widget?size.gt=1,2')).status).toBe(400);
  });
});

describe('retrieve, patch, delete', () => {
  it('404s an unknown id with a TMF Error', async () => {
    const r = await call('GET', '/widget/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ '@type': 'Error', code: '404', status: '404' });
    expect((await call('PATCH', '/widget/nope', json({ name: 'x' }))).status).toBe(404);
    expect((await call('DELETE', '/widget/nope')).status).toBe(404);
    expect((await call('GET', '/nothing-here')).body['@type']).toBe('Error');
  });

  it('merge-patches (also plain JSON), json-patches, and bumps the ETag', async () => {
    const c = await call('POST', '/widget', json({ name: 'p', description: 'd', price: { unit: 'EUR', value: 1 } }));
    const id = c.body.id;
    const m = await call('PATCH', `/widget/${id}`, { headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ description: null, price: { value: 2 } }) });
    expect(m.status).toBe(200);
    expect(m.body.description).toBeUndefined();
    expect(m.body.price).toEqual({ unit: 'EUR', value: 2 });
    expect(m.headers.get('etag')).toBe('"2"');
    const plain = await call('PATCH', `/widget/${id}`, json({ name: 'p2' }));
    expect(plain.body.name).toBe('p2');
    const jp = await call('PATCH', `/widget/${id}`, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/tags', value: ['x'] }, { op: 'add', path: '/tags/-', value: 'y' }, { op: 'replace', path: '/price/value', value: 3 }]),
    });
    expect(jp.status).toBe(200);
    expect(jp.body.tags).toEqual(['x', 'y']);
    expect(jp.body.price.value).toBe(3);
    expect(jp.headers.get('etag')).toBe('"4"');
    const got = await call('GET', `/widget/${id}`);
    expect(got.headers.get('etag')).toBe('"4"');
    expect(Date.parse(got.body.lastUpdate)).toBeGreaterThanOrEqual(Date.parse(c.body.lastUpdate));
  });

  it('honours If-Match with 412, and refuses bad patches', async () => {
    const c = await call('POST', '/widget', json({ name: 'q', isBundle: false }));
    const id = c.body.id;
    expect((await call('PATCH', `/widget/${id}`, json({ name: 'q1' }, { 'if-match': '"7"' }))).status).toBe(412);
    expect((await call('PATCH', `/widget/${id}`, json({ name: 'q1' }, { 'if-match': '"1"' }))).status).toBe(200);
    expect((await call('PATCH', `/widget/${id}`, json({ name: 'q2' }, { 'if-match': '"1"' }))).status).toBe(412);
    expect((await call('DELETE', `/widget/${id}`, { headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await call('PATCH', `/widget/${id}`, { headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await call('PATCH', `/widget/${id}`, json({ size: 'big' }))).status).toBe(400);
    expect((await call('PATCH', `/widget/${id}`, json({ name: null }))).status).toBe(400);
    expect((await call('PATCH', `/widget/${id}`, json({ isBundle: true }))).status).toBe(400);
    expect((await call('PATCH', `/widget/${id}`, json({ id: 'other' }))).status).toBe(400);
    expect((await call('PATCH', `/widget/${id}`, json({ colour: 'red' }))).status).toBe(400);
    const badOp = await call('PATCH', `/widget/${id}`, { headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'remove', path: '/nothing' }]) });
    expect(badOp.status).toBe(400);
    const failedTest = await call('PATCH', `/widget/${id}`, { headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'test', path: '/name', value: 'zzz' }]) });
    expect(failedTest.status).toBe(409);
    expect((await call('GET', `/widget/${id}`)).body.name).toBe('q1');
  });

  it('moves along the lifecycle and refuses forbidden jumps with 422', async () => {
    const c = await call('POST', '/widget', json({ name: 'lc' }));
    const id = c.body.id;
    const jump = await call('PATCH', `/widget/${id}`, json({ lifecycleStatus: 'Retired' }));
    expect(jump.status).toBe(422);
    expect(jump.body.message).toContain("allowed from 'In design': Active");
    expect((await call('PATCH', `/widget/${id}`, json({ lifecycleStatus: 'Active' }))).status).toBe(200);
    expect((await call('DELETE', `/widget/${id}`)).status).toBe(422);
    expect((await call('PATCH', `/widget/${id}`, json({ lifecycleStatus: 'Retired' }))).status).toBe(200);
    expect((await call('DELETE', `/widget/${id}`)).status).toBe(204);
    expect((await call('GET', `/widget/${id}`)).status).toBe(404);
  });
});

describe('callers confined to their own party', () => {
  it('see only documents that name their party, and others are simply not found', async () => {
    const mine = await call('POST', '/widget', json({ name: 'scoped-a', relatedParty: [{ id: 'party-A', role: 'owner', '@referredType': 'Individual' }] }));
    const theirs = await call('POST', '/widget', json({ name: 'scoped-b', relatedParty: [{ id: 'party-B', role: 'owner', '@referredType': 'Individual' }] }));
    const listA = await call('GET', '/widget?name=scoped-a,scoped-b', as('party-A'));
    expect(listA.body.map((w: { name: string }) => w.name)).toEqual(['scoped-a']);
    expect(listA.headers.get('x-total-count')).toBe('1');
    expect((await call('GET', `/widget/${mine.body.id}`, as('party-A'))).status).toBe(200);
    const hidden = await call('GET', `/widget/${theirs.body.id}`, as('party-A'));
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe((await call('GET', '/widget/no-such-id', as('party-A'))).body.message.replace('no-such-id', theirs.body.id));
    expect((await call('GET', `/widget/${theirs.body.id}?fields=name`, as('party-A'))).status).toBe(404);
    expect((await call('PATCH', `/widget/${theirs.body.id}`, as('party-A', json({ description: 'mine now' })))).status).toBe(404);
    expect((await call('DELETE', `/widget/${theirs.body.id}`, as('party-A'))).status).toBe(404);
    expect((await call('GET', `/widget/${theirs.body.id}`)).body.description).toBeUndefined();
  });

  it('can create and change only what names their own party', async () => {
    const forOther = await call('POST', '/widget', as('party-A', json({ name: 'x', relatedParty: [{ id: 'party-B', '@referredType': 'Individual' }] })));
    expect(forOther.status).toBe(403);
    expect(forOther.body['@type']).toBe('Error');
    const own = await call('POST', '/widget', as('party-A', json({ name: 'own', relatedParty: [{ id: 'party-A', '@referredType': 'Individual' }] })));
    expect(own.status).toBe(201);
    const giveAway = await call('PATCH', `/widget/${own.body.id}`, as('party-A', json({ relatedParty: [{ id: 'party-B', '@referredType': 'Individual' }] })));
    expect(giveAway.status).toBe(403);
  });
});

describe('audit trail', () => {
  it('records every write with who, when, what and the change, in the same transaction, and never changes', async () => {
    const c = await call('POST', '/widget', as('party-A', json({ name: 'audited', relatedParty: [{ id: 'party-A', '@referredType': 'Individual' }] })));
    await call('PATCH', `/widget/${c.body.id}`, as('party-A', json({ description: 'changed' })));
    await call('DELETE', `/widget/${c.body.id}`, as('party-A'));
    const rows = (await t.db.query<{ action: string; principal_id: string; roles: string[]; version: number; before: { description?: string } | null; after: { name: string; description?: string } | null; undo: { set: Record<string, unknown>; unset: string[] } | null }>(
      'SELECT action, principal_id, roles, version, operon_audit_before(before, after, undo) AS before, after, undo FROM audit_log WHERE resource_id = $1 ORDER BY seq', [c.body.id],
    )).rows;
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
    expect(rows.every((r) => r.principal_id === 'customer-of-party-A' && r.roles.includes('customer'))).toBe(true);
    expect(rows[0]!.after?.name).toBe('audited');
    expect(rows[1]!.before?.description).toBeUndefined();
    expect(rows[1]!.after?.description).toBe('changed');
    expect(rows[1]!.version).toBe(2);
    expect(rows[2]!.before?.description).toBe('changed');
    // each write's document before is the one the write before it left
    expect(rows[1]!.before).toEqual(rows[0]!.after);
    expect(rows[2]!.before).toEqual(rows[1]!.after);
    // an update keeps only the attributes it changed
    expect(rows[1]!.undo?.unset).toContain('description');
    expect(Object.keys(rows[1]!.undo?.set ?? {})).not.toContain('name');
    await expect(t.db.query('UPDATE audit_log SET principal_id = $1 WHERE resource_id = $2', ['someone else', c.body.id])).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_log WHERE resource_id = $1', [c.body.id])).rejects.toThrow(/append-only/);
    // a refused write leaves no trace
    await call('POST', '/widget', json({ name: 'forbidden' }));
    expect((await t.db.query(`SELECT 1 FROM audit_log WHERE after->>'name' = 'forbidden'`)).rowCount).toBe(0);
  });
});

describe('unique business keys', () => {
  it('turn a duplicate on create or patch into 409, not a server error', async () => {
    await t.db.query(`CREATE UNIQUE INDEX test_widget_serial ON test_widget ((doc->>'description')) WHERE doc->>'name' = 'serialised'`);
    const a = await call('POST', '/widget', json({ name: 'serialised', description: 'SN-1' }));
    expect(a.status).toBe(201);
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE event_type = 'WidgetCreateEvent'`)).rows[0]!['n'];
    const dup = await call('POST', '/widget', json({ name: 'serialised', description: 'SN-1' }));
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain('unique');
    // the row and its event travel together: a refused row leaves no event behind
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE event_type = 'WidgetCreateEvent'`)).rows[0]!['n']).toBe(before);
    const b = await call('POST', '/widget', json({ name: 'serialised', description: 'SN-2' }));
    const clash = await call('PATCH', `/widget/${b.body.id}`, json({ description: 'SN-1' }));
    expect(clash.status).toBe(409);
    expect((await call('GET', `/widget/${b.body.id}`)).body.description).toBe('SN-2');
  });
});

describe('events', () => {
  async function eventsOf(id: string) {
    return (await t.db.query<{ event_type: string; payload: Record<string, unknown> }>(
      'SELECT event_type, payload FROM outbox WHERE resource_id = $1 ORDER BY seq', [id],
    )).rows;
  }

  it('writes a TMF688 event for create, attribute change, state change and delete', async () => {
    const c = await call('POST', '/widget', json({ name: 'ev' }));
    const id = c.body.id;
    await call('PATCH', `/widget/${id}`, json({ name: 'ev2' }));
    await call('PATCH', `/widget/${id}`, json({ lifecycleStatus: 'Active', description: 'now active' }));
    await call('PATCH', `/widget/${id}`, json({ name: 'ev2' }));
    await call('PATCH', `/widget/${id}`, json({ lifecycleStatus: 'Retired' }));
    await call('DELETE', `/widget/${id}`);
    const evs = await eventsOf(id);
    expect(evs.map((e) => e.event_type)).toEqual([
      'WidgetCreateEvent', 'WidgetAttributeValueChangeEvent', 'WidgetStateChangeEvent', 'WidgetAttributeValueChangeEvent',
      'WidgetStateChangeEvent', 'WidgetDeleteEvent',
    ]);
    const created = evs[0]!.payload;
    expect(created).toMatchObject({ eventType: 'WidgetCreateEvent', domain: 'widgetManagement' });
    expect((created['event'] as { widget: { id: string; href: string } }).widget).toMatchObject({ id, href: `${base}/widget/${id}` });
    expect(typeof created['eventId']).toBe('string');
    expect(Date.parse(String(created['eventTime']))).not.toBeNaN();
  });

  it('can publish one combined ChangeEvent per change, as TMF633/634 define', async () => {
    const combined = new (await import('./resource.ts')).ResourceService(
      { ...api.resources[0]!, changeEvents: 'combined' }, { name: 'widgetManagement', basePath: api.basePath }, t.db,
    );
    const ctx = { baseUrl: 'http://x' };
    expect(combined.eventTypes()).toEqual(['WidgetCreateEvent', 'WidgetChangeEvent', 'WidgetDeleteEvent']);
    const w = await combined.create({ name: 'combined' }, ctx);
    const id = String(w.doc['id']);
    await combined.update(id, (d) => ({ ...d, lifecycleStatus: 'Active', description: 'both at once' }), ctx);
    await combined.update(id, (d) => ({ ...d, description: 'attributes only' }), ctx);
    expect((await eventsOf(id)).map((e) => e.event_type)).toEqual(['WidgetCreateEvent', 'WidgetChangeEvent', 'WidgetChangeEvent']);
  });

  it('emits nothing for a change that is rolled back', async () => {
    const svc = services.get('widget')!;
    const ctx = { baseUrl: 'http://x' };
    let id = '';
    await expect(t.db.tx(async (tx) => {
      id = (await svc.create({ name: 'rolled back' }, ctx, tx)).doc['id'] as string;
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await eventsOf(id)).toHaveLength(0);
    expect((await call('GET', `/widget/${id}`)).status).toBe(404);
    expect((await t.db.query('SELECT 1 FROM outbox WHERE payload::text LIKE $1', ['%rolled back%'])).rowCount).toBe(0);
  });
});

describe('hub', () => {
  it('registers a listener, filters by query, delivers to callback/listener/<event>, and unregisters', async () => {
    const received: { path: string; body: Record<string, unknown> }[] = [];
    const listener = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(data) });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const cb = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/cb`;
    try {
      const bad = await call('POST', '/hub', json({ callback: 'not a url' }));
      expect(bad.status).toBe(400);
      const badQuery = await call('POST', '/hub', json({ callback: cb, query: 'eventType' }));
      expect(badQuery.status).toBe(400);
      const sub = await call('POST', '/hub', json({ callback: cb, query: 'eventType=WidgetCreateEvent,WidgetDeleteEvent&event.widget.size=7' }));
      expect(sub.status).toBe(201);
      expect(sub.body).toMatchObject({ callback: cb, id: expect.any(String) });
      expect((await call('GET', `/hub/${sub.body.id}`)).body.callback).toBe(cb);
      const w = await call('POST', '/widget', json({ name: 'hubbed', size: 7 }));
      await call('POST', '/widget', json({ name: 'other size', size: 8 }));
      await call('PATCH', `/widget/${w.body.id}`, json({ name: 'renamed' }));
      await call('DELETE', `/widget/${w.body.id}`);
      await relay.idle();
      expect(received.map((r) => r.path)).toEqual(['/cb/listener/widgetCreateEvent', '/cb/listener/widgetDeleteEvent']);
      expect((received[0]!.body['event'] as { widget: { name: string } }).widget.name).toBe('hubbed');
      expect((await call('DELETE', `/hub/${sub.body.id}`)).status).toBe(204);
      expect((await call('DELETE', `/hub/${sub.body.id}`)).status).toBe(404);
      await call('POST', '/widget', json({ name: 'after unsubscribe', size: 7 }));
      await relay.idle();
      expect(received).toHaveLength(2);
    } finally {
      listener.close();
    }
  });
});
