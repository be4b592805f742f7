import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '../testing.ts';

let op: TestOperon;
let dataDir: string;
let adminKey: string;
let adminPassword: string;

async function call(method: string, url: string, opts: { key?: string; token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers['authorization'] = `Bearer ${opts.key}`;
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(op.url + url, { method, headers, ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  let body: any = undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-local
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-security-'));
  op = await startTestOperon({ config: { auth: true, dataDir, rateLimit: { perSecond: 0, burst: 0 } } });
  const file = fs.readFileSync(path.join(dataDir, 'admin-credentials'), 'utf8');
  adminKey = /apiKey=(\S+)/.exec(file)![1]!;
  adminPassword = /password=(\S+)/.exec(file)![1]!;
});
afterAll(async () => {
  await op?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the first administrator', () => {
  it('is created on the first start, with its secrets in a file only its owner can read', () => {
    expect(op.firstAdmin?.username).toBe('admin');
    const st = fs.statSync(path.join(dataDir, 'admin-credentials'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(adminKey).toMatch(/^opk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(adminPassword.length).toBeGreaterThanOrEqual(20);
  });

  it('signs in with the password for a token, and with the key directly', async () => {
    const t = await call('POST', '/auth/token', { body: { username: 'admin', password: adminPassword } });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = await call('GET', '/auth/me', { token: t.body.access_token });
    expect(me.body).toMatchObject({ name: 'admin', roles: ['administrator'], partyId: null });
    const viaKey = await call('GET', '/auth/me', { headers: { 'x-api-key': adminKey } });
    expect(viaKey.body.roles).toEqual(['administrator']);
    const form = await fetch(`${op.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=password&username=admin&password=${encodeURIComponent(adminPassword)}` });
    expect(form.status).toBe(200);
  });

  it('never accepts a wrong password, and does not say which part was wrong', async () => {
    const wrong = await call('POST', '/auth/token', { body: { username: 'admin', password: 'not the password' } });
    const nobody = await call('POST', '/auth/token', { body: { username: 'nobody', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(nobody.status).toBe(401);
    expect(wrong.body.message).toBe(nobody.body.message);
    expect(wrong.body['@type']).toBe('Error');
  });
});

describe('authentication', () => {
  it('is required everywhere but health, sign-in and the docs', async () => {
    const r = await call('GET', '/tmf-api/party/v4/individual');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
    expect(r.body).toMatchObject({ '@type': 'Error', code: '401', status: '401' });
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/docs/json')).status).toBe(200);
    expect((await call('GET', '/tmf-api/party/v4/individual', { key: adminKey })).status).toBe(200);
  });

  it('refuses forged, unknown, revoked and expired credentials', async () => {
    expect((await call('GET', '/auth/me', { key: adminKey.slice(0, -1) + (adminKey.endsWith('A') ? 'B' : 'A') })).status).toBe(401);
    expect((await call('GET', '/auth/me', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' })).status).toBe(401);
    expect((await call('GET', '/auth/me', { headers: { authorization: 'Basic YWRtaW46eA==' } })).status).toBe(401);
    const k = await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'short-lived', roles: ['sales'] } });
    expect(k.status).toBe(201);
    expect(k.body.secret).toMatch(/^opk_/);
    expect((await call('GET', '/ops/security/keys', { key: adminKey })).body.every((x: { secret?: string }) => x.secret === undefined)).toBe(true);
    expect((await call('GET', '/auth/me', { key: k.body.secret })).status).toBe(200);
    expect((await call('DELETE', `/ops/security/keys/${k.body.id}`, { key: adminKey })).status).toBe(204);
    // revocation reaches every node within the key cache's five seconds
    await new Promise((r) => setTimeout(r, 5200));
    expect((await call('GET', '/auth/me', { key: k.body.secret })).status).toBe(401);
    const past = await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'expired', roles: ['sales'], expiresAt: '2020-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    const soon = await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'soon', roles: ['sales'], expiresAt: new Date(Date.now() + 1500).toISOString() } });
    expect((await call('GET', '/auth/me', { key: soon.body.secret })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 6800));
    expect((await call('GET', '/auth/me', { key: soon.body.secret })).status).toBe(401);
  });
});

describe('roles', () => {
  it('allow what the permission table allows, and nothing else (403)', async () => {
    const pm = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'pm', roles: ['productManager'] } })).body.secret;
    const sales = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'sales', roles: ['sales'] } })).body.secret;
    const offering = { name: 'Role test offering' };
    expect((await call('POST', '/tmf-api/productCatalogManagement/v4/productOffering', { key: pm, body: offering })).status).toBe(201);
    const denied = await call('POST', '/tmf-api/productCatalogManagement/v4/productOffering', { key: sales, body: offering });
    expect(denied.status).toBe(403);
    expect(denied.body['@type']).toBe('Error');
    expect((await call('GET', '/tmf-api/productCatalogManagement/v4/productOffering', { key: sales })).status).toBe(200);
    expect((await call('POST', '/tmf-api/party/v4/individual', { key: sales, body: { givenName: 'S', familyName: 'Ales' } })).status).toBe(201);
    expect((await call('GET', '/ops/security/users', { key: sales })).status).toBe(403);
    expect((await call('GET', '/ops/audit', { key: sales })).status).toBe(403);
  });

  it('are checked when credentials are made: a customer credential needs its party and cannot hold staff roles', async () => {
    expect((await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'x', roles: ['customer'] } })).status).toBe(400);
    expect((await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'x', roles: ['customer', 'sales'], partyId: 'p' } })).status).toBe(400);
    expect((await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'x', roles: ['wizard'] } })).status).toBe(400);
    expect((await call('POST', '/ops/security/users', { key: adminKey, body: { username: 'shorty', password: 'short', roles: ['sales'] } })).status).toBe(400);
  });
});

