import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfClient, type TmfClient } from '@operon/tmf/testing';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { TMF672_BASE } from './tmf672.ts';

let op: TestOperon;
let dataDir: string;
let client: TmfClient;
let keyId: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-tmf672-'));
  op = await startTestOperon({ config: { auth: true, dataDir } });
  const admin = await op.credentials.createKey({ name: 'reader', roles: ['administrator'] });
  const confined = await op.credentials.createKey({ name: 'self-service of p-1', roles: ['customer'], partyId: 'p-1' });
  keyId = confined.key.id;
  client = tmfClient({ baseUrl: `${op.url}${TMF672_BASE}`, spec: 'TMF672', types: { userRole: 'UserRole', permission: 'Permission' } });
  // the client sends no credential of its own: wrap it with the admin key
  const call = client.call.bind(client);
  client.call = (method, p, body, headers = {}) => call(method, p, body, { authorization: `Bearer ${admin.secret}`, ...headers });
});
afterAll(async () => {
  await op?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('TMF672 User Role Permission', () => {
  it('lists every role with the entitlements of the permission table', async () => {
    const roles = await client.call<{ id: string; entitlement: { function: string; action: string }[] }[]>('GET', '/userRole');
    expect(roles.status).toBe(200);
    expect(roles.body.map((r) => r.id)).toContain('networkOperations');
    const pm = roles.body.find((r) => r.id === 'productManager')!;
    expect(pm.entitlement).toContainEqual(expect.objectContaining({ function: 'productCatalogManagement', action: 'create' }));
    expect(pm.entitlement).not.toContainEqual(expect.objectContaining({ function: 'ops.security' }));
    expect((await client.call('GET', '/userRole/customer')).status).toBe(200);
    expect((await client.call('GET', '/userRole/wizard')).status).toBe(404);
  });

  it('lists what each user and key may do, with the party a confined one is limited to', async () => {
    const all = await client.call<{ id: string; assetUserRole: { manageableAsset: { id: string } }[] }[]>('GET', '/permission');
    expect(all.body.map((p) => p.id)).toEqual(expect.arrayContaining(['user:' + (await op.credentials.getUser('admin')).id, `key:${keyId}`]));
    const mine = await client.call<{ assetUserRole: { manageableAsset: { id: string } }[]; validFor: { startDateTime: string } }>('GET', `/permission/key:${keyId}`);
    expect(mine.body.assetUserRole[0]!.manageableAsset.id).toBe('p-1');
    const page = await client.call<unknown[]>('GET', '/permission?limit=1&fields=user');
    expect(page.status).toBe(206);
    expect((await client.call('GET', '/permission?colour=red')).status).toBe(400);
  });
});
