/**
 * tmf-crud: what the TMF kit costs over PostgreSQL, on the Party API.
 *
 *   ceiling  raw single-row INSERT commits/s and primary-key SELECTs/s from a
 *            pg.Pool, in the same run, on a table shaped like a resource table
 *   create   POST /tmf-api/party/v4/individual (validated creates) with autocannon
 *   get      GET /individual/{id} over random ids of the stored individuals
 *   list     filtered and sorted list pages at 100k stored individuals, one
 *            request at a time, beside the same SQL run without HTTP
 *
 * The server runs in its own process (bench/server-main.ts); the load
 * generator and the ceilings run here.
 */
import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import { newId } from '@operon/kernel';
import { individual, partyApi } from '@operon/party';
import { Database, type Queryable } from '@operon/store';
import { ResourceService, type Doc, type ParsedListQuery } from '@operon/tmf';
import { individualBody, storedIndividual } from './data.ts';
import { CpuMeter, type CpuSplit } from './lib/cpu.ts';
import type { BenchDatabase } from './lib/database.ts';
import { type Benchmark, type BenchContext, type Figure, type RunResult, type Target, type Unit } from './lib/harness.ts';
import { httpLoad, poolLoad, sequential, SequentialClient, type HttpLoadResult, type LatencySummary } from './lib/load.ts';
import { Figures } from './lib/figures.ts';
import { withRunScope } from './lib/scope.ts';
import type { BenchServer, ServerStats } from './lib/server.ts';

const BASE = `${partyApi.basePath}/${individual.name}`;
const TABLE = individual.table;

/** The targets of the issue. */
export const TARGETS = {
  createsPerSecond: { op: '>=', value: 2000 } satisfies Target,
  getsPerSecond: { op: '>=', value: 5000 } satisfies Target,
  listP99Ms: { op: '<=', value: 20 } satisfies Target,
};

interface Scale {
  connections: number;
  ceilingClients: number;
  ceilingSeconds: number;
  httpSeconds: number;
  warmupSeconds: number;
  rows: number;
  listCount: number;
  listMinCount: number;
  listMaxSeconds: number;
  listWarmup: number;
  serverPool: number;
  /** PostgreSQL publishes its per-database counters about once a second; wait this long before reading them. */
  statsFlushMs: number;
}

function scaleOf(ctx: BenchContext): Scale {
  if (ctx.options.scale === 'smoke') {
    return {
      connections: 4, ceilingClients: 4, ceilingSeconds: 0.3, httpSeconds: 1, warmupSeconds: 0.2, rows: ctx.options.rows ?? 200,
      listCount: 5, listMinCount: 3, listMaxSeconds: 0.3, listWarmup: 1, serverPool: 4, statsFlushMs: 0,
    };
  }
  return {
    connections: 32, ceilingClients: 32, ceilingSeconds: 10, httpSeconds: 12, warmupSeconds: 3, rows: ctx.options.rows ?? 100_000,
    listCount: 400, listMinCount: 60, listMaxSeconds: 8, listWarmup: 20, serverPool: ctx.options.serverPool ?? 16, statsFlushMs: 1100,
  };
}

const SECTION = {
  ceiling: 'Ceiling — raw PostgreSQL from a pg.Pool, same run',
  create: 'TMF create — POST /individual (validated, with contact media)',
  get: 'TMF get-by-id — GET /individual/{id}, random ids',
  list: 'Filtered list — one request at a time',
  load: 'Bulk load',
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Queryable that remembers the statements it ran, to EXPLAIN exactly what the kit sends. */
class Recorder implements Queryable {
  readonly seen: { text: string; params: unknown[] }[] = [];
  constructor(private readonly inner: Queryable) {}
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []) {
    this.seen.push({ text, params });
    return this.inner.query<R>(text, params);
  }
}

interface DbCounters {
  commits: number;
  inserted: number;
}

async function dbCounters(db: Database, name: string): Promise<DbCounters> {
  const r = await db.query<{ commits: number; inserted: number }>(
    'SELECT xact_commit AS commits, tup_inserted AS inserted FROM pg_stat_database WHERE datname = $1',
    [name],
  );
  return r.rows[0] ?? { commits: 0, inserted: 0 };
}

