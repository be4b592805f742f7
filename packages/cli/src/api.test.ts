import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partyComponent } from '@operon/party';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { operon } from './testing/run-cli.ts';

let op: TestOperon;
let janeId: string;

async function post(path: string, body: unknown) {
  const res = await fetch(op.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  op = await startTestOperon({ components: [partyComponent] });
  janeId = (await post('/tmf-api/party/v4/individual', { givenName: 'Jane', familyName: 'Clitheroe' })).id;
  await post('/tmf-api/party/v4/individual', { givenName: 'John', familyName: 'Clitheroe' });
  await post('/tmf-api/party/v4/organization', { tradingName: 'Clitheroe Telecom' });
});
afterAll(async () => op?.close());

describe('operon list', () => {
  it('lists a resource by its short name as a table of common attributes', async () => {
    const r = await operon(['list', 'individual', '--url', op.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+FORMATTEDNAME\s+GIVENNAME\s+FAMILYNAME\s+@TYPE\s+STATUS/m);
    expect(r.stdout).toContain('Jane Clitheroe');
    expect(r.stdout).toMatch(/^2 of 2$/m);
  });

  it('passes filters, fields and limit to the API', async () => {
    const r = await operon(['list', 'individual', '--url', op.url, '--filter', 'givenName=Jane', '--fields', 'givenName', '--json']);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: janeId, givenName: 'Jane' });
    expect(items[0]!['familyName']).toBeUndefined();
    const page = await operon(['list', 'individual', '--url', op.url, '--limit', '1', '--sort', 'givenName']);
    expect(page.stdout).toMatch(/^1 of 2$/m);
    expect(page.stdout).toContain('Jane');
    expect(page.stdout).not.toContain('John');
    const org = await operon(['list', 'party/organization', '--url', op.url]);
    expect(org.stdout).toContain('Clitheroe Telecom');
  });

  it('refuses unknown resources and malformed filters (exit 2)', async () => {
    const r = await operon(['list', 'widget', '--url', op.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown resource 'widget'.*individual/);
    const f = await operon(['list', 'individual', '--url', op.url, '--filter', 'nonsense']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/attribute=value/);
  });

  it('says so when the server cannot be reached (exit 1)', async () => {
    const r = await operon(['list', 'individual', '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach Operon at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('operon get', () => {
  it('reads one resource by short name and id, as fields or JSON', async () => {
    const r = await operon(['get', 'individual', janeId, '--url', op.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Individual Jane Clitheroe/);
    expect(r.stdout).toMatch(/givenName\s+Jane/);
    const j = await operon(['get', `/tmf-api/party/v4/individual/${janeId}`, '--json'], { OPERON_URL: op.url });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ id: janeId, '@type': 'Individual' });
  });

  it('lists a collection when no id is given', async () => {
    const r = await operon(['get', 'TMF632/organization', '--url', op.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Clitheroe Telecom');
  });

  it('prints the TMF error message for an unknown id (exit 1)', async () => {
    const r = await operon(['get', 'individual', 'no-such-id', '--url', op.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404 Not Found: Individual with id no-such-id not found/);
  });
});

describe('operon get and list with authentication on', () => {
  it('send the API key from --key or OPERON_API_KEY, and say how to get one on a 401', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-cli-auth-'));
    const secured = await startTestOperon({ components: [partyComponent], config: { auth: true, dataDir } });
    try {
      // the key comes from the CLI itself, on the server's database
      const created = await operon(['key', 'create', '--name', 'cli test', '--role', 'sales', '--json'], { DATABASE_URL: secured.db.url });
      expect(created.code).toBe(0);
      const { secret } = JSON.parse(created.stdout) as { secret: string };
      const res = await fetch(`${secured.url}/tmf-api/party/v4/individual`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ givenName: 'Ada', familyName: 'Lovelace' }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };

      const none = await operon(['list', 'individual', '--url', secured.url]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/401 Unauthorized: this operation needs a credential/);
      expect(none.stderr).toMatch(/This Operon needs an API key: pass --key <secret> or set OPERON_API_KEY/);
      expect(none.stderr).toMatch(/operon key create --name/);

      const withFlag = await operon(['list', 'individual', '--url', secured.url, '--key', secret]);
      expect(withFlag.code).toBe(0);
      expect(withFlag.stdout).toContain('Ada Lovelace');
      const withEnv = await operon(['get', 'individual', id, '--url', secured.url, '--json'], { OPERON_API_KEY: secret });
      expect(withEnv.code).toBe(0);
      expect(JSON.parse(withEnv.stdout)).toMatchObject({ id, givenName: 'Ada' });

      const wrong = await operon(['get', 'individual', id, '--url', secured.url, '--key', `${secret.slice(0, -4)}AAAA`]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/401 Unauthorized: .*\nThe API key was not accepted \(unknown, expired or revoked\)/);
      // a key whose roles do not allow the call: the server's reason
      const forbidden = await operon(['list', '/ops/events/consumers', '--url', secured.url, '--key', secret]);
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toMatch(/403 Forbidden: the roles sales may not read in ops\.events/);
    } finally {
      await secured.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