describe('a customer credential', () => {
  it('sees and changes only its own party data', async () => {
    const mine = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: { givenName: 'Self', familyName: 'Service' } });
    const other = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: { givenName: 'Some', familyName: 'One Else' } });
    const myCustomer = await call('POST', '/tmf-api/customerManagement/v4/customer', { key: adminKey, body: { name: 'Self Service', engagedParty: { id: mine.body.id, '@referredType': 'Individual' } } });
    const theirCustomer = await call('POST', '/tmf-api/customerManagement/v4/customer', { key: adminKey, body: { name: 'Some One Else', engagedParty: { id: other.body.id, '@referredType': 'Individual' } } });
    const key = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'self-service', roles: ['customer'], partyId: mine.body.id } })).body.secret;
    const list = await call('GET', '/tmf-api/customerManagement/v4/customer', { key });
    expect(list.body.map((c: { id: string }) => c.id)).toEqual([myCustomer.body.id]);
    expect((await call('GET', `/tmf-api/customerManagement/v4/customer/${theirCustomer.body.id}`, { key })).status).toBe(404);
    expect((await call('GET', `/tmf-api/party/v4/individual/${other.body.id}`, { key })).status).toBe(404);
    const self = await call('PATCH', `/tmf-api/party/v4/individual/${mine.body.id}`, { key, body: { location: 'Berlin' }, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(self.status).toBe(200);
    expect((await call('PATCH', `/tmf-api/party/v4/individual/${other.body.id}`, { key, body: { location: 'Berlin' } })).status).toBe(404);
    // the catalog is for everyone to read
    expect((await call('GET', '/tmf-api/productCatalogManagement/v4/productOffering', { key })).status).toBe(200);
    // the service catalog is internal
    expect((await call('GET', '/tmf-api/serviceCatalogManagement/v4/serviceSpecification', { key })).status).toBe(403);
  });
});

