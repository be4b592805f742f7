import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { partyComponent } from '@operon/party';
import { testTarget } from '@operon/store/testing';
import { loadConfig } from './config.ts';
import { startOperon, type RunningOperon } from './operon.ts';
import { startTestOperon, type TestOperon } from './testing.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => {});
});

async function ready(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not reached in time; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A second node on the same database, as a multi-node deployment runs it. */
async function secondNode(first: TestOperon): Promise<RunningOperon> {
  const node = await startOperon(loadConfig({}, {
    ...first.config, port: 0, relay: { ...first.config.relay, pollMs: 100 },
  }), { components: [partyComponent] });
  cleanups.push(() => node.stop());
  return node;
}

describe('health', () => {
  it('live answers while the process runs; ready reports the database and which node relays events', async () => {
    const op = await startTestOperon({ components: [partyComponent] });
    cleanups.push(() => op.close());
    const live = await fetch(`${op.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'up' });
    expect(await ready(op.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', eventRelay: 'leading' } } });

    // another node on the same database is ready too, with the relay on standby
    const other = await secondNode(op);
    expect(await ready(other.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', eventRelay: 'standby' } } });

    // the leader goes: the other node takes over the relay
    await op.stop();
    await until(() => ready(other.url), (r) => r.body.checks['eventRelay'] === 'leading');

    // no node relays events at all: still ready, since events wait in the outbox
    await other.relay.stop();
    expect(await ready(other.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', eventRelay: 'noLeader' } } });
  });

  it('ready answers 503 while the database is unreachable, and 200 again once it is back', async () => {
    const op = await startTestOperon({ components: [partyComponent] });
    cleanups.push(() => op.close());
    const dbName = new URL(op.db.url).pathname.slice(1);
    const admin = new URL(op.db.url);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    cleanups.push(async () => {
      await c.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS true`).catch(() => {});
      await c.end();
    });
    expect((await ready(op.url)).status).toBe(200);

    // the database goes away under the running server: no new connections, existing ones cut
    await c.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS false`);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
    // the relay notices a moment later, when its listening connection ends
    const down = await until(() => ready(op.url), (r) => r.status === 503 && r.body.checks['eventRelay'] !== 'leading');
    expect(down.body).toEqual({ status: 'unavailable', checks: { database: 'down', eventRelay: 'unknown' } });
    // the process itself is fine
    expect((await fetch(`${op.url}/health/live`)).status).toBe(200);
    // an API call fails with a TMF error rather than hanging
    const api = await fetch(`${op.url}/tmf-api/party/v4/individual`);
    expect(api.status).toBeGreaterThanOrEqual(500);

    await c.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS true`);
    const back = await until(() => ready(op.url), (r) => r.status === 200 && r.body.checks['eventRelay'] === 'leading');
    expect(back.body.checks['database']).toBe('up');
    expect((await fetch(`${op.url}/tmf-api/party/v4/individual`)).status).toBe(200);
  });
});

// ---- graceful shutdown of a real `operon start` ------------------------------------------------

