/**
 * Every route, with every role and with no credential, against the permission
 * table: forbidden → 403, unauthenticated → 401, allowed → neither (business
 * answers such as 400 or 404 are fine).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { PERMISSIONS, allows } from './permissions.ts';
import { ROLE_NAMES, PARTY_CONFINED_ROLES, type Role } from './roles.ts';

let op: TestOperon;
let dataDir: string;
const keys = new Map<Role, string>();

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-permissions-'));
  op = await startTestOperon({ config: { auth: true, dataDir } });
  for (const role of ROLE_NAMES) {
    const confined = PARTY_CONFINED_ROLES.includes(role);
    const k = await op.credentials.createKey({ name: `${role} key`, roles: [role], ...(confined ? { partyId: 'some-party' } : {}) });
    keys.set(role, k.secret);
  }
});
afterAll(async () => {
  await op?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function concrete(url: string): string {
  return url.replace(/:id\b/g, 'no-such-id').replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'index.html');
}

describe('the permission table', () => {
  it('covers every route the server serves', () => {
    expect(op.routes.length).toBeGreaterThan(80);
    for (const r of op.routes) {
      if (r.access === 'public') continue;
      expect(PERMISSIONS[r.access.area]?.[r.access.action], `${r.method} ${r.url}`).toBeDefined();
    }
  });

  it('holds for every route with every role and without a credential', async () => {
    const routes = op.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    let checked = 0;
    let expected = 0;
    for (const r of routes) {
      expected += r.access === 'public' ? 1 : ROLE_NAMES.length;
      const url = op.url + concrete(r.url);
      const body = ['POST', 'PATCH', 'PUT'].includes(r.method) ? '{}' : undefined;
      const init = (key?: string): RequestInit => ({
        method: r.method,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
      const anonymous = await fetch(url, init());
      await anonymous.arrayBuffer();
      if (r.access === 'public') expect([401, 403], `${r.method} ${r.url} public`).not.toContain(anonymous.status);
      else expect(anonymous.status, `${r.method} ${r.url} without credential`).toBe(401);
      // the table does not apply to public routes (some answer megabytes, e.g. /docs/json): one role shows a credential does not hurt
      const roles = r.access === 'public' ? ROLE_NAMES.slice(0, 1) : ROLE_NAMES;
      for (const role of roles) {
        const res = await fetch(url, init(keys.get(role)));
        const text = await res.text();
        const where = `${r.method} ${r.url} as ${role} → ${res.status} ${text.slice(0, 160)}`;
        if (r.access === 'public' || allows([role], r.access.area, r.access.action)) {
          // a confined role may be refused by data scoping (a document naming another party), never by the table
          const scoped = res.status === 403 && PARTY_CONFINED_ROLES.includes(role) && /your own party/.test(text);
          if (!scoped) expect([401, 403], where).not.toContain(res.status);
          expect(res.status, where).toBeLessThan(500);
        } else {
          expect(res.status, where).toBe(403);
          expect(JSON.parse(text)['@type'], where).toBe('Error');
        }
        checked++;
      }
    }
    expect(checked).toBe(expected);
    // some 4,000 requests: under a loaded CI machine it takes minutes, not the default minute
  }, 240_000);
});