function describeStatements(stats: ServerStats, requests: number): string[] {
  const rows = Object.entries(stats.statements).sort((a, b) => b[1].count - a[1].count);
  return rows.map(([k, s]) => `${(s.count / requests).toFixed(2)}/req  mean ${(s.ms / s.count).toFixed(2)} ms  ${k}`);
}

/** What the phases of one run share. */
interface Run {
  ctx: BenchContext;
  scale: Scale;
  database: BenchDatabase;
  db: Database;
  server: BenchServer;
  cpu: CpuMeter;
  figures: Figures;
  notes: string[];
}

async function phaseCeiling(run: Run): Promise<void> {
  const { ctx, scale, db, figures } = run;
  const docs = Array.from({ length: 500 }, (_, i) => JSON.stringify(storedIndividual(individualBody(9, i), newId())).replace(/^\{"id":"[^"]+",/, ''));
  await db.query('DROP TABLE IF EXISTS bench_ceiling; CREATE TABLE bench_ceiling (id text PRIMARY KEY, doc jsonb NOT NULL)');
  const insert = (table: string) => (c: pg.PoolClient, n: number) => {
    const id = newId();
    return c.query(`INSERT INTO ${table} (id, doc) VALUES ($1, $2)`, [id, `{"id":"${id}",${docs[n % docs.length]!}`]);
  };
  ctx.progress(`ceiling: raw INSERT, ${scale.ceilingClients} clients, autocommit, ${scale.ceilingSeconds} s`);
  const r = await poolLoad(db.pool, scale.ceilingClients, scale.ceilingSeconds, insert('bench_ceiling'), (n) => ctx.status(`ceiling INSERT ${n.toLocaleString('en-US')} commits/s`));
  figures.add(SECTION.ceiling, 'ceiling.insert', 'raw INSERT commits/s', 'commits/s', r.opsPerSecond);
  figures.add(SECTION.ceiling, 'ceiling.insert.p50', 'raw INSERT p50', 'ms', r.latency.p50, { diagnostic: true });
  figures.add(SECTION.ceiling, 'ceiling.insert.p99', 'raw INSERT p99', 'ms', r.latency.p99, { diagnostic: true });
  figures.add(SECTION.ceiling, 'ceiling.insert.clientCpu', 'raw INSERT pg client CPU per commit', 'cpu-ms/req', r.clientCpuMs, { diagnostic: true });
  ctx.progress(`  ${Math.round(r.opsPerSecond).toLocaleString('en-US')} commits/s (p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms)`);

  if (ctx.options.diagnose) await diagnoseCreateSql(run, docs);
  await db.query('DROP TABLE bench_ceiling');
}

/**
 * Takes the create transaction apart in raw SQL, each variant for a few
 * seconds with the same clients: the resource-table shape (GIN, generated
 * columns, B-trees), the kit's four round trips with the outbox row, the same
 * returning less, and one statement doing both inserts.
 */
async function diagnoseCreateSql(run: Run, docs: string[]): Promise<void> {
  const { ctx, scale, db, figures } = run;
  const seconds = Math.min(scale.ceilingSeconds, 6);
  const docOf = (id: string, n: number) => `{"id":"${id}",${docs[n % docs.length]!}`;
  const insertSql = (t: string, returning = 'id, version, doc, created_at, updated_at') =>
    `INSERT INTO ${t} (id, version, doc, created_at, updated_at) VALUES ($1, 1, $2, now(), now()) RETURNING ${returning}`;
  const outboxSql = `INSERT INTO outbox_batch (n, types, apis, events) VALUES (1, '{BenchCreateEvent}', '{bench}', $1::json)`;
  const outboxRow = (id: string, doc: string) =>
    `[{"eventId":"${newId()}","api":"bench","eventType":"BenchCreateEvent","resourceType":"Bench","resourceId":"${id}","payload":{"event":{"bench":${doc}}}}]`;
  await db.query(`DROP TABLE IF EXISTS bench_full; SELECT operon_create_resource_table('bench_full', 'status');
    CREATE INDEX ON bench_full ((doc->>'familyName'), (doc->>'givenName'));
    DROP TABLE IF EXISTS bench_nogin; SELECT operon_create_resource_table('bench_nogin', 'status'); DROP INDEX bench_nogin_doc;
    CREATE INDEX ON bench_nogin ((doc->>'familyName'), (doc->>'givenName'))`);
  const variants: { key: string; label: string; clients: number; op: (c: pg.PoolClient, n: number) => Promise<unknown> }[] = [
    {
      key: 'ceiling.insertFull', label: 'raw INSERT, resource-table shape', clients: scale.ceilingClients,
      op: (c, n) => { const id = newId(); return c.query(insertSql('bench_full'), [id, docOf(id, n)]); },
    },
    {
      key: 'ceiling.insertNoGin', label: '  same shape without the GIN index', clients: scale.ceilingClients,
      op: (c, n) => { const id = newId(); return c.query(insertSql('bench_nogin'), [id, docOf(id, n)]); },
    },
    ...[
      { key: 'ceiling.tx4', label: 'create tx as the kit (4 trips, outbox row)', clients: scale.ceilingClients },
      { key: 'ceiling.tx4.pool', label: `  same, ${scale.serverPool} clients (server pool)`, clients: scale.serverPool },
      { key: 'ceiling.tx4.lean', label: '  same, RETURNING without doc', clients: scale.ceilingClients, lean: true },
    ].map((v) => ({
      ...v,
      op: async (c: pg.PoolClient, n: number) => {
        const id = newId();
        const doc = docOf(id, n);
        await c.query('BEGIN');
        await c.query('lean' in v ? insertSql('bench_full', 'id, version, created_at, updated_at') : insertSql('bench_full'), [id, doc]);
        await c.query(outboxSql, [outboxRow(id, doc)]);
        await c.query('COMMIT');
      },
    })),
    {
      key: 'ceiling.cte1', label: '  one statement (CTE)', clients: scale.ceilingClients,
      op: (c, n) => {
        const id = newId();
        const doc = docOf(id, n);
        return c.query(
          `WITH r AS (${insertSql('bench_full')}),
                e AS (INSERT INTO outbox_batch (n, types, apis, events) VALUES (1, '{BenchCreateEvent}', '{bench}', $3::json))
           SELECT * FROM r`,
          [id, doc, outboxRow(id, doc)],
        );
      },
    },
  ];
  for (const v of variants) {
    ctx.progress(`ceiling (diagnose): ${v.label.trim()}, ${v.clients} clients, ${seconds} s`);
    const r = await poolLoad(db.pool, v.clients, seconds, v.op, (n) => ctx.status(`${v.label.trim()} ${n.toLocaleString('en-US')}/s`));
    ctx.progress(`  ${Math.round(r.opsPerSecond).toLocaleString('en-US')} commits/s (p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms)`);
    figures.add(SECTION.ceiling, v.key, v.label, 'commits/s', r.opsPerSecond, { diagnostic: true, ceiling: 'ceiling.insert' });
    figures.add(SECTION.ceiling, `${v.key}.clientCpu`, '    pg client CPU per commit (this process)', 'cpu-ms/req', r.clientCpuMs, { diagnostic: true });
  }
  await db.query(`DROP TABLE bench_full; DROP TABLE bench_nogin; DELETE FROM outbox_batch WHERE apis = '{bench}'`);
}

async function measureHttp(
  run: Run,
  prefix: string,
  section: string,
  what: string,
  requests: AutocannonRequest[],
): Promise<{ result: HttpLoadResult; split: CpuSplit | undefined; stats: ServerStats | undefined; counters: DbCounters }> {
  const { ctx, scale, server, db, database, cpu } = run;
  if (scale.warmupSeconds > 0) {
    ctx.progress(`${what}: warm-up ${scale.warmupSeconds} s`);
    await httpLoad({ url: server.url, headers: server.headers, connections: scale.connections, seconds: scale.warmupSeconds, requests, onTick: (n) => ctx.status(`${what} warm-up ${n}/s`) });
  }
  // let the statistics collector flush what the warm-up did, so the counters below cover only the measurement
  if (ctx.options.diagnose) await sleep(scale.statsFlushMs);
  const before = await dbCounters(db, database.name);
  await server.resetStats();
  await cpu.start();
  ctx.progress(`${what}: ${scale.connections} connections, ${scale.httpSeconds} s`);
  const result = await httpLoad({ url: server.url, headers: server.headers, connections: scale.connections, seconds: scale.httpSeconds, requests, onTick: (n) => ctx.status(`${what} ${n.toLocaleString('en-US')}/s`) });
  const split = await cpu.stop();
  const stats = await server.stats();
  if (ctx.options.diagnose) await sleep(scale.statsFlushMs);
  const after = await dbCounters(db, database.name);
  const counters = { commits: after.commits - before.commits, inserted: after.inserted - before.inserted };
  ctx.progress(
    `  ${Math.round(result.rps).toLocaleString('en-US')}/s  p50 ${result.latency.p50.toFixed(2)} ms  p99 ${result.latency.p99.toFixed(2)} ms` +
      (result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors: ${JSON.stringify(result.statusCodes)})` : ''),
  );
  if (result.non2xx || result.errors) run.notes.push(`${what}: ${result.non2xx} non-2xx responses and ${result.errors} connection errors (${JSON.stringify(result.statusCodes)})`);
  run.figures.add(section, `${prefix}.failed`, 'failed requests', 'rows', result.non2xx + result.errors, { diagnostic: true });
  run.figures.cpu(section, prefix, split, result.ok);
  run.figures.add(section, `${prefix}.elu`, 'server event-loop utilisation', '%', 100 * stats.eventLoopUtilization, { diagnostic: true });
  if (ctx.options.diagnose && result.ok > 0) {
    const totalStatements = Object.entries(stats.statements).filter(([k]) => !k.startsWith('(')).reduce((s, [, v]) => s + v.count, 0);
    run.figures.add(section, `${prefix}.statementsPerReq`, 'SQL statements per request', 'queries/req', totalStatements / result.ok, { diagnostic: true });
    run.figures.add(section, `${prefix}.commitsPerReq`, 'PostgreSQL commits per request', 'commits/req', counters.commits / result.ok, { diagnostic: true });
    if (stats.poolAcquires > 0) run.figures.add(section, `${prefix}.poolWait`, 'pool wait per transaction', 'ms', stats.poolWaitMs / stats.poolAcquires, { diagnostic: true });
    run.notes.push(`${what} — statements seen by the server (per successful request):`, ...describeStatements(stats, result.ok).map((l) => `  ${l}`));
  }
  return { result, split, stats, counters };
}

async function phaseCreate(run: Run): Promise<void> {
  const bodies = Array.from({ length: 2000 }, (_, i) => Buffer.from(JSON.stringify(individualBody(1, i))));
  let n = 0;
  const requests: AutocannonRequest[] = [
    {
      method: 'POST',
      path: BASE,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length]! }),
    },
  ];
  const { result } = await measureHttp(run, 'create', SECTION.create, 'create', requests);
  run.figures.add(SECTION.create, 'create.rps', 'creates/s', 'req/s', result.rps, { ceiling: 'ceiling.insert', target: TARGETS.createsPerSecond });
  run.figures.add(SECTION.create, 'create.p50', 'latency p50', 'ms', result.latency.p50);
  run.figures.add(SECTION.create, 'create.p99', 'latency p99', 'ms', result.latency.p99);
}

/** Every run proves the bulk loader still writes what the API writes. */
async function checkStoredShape(run: Run): Promise<void> {
  const client = new SequentialClient(run.server.url, run.server.headers);
  try {
    const body = individualBody(7, 1);
    const res = await client.request('POST', BASE, JSON.stringify(body));
    if (res.status !== 201) throw new Error(`creating an individual answered ${res.status}: ${res.body}`);
    const id = String((JSON.parse(res.body) as Doc)['id']);
    const stored = (await run.db.query<{ doc: Doc }>(`SELECT doc FROM ${TABLE} WHERE id = $1`, [id])).rows[0]?.doc;
    const mine = (await run.db.query<{ doc: Doc }>('SELECT $1::jsonb AS doc', [JSON.stringify(storedIndividual(body, id))])).rows[0]?.doc;
    // jsonb equality ignores key order, as PostgreSQL does for the stored documents
    const same = (await run.db.query<{ same: boolean }>('SELECT $1::jsonb = $2::jsonb AS same', [JSON.stringify(stored), JSON.stringify(mine)])).rows[0]?.same;
    if (!same) throw new Error(`the bulk loader's document differs from the API's:\n api:  ${JSON.stringify(stored)}\n bulk: ${JSON.stringify(mine)}`);
  } finally {
    client.close();
  }
}

/**
 * Fills the table to `rows` with bulk INSERTs of the documents the API would
 * store (see checkStoredShape): 100k creates through HTTP would take most of
 * a minute and measure creates again; the list phase only needs the rows.
 * They carry no outbox events — nothing reads those here.
 */
async function bulkLoad(run: Run): Promise<number> {
  const { ctx, scale, db, figures } = run;
  const existing = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]!.n;
  const need = Math.max(0, scale.rows - existing);
  if (need > 0) {
    ctx.progress(`load: ${existing.toLocaleString('en-US')} stored, bulk-inserting ${need.toLocaleString('en-US')} more`);
    const batch = 1000;
    let next = 0;
    let done = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < need) {
        const from = next;
        next = Math.min(need, next + batch);
        const docs = [];
        for (let i = from; i < next; i++) docs.push(storedIndividual(individualBody(2, i), newId()));
        await db.query(
          `INSERT INTO ${TABLE} (id, version, doc, created_at, updated_at) SELECT d->>'id', 1, d, $2, $2 FROM jsonb_array_elements($1::jsonb) d`,
          [JSON.stringify(docs), new Date()],
        );
        done += docs.length;
        ctx.status(`load ${done.toLocaleString('en-US')}/${need.toLocaleString('en-US')}`);
      }
    };
    // two writers: one builds and validates the next batch while PostgreSQL indexes the previous one
    await Promise.all([worker(), worker()]);
    const rate = need / ((performance.now() - t0) / 1000);
    figures.add(SECTION.load, 'load.rowsPerSecond', 'bulk INSERT (GIN + indexes)', 'rows/s', rate, { diagnostic: true });
    ctx.progress(`  ${Math.round(rate).toLocaleString('en-US')} rows/s`);
  }
  // autovacuum would do this within a minute of such a load; measure the steady state, not the first minute
  ctx.progress('load: VACUUM (ANALYZE)');
  await db.query(`VACUUM (ANALYZE) ${TABLE}`);
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]!.n;
}

async function phaseGet(run: Run): Promise<void> {
  const { ctx, scale, db, figures } = run;
  const ids = (await db.query<{ id: string }>(`SELECT id FROM ${TABLE}`)).rows.map((r) => r.id);
  const sql = `SELECT id, version, doc, created_at, updated_at FROM ${TABLE} WHERE id = $1`;
  ctx.progress(`ceiling: raw primary-key SELECT over ${ids.length.toLocaleString('en-US')} rows, ${scale.ceilingClients} clients, ${scale.ceilingSeconds} s`);
  const raw = await poolLoad(db.pool, scale.ceilingClients, scale.ceilingSeconds, (c) => c.query(sql, [ids[Math.floor(Math.random() * ids.length)]]), (n) => ctx.status(`ceiling SELECT ${n.toLocaleString('en-US')}/s`));
  figures.add(SECTION.ceiling, 'ceiling.select', 'raw primary-key SELECT/s', 'selects/s', raw.opsPerSecond);
  figures.add(SECTION.ceiling, 'ceiling.select.clientCpu', 'raw SELECT pg client CPU per query', 'cpu-ms/req', raw.clientCpuMs, { diagnostic: true });
  ctx.progress(`  ${Math.round(raw.opsPerSecond).toLocaleString('en-US')} selects/s`);

  if (ctx.options.diagnose) {
    ctx.progress(`ceiling (diagnose): the server's HTTP floor, GET /health/live, ${scale.httpSeconds} s`);
    const floor = await httpLoad({ url: run.server.url, connections: scale.connections, seconds: Math.min(scale.httpSeconds, 6), requests: [{ method: 'GET', path: '/health/live' }] });
    figures.add(SECTION.ceiling, 'ceiling.http', 'HTTP floor, GET /health/live (no DB)', 'req/s', floor.rps, { diagnostic: true });
  }

  const requests: AutocannonRequest[] = [
    { method: 'GET', path: BASE, setupRequest: (req) => ({ ...req, path: `${BASE}/${ids[Math.floor(Math.random() * ids.length)]}` }) },
  ];
  const { result } = await measureHttp(run, 'get', SECTION.get, 'get-by-id', requests);
  figures.add(SECTION.get, 'get.rps', 'gets/s', 'req/s', result.rps, { ceiling: 'ceiling.select', target: TARGETS.getsPerSecond });
  figures.add(SECTION.get, 'get.p50', 'latency p50', 'ms', result.latency.p50);
  figures.add(SECTION.get, 'get.p99', 'latency p99', 'ms', result.latency.p99);
}

interface ListSpec {
  key: string;
  label: string;
  /** Query strings, used in turn so that one cached page does not stand for all. */
  queries: Record<string, string>[];
}

async function listSpecs(db: Database): Promise<ListSpec[]> {
  // values that really occur, taken from the data rather than assumed
  const family = (await db.query<{ v: string }>(`SELECT doc->>'familyName' AS v FROM ${TABLE} GROUP BY 1 ORDER BY md5(doc->>'familyName') LIMIT 50`)).rows.map((r) => r.v);
  const cities = (
    await db.query<{ v: string }>(
      `SELECT DISTINCT c->'characteristic'->>'city' AS v FROM (SELECT doc FROM ${TABLE} LIMIT 5000) t, jsonb_array_elements(t.doc->'contactMedium') c
        WHERE c->'characteristic' ? 'city' ORDER BY 1 LIMIT 20`,
    )
  ).rows.map((r) => r.v);
  return [
    { key: 'familyName', label: 'familyName=… (selective)', queries: family.map((v) => ({ familyName: v, limit: '20' })) },
    { key: 'status', label: 'status=validated (half the rows)', queries: [{ status: 'validated', limit: '20' }] },
    { key: 'city', label: 'contactMedium.characteristic.city=…', queries: cities.map((v) => ({ 'contactMedium.characteristic.city': v, limit: '20' })) },
    { key: 'sort', label: 'sort=familyName (no filter)', queries: [{ sort: 'familyName', limit: '20' }] },
  ];
}

async function phaseList(run: Run, stored: number): Promise<void> {
  const { ctx, scale, db, figures } = run;
  const section = `${SECTION.list} — ${stored.toLocaleString('en-US')} individuals stored`;
  const svc = new ResourceService(individual, { name: partyApi.name, basePath: partyApi.basePath }, db);
  const client = new SequentialClient(run.server.url, run.server.headers);
  const timing = { warmup: scale.listWarmup, count: scale.listCount, minCount: scale.listMinCount, maxSeconds: scale.listMaxSeconds };
  try {
    for (const spec of await listSpecs(db)) {
      if (spec.queries.length === 0) continue;
      const paths = spec.queries.map((q) => `${BASE}?${new URLSearchParams(q).toString()}`);
      // correctness first (untimed): a page of at most 20, with a total
      const first = await client.request('GET', paths[0]!);
      if (first.status !== 200 && first.status !== 206) throw new Error(`GET ${paths[0]} answered ${first.status}: ${first.body}`);
      const items = JSON.parse(first.body) as Doc[];
      if (!Array.isArray(items) || items.length > 20) throw new Error(`GET ${paths[0]} did not return a page of at most 20`);
      const totals: number[] = [];

      ctx.progress(`list ${spec.label}: HTTP, one at a time`);
      const http = await sequential(async (i) => {
        const r = await client.request('GET', paths[i % paths.length]!);
        if (r.status !== 200 && r.status !== 206) throw new Error(`GET ${paths[i % paths.length]} answered ${r.status}`);
        totals.push(Number(r.headers['x-total-count']));
      }, timing);

      ctx.progress(`list ${spec.label}: the same SQL without HTTP`);
      const parsed = spec.queries.map((q) => svc.parseQuery(q));
      const sql = await sequential(async (i) => {
        await svc.list(parsed[i % parsed.length]!);
      }, timing);

      const show = (l: LatencySummary) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms (${l.count} requests)`;
      ctx.progress(`  HTTP ${show(http)}; SQL ${show(sql)}`);
      figures.add(section, `list.${spec.key}.p50`, `${spec.label} p50`, 'ms', http.p50);
      figures.add(section, `list.${spec.key}.p99`, `${spec.label} p99`, 'ms', http.p99, { ceiling: `list.${spec.key}.sql.p99`, target: TARGETS.listP99Ms });
      figures.add(section, `list.${spec.key}.matches`, '  matching rows (X-Total-Count, median)', 'rows', totals.sort((a, b) => a - b)[Math.floor(totals.length / 2)] ?? 0, { diagnostic: true });
      figures.add(SECTION.ceiling, `list.${spec.key}.sql.p99`, `same SQL, no HTTP p99: ${spec.key}`, 'ms', sql.p99, { diagnostic: true });

      if (ctx.options.diagnose) await diagnoseList(run, svc, spec, parsed, timing);
    }
  } finally {
    client.close();
  }
}

type Timing = { warmup: number; count: number; minCount: number; maxSeconds: number };

/**
 * Takes one list request apart: the statements the kit sends for it (page,
 * then count when the page is full), each timed alone and EXPLAINed, and the
 * same statements written differently — derived from what the kit sends, so
 * the comparison follows the kit as it changes.
 */
async function diagnoseList(run: Run, svc: ResourceService, spec: ListSpec, parsed: ParsedListQuery[], timing: Timing): Promise<void> {
  const { ctx, db, figures, notes } = run;
  const section = 'List statements, timed alone (no HTTP, one at a time)';
  const short: Timing = { ...timing, count: Math.min(timing.count, 200), maxSeconds: Math.min(timing.maxSeconds, 4) };
  const rec = new Recorder(db);
  await svc.list(parsed[0]!, rec);
  const cases: { key: string; label: string; text: string; params: unknown[] }[] = [];
  for (const st of rec.seen) {
    const isCount = /^SELECT count\(\*\)/i.test(st.text);
    cases.push({ key: isCount ? 'count' : 'page', label: `${spec.key}: kit ${isCount ? 'count' : 'page'}`, text: st.text, params: st.params });
    // what if the total were counted only up to a cap (exact below it)?
    const count = /^SELECT count\(\*\)::int AS n FROM (.*)$/s.exec(st.text);
    if (count) {
      cases.push({ key: 'countCapped', label: `${spec.key}: count capped at 1,001`, text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${count[1]} LIMIT 1001) s`, params: st.params });
    }
    // what if a jsonpath filter were always served by the GIN index first (a fence the planner cannot see through)?
    const page = /^SELECT (.*?) FROM (\S+) (WHERE .*@@.*?) (ORDER BY .*?) (LIMIT .*)$/s.exec(st.text);
    if (page) {
      cases.push({
        key: 'pageFenced', label: `${spec.key}: page, GIN first (OFFSET 0 fence)`, params: st.params,
        text: `SELECT * FROM (SELECT ${page[1]} FROM ${page[2]} ${page[3]} OFFSET 0) m ${page[4]} ${page[5]}`,
      });
    }
  }
  for (const c of cases) {
    ctx.progress(`diagnose list ${c.label}`);
    const l = await sequential(async () => {
      await db.query(c.text, c.params);
    }, short);
    figures.add(section, `stmt.${spec.key}.${c.key}.p50`, `${c.label} p50`, 'ms', l.p50, { diagnostic: true });
    figures.add(section, `stmt.${spec.key}.${c.key}.p99`, `${c.label} p99`, 'ms', l.p99, { diagnostic: true });
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${c.text}`, c.params);
    notes.push(`EXPLAIN ANALYZE — ${c.label}: ${c.text.replace(/\s+/g, ' ')}  ${JSON.stringify(c.params)}`, ...plan.rows.map((r) => `  ${r['QUERY PLAN']}`));
  }
}

async function runOnce(ctx: BenchContext): Promise<RunResult> {
  const scale = scaleOf(ctx);
  const wants = (p: string) => ctx.options.phases.length === 0 || ctx.options.phases.includes(p);
  const figures = new Figures();
  const notes: string[] = [];
  const server = {
    poolSize: scale.serverPool,
    instrument: ctx.options.diagnose,
    ...(ctx.options.cpuProfileDir ? { cpuProfileDir: ctx.options.cpuProfileDir } : {}),
  };
  return withRunScope(ctx, server, scale.ceilingClients, `starting the server (pool ${scale.serverPool})`, async ({ database, server: running, db }) => {
    for (const w of ctx.options.whatIf ?? []) {
      ctx.progress(`what-if ${w}: changing the benchmark database (the platform code is untouched)`);
      if (w === 'no-gin') await db.query(`DROP INDEX ${TABLE}_doc`);
    }
    const run: Run = { ctx, scale, database, db, server: running, cpu: new CpuMeter(running.pid, db.pool, database.name), figures, notes };

    if (wants('ceiling')) await phaseCeiling(run);
    if (wants('create')) await phaseCreate(run);
    let stored = 0;
    if (wants('get') || wants('list')) {
      await checkStoredShape(run);
      stored = await bulkLoad(run);
    }
    if (wants('get')) await phaseGet(run);
    if (wants('list')) await phaseList(run, stored);
    return { figures: figures.list, notes };
  });
}

export const tmfCrud: Benchmark = {
  name: 'tmf-crud',
  title: 'tmf-crud — TMF632 Party over PostgreSQL',
  run: runOnce,
};