const BIN = fileURLToPath(new URL('../../cli/bin/operon.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** A hub listener whose answers wait until it is opened. */
function gatedListener() {
  const received: { path: string; at: number }[] = [];
  let open = false;
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = () => {
        received.push({ path: req.url ?? '', at: Date.now() });
        res.writeHead(204).end();
      };
      if (open) answer();
      else waiting.push(answer);
    });
  });
  return {
    received,
    waiting: () => waiting.length,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
    },
    open() {
      open = true;
      for (const w of waiting.splice(0)) w();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// starts its own embedded PostgreSQL whatever the target: once is enough
describe.skipIf(testTarget() === 'server')('graceful shutdown', () => {
  it('on SIGTERM: refuses new connections, finishes the request in flight, delivers pending events, stops PostgreSQL, exits 0', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-shutdown-'));
    // as root the embedded PostgreSQL runs as 'postgres', which must pass through this folder
    fs.chmodSync(tmp, 0o755);
    cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const dataDir = path.join(tmp, 'data');
    const env: NodeJS.ProcessEnv = { ...process.env, OPERON_DATA_DIR: dataDir, PORT: '0', OPERON_DEMO_DATA: 'false' };
    for (const k of ['DATABASE_URL', 'OPERON_AUTH', 'LOG_LEVEL', 'OPERON_URL']) delete env[k];
    const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(async () => output, (o) => /Press Ctrl\+C to stop/.test(o) || child.exitCode !== null, 120_000);
    const base = /listening\s+(http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
    expect(base, output).toBeTruthy();
    const url = base![1]!;
    const port = Number(base![2]);
    const key = /apiKey=(\S+)/.exec(fs.readFileSync(path.join(dataDir, 'admin-credentials'), 'utf8'))![1]!;
    const auth = { authorization: `Bearer ${key}` };
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true);
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'embedded.json'), 'utf8')) as { port: number; password: string };
    const dbUrl = `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/operon`;

    // events whose delivery is held at the listener: pending when the signal comes
    const hub = gatedListener();
    cleanups.push(() => hub.close());
    const callback = await hub.start();
    const party = `${url}/tmf-api/party/v4`;
    const json = { ...auth, 'content-type': 'application/json' };
    expect((await fetch(`${party}/hub`, { method: 'POST', headers: json, body: JSON.stringify({ callback }) })).status).toBe(201);
    for (const givenName of ['Ada', 'Alan', 'Barbara']) {
      expect((await fetch(`${party}/individual`, { method: 'POST', headers: json, body: JSON.stringify({ givenName, familyName: 'Pending' }) })).status).toBe(201);
    }
    await until(async () => hub.waiting(), (n) => n === 1);

    // a slow request: its table is locked, so it waits inside the server
    const locker = new pg.Client({ connectionString: dbUrl });
    await locker.connect();
    cleanups.push(() => locker.end().catch(() => {}));
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE party_individual IN ACCESS EXCLUSIVE MODE');
    const slow = fetch(`${party}/individual?familyName=Pending`, { headers: auth });
    let early: string | undefined;
    slow.then(async (r) => (early = `answered ${r.status} ${await r.clone().text()}`), (e: unknown) => (early = `failed: ${String(e)}`));
    // pg_stat_activity may show a pooled connection's earlier statement text: ask who waits for the locker
    const waiting = async () => {
      const rows = (await locker.query<{ waits: string | null }>(
        `SELECT (SELECT string_agg(l.relation::regclass::text, ',') FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS waits
           FROM pg_stat_activity a WHERE datname = 'operon' AND pg_backend_pid() = ANY (pg_blocking_pids(a.pid))`,
      )).rows;
      return { early, blocked: rows.some((r) => r.waits?.includes('party_individual')), rows };
    };
    const blocked = await until(waiting, (w) => w.blocked || w.early !== undefined, 60_000);
    expect(blocked.early, JSON.stringify(blocked.rows)).toBeUndefined();

    child.kill('SIGTERM');
    await until(async () => output, (o) => /SIGTERM: stopping/.test(o));
    // no new connections, while the request in flight goes on
    await until(() => refused(port), (r) => r, 5000);
    expect(child.exitCode).toBeNull();

    await locker.query('COMMIT');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { givenName: string }[]).map((i) => i.givenName).sort()).toEqual(['Ada', 'Alan', 'Barbara']);
    await locker.end();

    // the request is done, the events are not: the process waits for them
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    expect(hub.received).toHaveLength(0);
    hub.open();

    expect(await exited).toBe(0);
    expect(hub.received.map((r) => r.path)).toEqual(['/cb/listener/individualCreateEvent', '/cb/listener/individualCreateEvent', '/cb/listener/individualCreateEvent']);
    expect(output).toMatch(/SIGTERM: stopping \(finishing requests, delivering pending events\)\s+stopped/);
    // and the embedded PostgreSQL is stopped with it
    await until(async () => alive(postmaster), (a) => !a, 15_000);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(await refused(state.port)).toBe(true);
  }, 180_000);
});
