import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { components, loadConfig, seedDemo, startOperon, type OperonConfig, type RunningOperon } from '@operon/server';
import { createEmptyDatabase, testTarget } from '@operon/store/testing';
import { operon } from './testing/run-cli.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-cli-backup-'));
// as root the embedded PostgreSQL runs as 'postgres', which must pass through this folder
fs.chmodSync(tmp, 0o755);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const d = await createEmptyDatabase();
  cleanups.push(() => d.drop());
  return d.url;
}

function configFor(url: string, auth: boolean): OperonConfig {
  return loadConfig({}, {
    port: 0, host: '127.0.0.1', databaseUrl: url, logLevel: 'silent', dbPoolSize: 4, demoData: false, auth,
    dataDir: path.join(tmp, 'state'),
    // the same public URL on every server, so that hrefs compare equal
    publicUrl: 'http://operon.example',
    rateLimit: { perSecond: 0, burst: 0 },
    relay: { retryBaseMs: 20, retryMaxMs: 100, maxAttempts: 3, pollMs: 100 },
  });
}

async function start(url: string, auth: boolean, seed = false): Promise<RunningOperon> {
  const op = await startOperon(configFor(url, auth), seed ? { seed: async (rt) => void (await seedDemo(rt)) } : {});
  cleanups.push(() => op.stop());
  return op;
}

