/**
 * Walks every route of every mounted TMF API, on a server loaded with the demo
 * data, and validates every response body against the official v4 definition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, type SpecOracle } from '@operon/tmf/testing';
import { components } from './components.ts';
import { seedDemo } from './demo/seed.ts';
import { startTestOperon, type TestOperon } from './testing.ts';

let op: TestOperon;
beforeAll(async () => {
  op = await startTestOperon();
  await seedDemo(op.runtime);
});
afterAll(async () => op?.close());

type Json = Record<string, unknown>;

async function call(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': contentType }, body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A copy of a stored resource that can be posted again: without what the server sets. */
function postable(doc: Json, serverSet: readonly string[], lifecycleField: string | undefined): Json {
  const out: Json = { ...doc };
  for (const f of ['id', 'href', ...serverSet]) delete out[f];
  if (lifecycleField) delete out[lifecycleField];
  if (typeof out['name'] === 'string') out['name'] = `${out['name']} (copy)`;
  return out;
}

const apis = components.flatMap((c) => c.exposes);

describe.each(apis.map((a) => [a.id, a] as const))('%s', (_id, api) => {
  let spec: SpecOracle;
  let root: string;
  const checked: string[] = [];
  beforeAll(() => {
    spec = loadSpec(api.id);
    root = `${op.url}${api.basePath}`;
  });
  const valid = (definition: string, body: unknown, where: string, partial = false) => {
    expect(spec.errors(definition, body, { partial }), `${where} as ${definition}`).toEqual([]);
    checked.push(where);
  };

  it('serves every path and method of the specification (listeners excepted)', async () => {
    // path parameters are compared by position, not by name
    const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
    const served = ((await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> }).paths;
    const ours = Object.fromEntries(Object.entries(served).map(([p, v]) => [shape(p), v]));
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/listener/')) continue;
      const mine = ours[shape(`${api.basePath}${path}`)];
      expect(mine, `${api.id} ${path}`).toBeDefined();
      for (const m of Object.keys(ops).filter((k) => ['get', 'post', 'patch', 'delete', 'put'].includes(k))) {
        expect(mine![m], `${api.id} ${m.toUpperCase()} ${path}`).toBeDefined();
      }
    }
  });

  it.each(api.resources.map((r) => [r.name, r] as const))('%s: every response validates', async (_n, def) => {
    const svc = op.runtime.services.get(api.name)!.get(def.name)!;
    const base = `${root}/${def.name}`;
    const ops = new Set(def.operations ?? ['list', 'retrieve', 'create', 'patch', 'delete']);

    const list = await call('GET', base);
    expect([200, 206]).toContain(list.status);
    const items = list.body as Json[];
    for (const item of items) valid(def.type, item, `GET ${def.name}`);

    const partial = await call('GET', `${base}?fields=id&limit=1`);
    for (const item of partial.body as Json[]) valid(def.type, item, `GET ${def.name}?fields`, true);

    const missing = await call('GET', `${base}/no-such-id`);
    expect(missing.status).toBe(404);
    valid('Error', missing.body, `GET ${def.name}/unknown`);

    for (const item of items.slice(0, 5)) {
      const one = await call('GET', `${base}/${String(item['id'])}`);
      expect(one.status).toBe(200);
      valid(def.type, one.body, `GET ${def.name}/{id}`);
    }

    if (ops.has('create')) {
      const bad = await call('POST', base, { '@type': 7 });
      expect(bad.status).toBe(400);
      valid('Error', bad.body, `POST ${def.name} invalid`);
    }

    // resources the demo does not hold (e.g. jobs) are created from the first valid example only if one exists
    const sample = items[0];
    if (!sample || !ops.has('create')) return;
    const serverSet = [...(def.readOnly ?? []), ...(def.lastUpdate ? [def.lastUpdate] : []), ...(def.created ? [def.created] : [])];
    const created = await call('POST', base, postable(sample, serverSet, svc.def.lifecycle?.field));
    if (created.status === 409) {
      // a business key the copy repeats (e.g. the same party holding the same role twice)
      valid('Error', created.body, `POST ${def.name} duplicate`);
      if (ops.has('patch')) {
        const same = await call('PATCH', `${base}/${String(sample['id'])}`, {}, 'application/merge-patch+json');
        expect(same.status).toBe(200);
        valid(def.type, same.body, `PATCH ${def.name}`);
      }
      return;
    }
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    valid(def.type, created.body, `POST ${def.name}`);
    const id = String((created.body as Json)['id']);

    if (ops.has('patch')) {
      const field = 'description' in def.schema.properties ? 'description' : undefined;
      const patch = field ? { [field]: 'changed by the conformance walk' } : {};
      const patched = await call('PATCH', `${base}/${id}`, patch, 'application/merge-patch+json');
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      valid(def.type, patched.body, `PATCH ${def.name}`);
      const conflict = await fetch(`${base}/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"999"' }, body: '{}' });
      expect(conflict.status).toBe(412);
      valid('Error', await conflict.json(), `PATCH ${def.name} stale`);
    }
    if (ops.has('delete')) {
      const del = await fetch(`${base}/${id}`, { method: 'DELETE' });
      expect([204, 422]).toContain(del.status);
      if (del.status === 422) valid('Error', await del.json(), `DELETE ${def.name} refused`);
      else expect((await call('GET', `${base}/${id}`)).status).toBe(404);
    }
  });

  it('hub registration validates', async () => {
    if (api.hub === false) return;
    const sub = await call('POST', `${root}/hub`, { callback: 'http://127.0.0.1:9/listener', query: 'eventType=X' });
    expect(sub.status).toBe(201);
    valid('EventSubscription', sub.body, 'POST hub');
    const bad = await call('POST', `${root}/hub`, { callback: 'nope' });
    valid('Error', bad.body, 'POST hub invalid');
    expect((await fetch(`${root}/hub/${String((sub.body as Json)['id'])}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('every event it published validates against the event definition', async () => {
    const rows = await op.db.query<{ event_type: string; payload: unknown }>('SELECT event_type, payload FROM outbox WHERE api = $1', [api.name]);
    // an API the demo data leaves empty has published nothing in this walk; its component's own conformance test checks its events
    const held = await Promise.all(api.resources.map(async (r) => (await op.runtime.services.get(api.name)!.get(r.name)!.list({ filters: [], sort: [], offset: 0, limit: 1 })).items.length));
    if (held.some((n) => n > 0)) expect(rows.rowCount).toBeGreaterThan(0);
    for (const r of rows.rows) {
      if (spec.definitions.includes(r.event_type)) valid(r.event_type, r.payload, `event ${r.event_type}`);
    }
  });
});