describe('idempotent POSTs', () => {
  it('replay the first answer for the same key and body, without a second effect; refuse the key for another body', async () => {
    const body = { givenName: 'Once', familyName: 'Only' };
    const headers = { 'idempotency-key': 'create-once-only-1' };
    const first = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body, headers });
    const again = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const found = await call('GET', '/tmf-api/party/v4/individual?familyName=Only', { key: adminKey });
    expect(found.body).toHaveLength(1);
    const different = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: { ...body, givenName: 'Twice' }, headers });
    expect(different.status).toBe(422);
    expect(different.body['@type']).toBe('Error');
    // the same key from another caller is another request
    const other = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'other caller', roles: ['sales'] } })).body.secret;
    expect((await call('POST', '/tmf-api/party/v4/individual', { key: other, body, headers })).headers.get('idempotent-replayed')).toBeNull();
    expect((await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body, headers: { 'idempotency-key': '' } })).status).toBe(400);
    // a refused request is kept too: the same mistake gives the same answer
    const bad = { givenName: 'Missing family name' };
    const b1 = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: bad, headers: { 'idempotency-key': 'bad-1' } });
    const b2 = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: bad, headers: { 'idempotency-key': 'bad-1' } });
    expect(b1.status).toBe(400);
    expect(b2.body).toEqual(b1.body);
  });

  it('forget answers after their time', async () => {
    await op.db.query(`UPDATE operon_idempotency SET expires_at = now() - interval '1 second' WHERE key = 'create-once-only-1'`);
    const after = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, body: { givenName: 'Once', familyName: 'Only' }, headers: { 'idempotency-key': 'create-once-only-1' } });
    expect(after.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('the audit trail', () => {
  it('answers by resource and by principal, for administrators and finance', async () => {
    const sales = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'audited sales', roles: ['sales'] } })).body;
    const p = await call('POST', '/tmf-api/party/v4/individual', { key: sales.secret, body: { givenName: 'Audit', familyName: 'Trail' } });
    await call('PATCH', `/tmf-api/party/v4/individual/${p.body.id}`, { key: sales.secret, body: { location: 'Paris' } });
    const byResource = await call('GET', `/ops/audit?resourceType=Individual&resourceId=${p.body.id}`, { key: adminKey });
    expect(byResource.body.map((a: { action: string }) => a.action)).toEqual(['update', 'create']);
    expect(byResource.body[0].principal).toMatchObject({ id: `key:${sales.id}`, name: 'audited sales', roles: ['sales'] });
    expect(byResource.body[0].before.location).toBeUndefined();
    expect(byResource.body[0].after.location).toBe('Paris');
    // by period: from is inclusive, to exclusive
    const updatedAt = byResource.body[0].at as string;
    const createdAt = byResource.body[1].at as string;
    const period = (from: string, to: string) => call('GET', `/ops/audit?resourceId=${p.body.id}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { key: adminKey });
    const later = new Date(Date.parse(updatedAt) + 1).toISOString();
    expect((await period(updatedAt, later)).body.map((a: { action: string }) => a.action)).toEqual(updatedAt === createdAt ? ['update', 'create'] : ['update']);
    expect((await period(createdAt, later)).body.map((a: { action: string }) => a.action)).toEqual(['update', 'create']);
    expect((await period('2000-01-01T00:00:00Z', createdAt)).body).toEqual([]);
    expect((await call('GET', `/ops/audit?from=${encodeURIComponent('-271821-04-20T00:00:00Z')}`, { key: adminKey })).status).toBe(400);
    const byPrincipal = await call('GET', `/ops/audit?principal=key:${sales.id}`, { key: adminKey });
    expect(byPrincipal.body).toHaveLength(2);
    const finance = (await call('POST', '/ops/security/keys', { key: adminKey, body: { name: 'finance', roles: ['finance'] } })).body.secret;
    expect((await call('GET', '/ops/audit?limit=1', { key: finance })).status).toBe(206);
    expect((await call('GET', '/ops/audit?from=yesterday', { key: adminKey })).status).toBe(400);
  });
});

describe('hostile input', () => {
  it('gets security headers on every answer and CORS only for allowed origins', async () => {
    const r = await call('GET', '/tmf-api/party/v4/individual', { key: adminKey, headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect((await call('GET', '/nope')).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses bodies nested too deep or too large, and never answers with a stack trace', async () => {
    const deep = '{"givenName":"x","familyName":"y","location":' + '['.repeat(40) + ']'.repeat(40) + '}';
    const r = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, raw: deep });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('nested deeper');
    const huge = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, raw: JSON.stringify({ givenName: 'x'.repeat(2_000_000), familyName: 'y' }) });
    expect(huge.status).toBe(413);
    expect(huge.body['@type']).toBe('Error');
    const proto = await call('POST', '/tmf-api/party/v4/individual', { key: adminKey, raw: '{"givenName":"x","familyName":"y","__proto__":{"admin":true}}' });
    expect(proto.status).toBe(400);
    expect(JSON.stringify(proto.body)).not.toMatch(/at .*\.ts:\d+|node_modules|SELECT|INSERT/);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After when a caller goes too fast', async () => {
    const limited = await startTestOperon({ config: { auth: false, rateLimit: { perSecond: 2, burst: 3 } } });
    try {
      const codes: number[] = [];
      let retry: string | null = null;
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${limited.url}/tmf-api/party/v4/individual?limit=1`);
        codes.push(r.status);
        if (r.status === 429) {
          retry = r.headers.get('retry-after');
          const body = (await r.json()) as { '@type': string };
          expect(body['@type']).toBe('Error');
        } else await r.arrayBuffer();
      }
      expect(codes.slice(0, 3)).toEqual([200, 200, 200]);
      expect(codes).toContain(429);
      expect(Number(retry)).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await fetch(`${limited.url}/tmf-api/party/v4/individual?limit=1`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('an external OpenID Connect provider', () => {
  it('is trusted for the roles and party its tokens carry, and only for its audience', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    const idp = http.createServer((req, res) => {
      const port = (idp.address() as AddressInfo).port;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: `http://127.0.0.1:${port}`, jwks_uri: `http://127.0.0.1:${port}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const withIdp = await startTestOperon({
      config: { auth: true, dataDir, oidc: { issuer, audience: 'operon', rolesClaim: 'realm_access.roles', partyClaim: 'party_id', roleMap: { 'noc-engineer': 'networkOperations' } } },
    });
    try {
      const sign = (claims: Record<string, unknown>, audience = 'operon') =>
        new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer(issuer).setAudience(audience).setSubject('u-42').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const noc = await sign({ preferred_username: 'nina', realm_access: { roles: ['noc-engineer', 'unrelated'] } });
      const me = await fetch(`${withIdp.url}/auth/me`, { headers: { authorization: `Bearer ${noc}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ id: 'oidc:u-42', name: 'nina', roles: ['networkOperations'] });
      const wrongAudience = await sign({ realm_access: { roles: ['noc-engineer'] } }, 'someone-else');
      expect((await fetch(`${withIdp.url}/auth/me`, { headers: { authorization: `Bearer ${wrongAudience}` } })).status).toBe(401);
      const customerWithoutParty = await sign({ realm_access: { roles: ['customer'] } });
      expect((await fetch(`${withIdp.url}/auth/me`, { headers: { authorization: `Bearer ${customerWithoutParty}` } })).status).toBe(401);
    } finally {
      await withIdp.close();
      idp.close();
    }
  });
});
