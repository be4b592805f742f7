/**
 * The Operon server under benchmark, in its own process so that its event loop
 * never shares a thread with the load generator. Starts the Party component
 * (`--app party`, the default) or every component with the Lead-to-Cash flow
 * (`--app operon`, its workflow engine tuned by --engine-concurrency and
 * --engine-poll-ms) on the given database, prints `OPERON_BENCH_READY <url>`,
 * and stops when sent SIGTERM or when the parent closes our stdin.
 *
 * With --instrument it also counts every SQL statement and the time spent
 * waiting for a pooled connection, served at GET /__bench/stats (reset with
 * POST /__bench/reset), so the benchmark can report round trips per request.
 */
import { parseArgs } from 'node:util';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { createLeadToCashFlow } from '@operon/lead-to-cash';
import { partyComponent } from '@operon/party';
import type { WorkflowEngineOptions } from '@operon/workflow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startOperon } from '@operon/server';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    pool: { type: 'string', default: '16' },
    instrument: { type: 'boolean', default: false },
    app: { type: 'string', default: 'party' },
    'engine-concurrency': { type: 'string' },
    'engine-poll-ms': { type: 'string' },
  },
});
if (args.app !== 'party' && args.app !== 'operon') throw new Error(`--app must be party or operon, got ${args.app}`);
const databaseUrl = args['database-url'];
if (!databaseUrl) throw new Error('--database-url is required');

export interface StatementStats {
  count: number;
  ms: number;
}

export interface ServerStats {
  seconds: number;
  /** Event-loop utilisation since the last reset: 1 means the server's only thread never waited. */
  eventLoopUtilization: number;
  /** Round trips, by the first statement of each. */
  statements: Record<string, StatementStats>;
  /** Every statement, those pipelined in one round trip counted one by one (time is the round trip's). */
  each: Record<string, number>;
  poolAcquires: number;
  poolWaitMs: number;
}

const statements = new Map<string, StatementStats>();
const each = new Map<string, number>();
let poolAcquires = 0;
let poolWaitMs = 0;
let since = performance.now();
let eluStart: EventLoopUtilization = performance.eventLoopUtilization();

/** `INSERT INTO party_individual …` → a short, parameter-free name for the statement. */
function statementKind(text: string): string {
  // a batch's text holds every statement of it: only its start names it
  return text.slice(0, 400).replace(/\s+/g, ' ').trim().slice(0, 72);
}

function record(kind: string, ms: number): void {
  const s = statements.get(kind);
  if (s) {
    s.count++;
    s.ms += ms;
  } else {
    statements.set(kind, { count: 1, ms });
  }
}

type AnyFn = (...a: unknown[]) => unknown;

/** Wraps pg's Client#query (promise and callback forms) to count statements and their round-trip time. */
function instrumentClient(): void {
  const proto = pg.Client.prototype as unknown as { query: AnyFn };
  const original = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const first = a[0];
    const text = typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? '');
    const kind = statementKind(text);
    // the store's pipelined batches carry their statements in a list
    const listed = (first as { statements?: ReadonlyArray<{ text?: unknown }> } | undefined)?.statements;
    for (const t of Array.isArray(listed) ? listed.map((x) => String(x.text ?? '')) : [text]) {
      const k = statementKind(t);
      each.set(k, (each.get(k) ?? 0) + 1);
    }
    const t0 = performance.now();
    const last = a[a.length - 1];
    if (typeof last === 'function') {
      a[a.length - 1] = (err: unknown, res: unknown) => {
        record(kind, performance.now() - t0);
        (last as AnyFn)(err, res);
      };
      return original.apply(this, a);
    }
    const returned = original.apply(this, a) as { then?: unknown; done?: Promise<unknown> } | undefined;
    const timed = () => record(kind, performance.now() - t0);
    // a query object of the caller's own (the store's statement batches): timed through its `done` promise, returned as it is
    if (typeof returned?.done?.then === 'function') {
      returned.done.then(timed, timed);
      return returned;
    }
    const r = returned as Promise<unknown> | undefined;
    if (r && typeof r.then === 'function') {
      return r.then(
        (v) => (timed(), v),
        (e: unknown) => {
          timed();
          throw e;
        },
      );
    }
    return r;
  };
}

/** Measures how long callers wait for a pooled connection (the promise form the store's transactions use). */
function instrumentPool(pool: pg.Pool): void {
  const p = pool as unknown as { connect: AnyFn; query: AnyFn };
  const connect = p.connect.bind(pool);
  p.connect = (...a: unknown[]) => {
    if (a.length > 0) return connect(...a);
    const t0 = performance.now();
    return (connect() as Promise<unknown>).then((c) => {
      poolAcquires++;
      poolWaitMs += performance.now() - t0;
      return c;
    });
  };
  // pool.query acquires internally (callback form); count its whole time as a pseudo-statement
  const query = p.query.bind(pool);
  p.query = (...a: unknown[]) => {
    const t0 = performance.now();
    const r = query(...a) as Promise<unknown>;
    return r.then(
      (v) => (record('(pool.query: acquire + round trip)', performance.now() - t0), v),
      (e: unknown) => {
        record('(pool.query: acquire + round trip)', performance.now() - t0);
        throw e;
      },
    );
  };
}

function statsRoutes(app: FastifyInstance): void {
  // the harness's own probes, outside Operon's API
  app.get('/__bench/stats', { config: { access: 'public' } }, async (): Promise<ServerStats> => ({
    seconds: (performance.now() - since) / 1000,
    eventLoopUtilization: performance.eventLoopUtilization(eluStart).utilization,
    statements: Object.fromEntries(statements),
    each: Object.fromEntries(each),
    poolAcquires,
    poolWaitMs,
  }));
  app.post('/__bench/reset', { config: { access: 'public' } }, async () => {
    statements.clear();
    each.clear();
    poolAcquires = 0;
    poolWaitMs = 0;
    since = performance.now();
    eluStart = performance.eventLoopUtilization();
    return { reset: true };
  });
}

if (args.instrument) instrumentClient();

const config = loadConfig({}, {
  port: 0,
  host: '127.0.0.1',
  databaseUrl,
  logLevel: 'silent',
  demoData: false,
  dbPoolSize: Number(args.pool),
  // measured as deployed: authentication on; the load comes from one caller, so no rate limit
  dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'operon-bench-')),
  rateLimit: { perSecond: 0, burst: 0 },
});
const engine: WorkflowEngineOptions = {
  ...(args['engine-concurrency'] ? { concurrency: Number(args['engine-concurrency']) } : {}),
  ...(args['engine-poll-ms'] ? { pollMs: Number(args['engine-poll-ms']) } : {}),
};
const running = await startOperon(
  config,
  args.app === 'party'
    ? { components: [partyComponent], extensions: [statsRoutes] }
    // every component (the default), and the flow with the engine settings asked for
    : { flows: [createLeadToCashFlow({ engine })], extensions: [statsRoutes] },
);
const apiKey = (await running.credentials.createKey({ name: 'benchmark load', roles: ['administrator'] })).secret;
if (args.instrument) instrumentPool(running.db.pool);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await running.stop().catch(() => {});
  // exit explicitly so that --cpu-prof writes its profile now
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// the parent holds our stdin: when it goes away, so do we
process.stdin.on('end', () => void shutdown());
process.stdin.resume();

process.stdout.write(`OPERON_BENCH_READY ${running.url} ${apiKey}\n`);
