/**
 * Two customers of the demo operator, each with its own credential: every
 * route that holds party data is tried with the other customer's ids, and
 * must answer 404 (or 403 where the role may not act at all), never data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed.ts';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { allows } from './permissions.ts';

/**
 * Party-scoped resources the demo data holds no documents of for two parties yet, so the walk
 * cannot try them: the list must shrink as the demo data grows, never grow unnoticed.
 */
const UNPROBED: string[] = [];

let op: TestOperon;
let dataDir: string;
let janeKey: string;
let acmeKey: string;
let janeParty: string;
let acmeParty: string;

type Doc = Record<string, unknown>;

async function admin(path: string): Promise<Doc[]> {
  const r = await fetch(op.url + path, { headers: { authorization: `Bearer ${adminKey}` } });
  return (await r.json()) as Doc[];
}
let adminKey: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-isolation-'));
  // the flow's tasks each hold a transaction and may take a second connection: the pool the flow's own tests use
  op = await startTestOperon({ config: { auth: true, dataDir, dbPoolSize: 20 } });
  await seedDemo(op.runtime);
  // the demo's orders are fulfilled by the flow: products, services and resources exist once they have ended
  const until = Date.now() + 90_000;
  for (;;) {
    const open = await op.db.query(`SELECT id FROM product_order WHERE doc->>'state' NOT IN ('completed', 'cancelled', 'failed', 'partial', 'rejected')`);
    if (open.rowCount === 0) break;
    if (Date.now() > until) throw new Error(`the demo orders did not end: ${open.rows.map((r) => String(r['id'])).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  adminKey = (await op.credentials.createKey({ name: 'admin', roles: ['administrator'] })).secret;
  janeParty = String((await admin('/tmf-api/party/v4/individual?familyName=Doe'))[0]!['id']);
  acmeParty = String((await admin('/tmf-api/party/v4/organization?tradingName=Acme%20Logistics'))[0]!['id']);
  janeKey = (await op.credentials.createKey({ name: 'Jane self-service', roles: ['customer'], partyId: janeParty })).secret;
  acmeKey = (await op.credentials.createKey({ name: 'Acme partner portal', roles: ['partner'], partyId: acmeParty })).secret;
});
afterAll(async () => {
  await op?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a customer or partner credential', () => {
  it('never reaches another party\'s data through any route', async () => {
    let probed = 0;
    const probedPerResource = new Map<string, number>();
    for (const [apiName, services] of op.runtime.services) {
      for (const svc of services.values()) {
        if (!svc.def.partyPaths) continue;
        const base = `${op.url}${svc.api.basePath}/${svc.def.name}`;
        const all = (await svc.list({ filters: [], sort: [], offset: 0, limit: 1000 })).items as Doc[];
        for (const [me, key, role] of [[janeParty, janeKey, 'customer'], [acmeParty, acmeKey, 'partner']] as const) {
          const others = all.filter((d) => !svc.belongsTo(d, me));
          const mine = all.filter((d) => svc.belongsTo(d, me));
          // the list holds only the caller's own
          const listed = await fetch(base, { headers: { authorization: `Bearer ${key}` } });
          if (allows([role], apiName, 'read')) {
            const ids = ((await listed.json()) as Doc[]).map((d) => d['id']);
            expect(ids.sort(), `${role} lists ${svc.def.name}`).toEqual(mine.map((d) => d['id']).sort());
          } else expect(listed.status).toBe(403);
          for (const other of others.slice(0, 3)) {
            const id = String(other['id']);
            const attempts: [string, string, string | undefined, 'read' | 'update' | 'delete'][] = [
              ['GET', `${base}/${id}`, undefined, 'read'],
              ['GET', `${base}/${id}?fields=id`, undefined, 'read'],
              ['GET', `${base}?id=${id}`, undefined, 'read'],
              ['PATCH', `${base}/${id}`, '{}', 'update'],
              ['DELETE', `${base}/${id}`, undefined, 'delete'],
            ];
            for (const [method, url, body, action] of attempts) {
              const res = await fetch(url, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/merge-patch+json' } : {}) }, ...(body ? { body } : {}) });
              const text = await res.text();
              const where = `${role} ${method} ${url.slice(op.url.length)} → ${res.status}`;
              const served = !svc.def.operations || method === 'GET' || svc.def.operations.includes(method === 'PATCH' ? 'patch' : 'delete');
              if (!served) {
                // no such route (e.g. a cancel request is never patched): a 404 that holds nothing
                expect(res.status, where).toBe(404);
              } else if (method === 'GET' && url.includes('?id=')) {
                if (allows([role], apiName, 'read')) expect(JSON.parse(text), where).toEqual([]);
                else expect(res.status, where).toBe(403);
              } else if (allows([role], apiName, action)) {
                expect(res.status, where).toBe(404);
              } else {
                expect(res.status, where).toBe(403);
              }
              // a 404 names the id it was asked for; nothing else of the document may show
              const secret = other['name'] ?? other['familyName'] ?? other['tradingName'];
              if (typeof secret === 'string') expect(text, where).not.toContain(secret);
              probed++;
              probedPerResource.set(`${apiName}/${svc.def.name}`, (probedPerResource.get(`${apiName}/${svc.def.name}`) ?? 0) + 1);
            }
          }
        }
      }
    }
    expect(probed).toBeGreaterThan(100);
    // every resource that holds party data was tried with another party's ids; those the demo data does not fill yet are named here
    const unprobed: string[] = [];
    for (const [apiName, services] of op.runtime.services) {
      for (const svc of services.values()) {
        if (svc.def.partyPaths && !probedPerResource.get(`${apiName}/${svc.def.name}`)) unprobed.push(`${apiName}/${svc.def.name}`);
      }
    }
    expect(unprobed.sort()).toEqual(UNPROBED);
  });

  it('still sees its own data', async () => {
    const me = await fetch(`${op.url}/tmf-api/party/v4/individual/${janeParty}`, { headers: { authorization: `Bearer ${janeKey}` } });
    expect(me.status).toBe(200);
    const customers = (await (await fetch(`${op.url}/tmf-api/customerManagement/v4/customer`, { headers: { authorization: `Bearer ${janeKey}` } })).json()) as Doc[];
    expect(customers.map((c) => c['name'])).toEqual(['Jane Doe']);
    const accounts = (await (await fetch(`${op.url}/tmf-api/accountManagement/v4/billingAccount`, { headers: { authorization: `Bearer ${acmeKey}` } })).json()) as Doc[];
    expect(accounts.map((a) => a['name'])).toEqual(['Acme Logistics — head office']);
  });
});