async function call(op: RunningOperon, method: string, p: string, body?: unknown, key?: string) {
  const res = await fetch(op.url + p, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, total: res.headers.get('x-total-count'), body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A hub listener that records what it receives. */
async function listener(): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What the API says about everything: every resource of every API (list and
 * each one by id), the audit trail, event consumers, subscriptions, dead
 * letters, users and keys.
 */
async function answers(op: RunningOperon): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const get = async (p: string) => {
    const r = await call(op, 'GET', p);
    out[p] = r;
    return r;
  };
  for (const c of components) {
    for (const api of c.exposes) {
      for (const res of api.resources) {
        const list = await get(`${api.basePath}/${res.name}?limit=1000`);
        expect(list.status, `${api.basePath}/${res.name}`).toBeLessThan(300);
        for (const item of list.body as { id: string }[]) await get(`${api.basePath}/${res.name}/${item.id}`);
      }
    }
  }
  let offset = 0;
  for (;;) {
    const page = await get(`/ops/audit?limit=1000&offset=${offset}`);
    offset += (page.body as unknown[]).length;
    if (offset >= Number(page.total)) break;
  }
  for (const p of ['/ops/events/consumers', '/ops/events/subscriptions', '/ops/events/deadLetters', '/ops/security/users', '/ops/security/keys']) await get(p);
  return out;
}

let original: string;
let backupFile: string;
let adminKey: string;
let hub: Awaited<ReturnType<typeof listener>>;

beforeAll(async () => {
  // a server with the demo data, authentication on, and some changes of every kind
  original = await emptyDatabase();
  const a = await start(original, true, true);
  adminKey = /apiKey=(\S+)/.exec(fs.readFileSync(path.join(tmp, 'state', 'admin-credentials'), 'utf8'))![1]!;
  hub = await listener();
  cleanups.push(() => hub.close());
  const party = '/tmf-api/party/v4';
  expect((await call(a, 'POST', `${party}/hub`, { callback: hub.url }, adminKey)).status).toBe(201);
  // a listener that is never there: its deliveries end as dead letters
  expect((await call(a, 'POST', `${party}/hub`, { callback: 'http://127.0.0.1:9/gone', query: 'eventType=IndividualCreateEvent' }, adminKey)).status).toBe(201);
  const grace = await call(a, 'POST', `${party}/individual`, { givenName: 'Grace', familyName: 'Hopper' }, adminKey);
  expect(grace.status).toBe(201);
  const graceId = (grace.body as { id: string }).id;
  expect((await call(a, 'PATCH', `${party}/individual/${graceId}`, { familyName: 'Murray Hopper' }, adminKey)).status).toBe(200);
  const org = await call(a, 'POST', `${party}/organization`, { tradingName: 'Short-lived Ltd' }, adminKey);
  expect((await call(a, 'DELETE', `${party}/organization/${(org.body as { id: string }).id}`, undefined, adminKey)).status).toBe(204);
  const offerings = await call(a, 'GET', '/tmf-api/productCatalogManagement/v4/productOffering?limit=1', undefined, adminKey);
  const offering = (offerings.body as { id: string }[])[0]!;
  expect((await call(a, 'PATCH', `/tmf-api/productCatalogManagement/v4/productOffering/${offering.id}`, { description: 'Changed before the backup' }, adminKey)).status).toBe(200);
  expect((await call(a, 'POST', '/ops/security/users', { username: 'operator', password: 'operator password 1', roles: ['sales'] }, adminKey)).status).toBe(201);
  await until(async () => ((await call(a, 'GET', '/ops/events/deadLetters', undefined, adminKey)).body as unknown[]).length > 0);
  await until(() => hub.received.length >= 4);
  // the demo's orders are fulfilled in the background: a backup taken mid-run would be resumed, with new ids, after the restore
  await until(async () => {
    const open = await a.db.query<{ n: number }>("SELECT count(*)::int AS n FROM workflow_run WHERE status NOT IN ('succeeded', 'failed', 'cancelled')");
    return open.rows[0]!.n === 0;
  });
  await a.relay.idle();
  // stopped, so that nothing moves between the backup and the comparison
  await a.stop();

  backupFile = path.join(tmp, 'operon.backup.gz');
}, 180_000);

describe('operon backup and restore', () => {
  it('back up a server and restore it into an empty database: the API answers the same', async () => {
    const backup = await operon(['backup', '--out', backupFile], { DATABASE_URL: original });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backing up PostgreSQL at postgres:\/\//m);
    // a password in the database URL is never printed
    const password = decodeURIComponent(new URL(original).password);
    if (password) {
      expect(backup.stdout).toMatch(/^Backing up PostgreSQL at postgres:\/\/.*\*\*\*\*@/m);
      expect(backup.stdout).not.toContain(password);
    }
    expect(backup.stdout).toMatch(/^ {2}tables {5}\d+% \(\d+\/\d+\)$/m);
    expect(backup.stdout).toMatch(/^ {2}tables {5}\d+ tables, [\d,]+ rows$/m);
    expect(backup.stdout).toMatch(/^ {2}migrations \d+ \(latest \w[\w-]*\/\d{4}_\w+\.sql\)$/m);
    expect(backup.stdout).toContain(`file       ${backupFile} (`);
    expect(backup.stdout).toMatch(/keep it as safe as the database/);
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);

    const again = await operon(['backup', '--out', backupFile], { DATABASE_URL: original });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const check = await operon(['restore', backupFile, '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/every table matches its checksum/);

    const target = await emptyDatabase();
    const restore = await operon(['restore', backupFile], { DATABASE_URL: target });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^ {2}backup {5}of \d{4}-\d\d-\d\dT[\d:.]+Z by Operon 0\.1\.0: \d+ tables, [\d,]+ rows, \d+ migrations$/m);
    expect(restore.stdout).toMatch(/^ {2}schema {5}\d+ migrations applied$/m);
    expect(restore.stdout).toMatch(/^ {2}tables {5}\d+ tables, [\d,]+ rows loaded and verified$/m);

    // both served the same way, authentication off so that reading changes nothing (no key last-used stamps)
    const before = await answers(await start(original, false));
    const restored = await start(target, false);
    const after = await answers(restored);
    expect(Object.keys(after).length).toBeGreaterThan(100);
    expect(after).toEqual(before);
    const audit = after['/ops/audit?limit=1000&offset=0'] as { body: { action: string; principal: { name: string } }[] };
    expect(audit.body.some((e) => e.action === 'delete' && e.principal.name === 'first administrator key')).toBe(true);
    expect((after['/ops/events/deadLetters'] as { body: unknown[] }).body.length).toBeGreaterThan(0);
    expect((after['/ops/events/consumers'] as { body: { callback: string | null; delivered: number }[] }).body.find((c) => c.callback === hub.url)?.delivered).toBeGreaterThanOrEqual(4);

    // the credentials came across (hashes only), and the restored database takes new writes
    expect(await restored.credentials.checkKey(adminKey)).toBeDefined();
    expect(await restored.credentials.checkPassword('operator', 'operator password 1')).toBeDefined();
    const lastSeq = (audit.body[0] as unknown as { seq: number }).seq;
    expect((await call(restored, 'POST', '/tmf-api/party/v4/individual', { givenName: 'After', familyName: 'Restore' })).status).toBe(201);
    const newest = await call(restored, 'GET', '/ops/audit?limit=1');
    expect((newest.body as { seq: number }[])[0]!.seq).toBe(lastSeq + 1);
    await until(() => hub.received.some((r) => r.includes('individualCreateEvent')) && hub.received.length >= 5);
  });

  it('refuses a database that is not empty, changing nothing', async () => {
    const c = new pg.Client({ connectionString: original });
    await c.connect();
    const count = async () => (await c.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n;
    try {
      const before = await count();
      const r = await operon(['restore', backupFile], { DATABASE_URL: original });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^operon: database operon_t_\w+ is not empty \(it has \d+ relations, e\.g\. public\.\w+\); a backup is restored only into an empty database\.$/m);
      expect(r.stderr).toMatch(/Nothing was changed\. To restore, create an empty database \(e\.g\. createdb operon_restored\) and point DATABASE_URL at it\./);
      expect(await count()).toBe(before);
    } finally {
      await c.end();
    }
  });

  it('refuses a truncated or corrupt file with a clear error, leaving the database empty', async () => {
    const good = fs.readFileSync(backupFile);
    const truncated = path.join(tmp, 'truncated.gz');
    fs.writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
    const target = await emptyDatabase();
    const r = await operon(['restore', truncated], { DATABASE_URL: target });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated\.gz is truncated/);
    expect(r.stderr).toMatch(/Nothing was restored: the database is as it was\./);
    const notBackup = path.join(tmp, 'notes.txt');
    fs.writeFileSync(notBackup, 'just some notes\n');
    const n = await operon(['restore', notBackup], { DATABASE_URL: target });
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/notes\.txt is corrupt or not an Operon backup/);
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    try {
      expect((await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`)).rowCount).toBe(0);
    } finally {
      await c.end();
    }
  });
});

// the embedded database is the same on both targets: once is enough
describe.skipIf(testTarget() === 'server')('operon backup and restore with the embedded database', () => {
  it('back up one data folder and restore into a new one; a used one is refused', async () => {
    const first = path.join(tmp, 'embedded-1');
    const second = path.join(tmp, 'embedded-2');
    const seeded = await operon(['seed'], { OPERON_DATA_DIR: first });
    expect(seeded.code).toBe(0);
    const file = path.join(tmp, 'embedded.backup.gz');
    const b = await operon(['backup', '--out', file], { OPERON_DATA_DIR: first });
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(`Backing up embedded PostgreSQL in ${first}`);
    const r = await operon(['restore', file], { OPERON_DATA_DIR: second });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`database   embedded PostgreSQL in ${second}`);
    const users = await operon(['user', 'list', '--json'], { OPERON_DATA_DIR: second });
    expect((JSON.parse(users.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['admin']);
    const refused = await operon(['restore', file], { OPERON_DATA_DIR: second });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty[\s\S]*restore into a new data folder: OPERON_DATA_DIR=<new folder> operon restore /);
    const missing = await operon(['backup', '--out', path.join(tmp, 'x.gz')], { OPERON_DATA_DIR: path.join(tmp, 'nothing-here') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no embedded database in .*nothing-here to back up/);
  }, 240_000);
});
