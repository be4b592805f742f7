/**
 * lead-to-cash: product orders from capture to `completed`, end to end over
 * HTTP, on every component with the Lead-to-Cash flow.
 *
 *   ceiling  raw single-row INSERT commits/s from a pg.Pool, in the same run
 *            (as tmf-crud measures it)
 *   orders   POST /productOrder open-loop at a fixed rate (default 150/s, the
 *            target), each order 1 product → 2 services (CFS + RFS) → 4
 *            resources from 4 pools, activated on the simulated network at zero
 *            latency; measured: completions/s over a steady window, POST
 *            latency, POST-to-completed latency, backlog
 *
 * Why open loop: orders arrive from independent customers; they do not wait
 * for the previous order to be delivered before sending theirs. Offering the
 * target rate answers the question asked (does fulfilment keep up with 150
 * orders/s?), and when it does not, the completions counted over the window
 * are what the platform can deliver at saturation. A closed loop would slow
 * the arrivals down to the server's pace and hide the backlog, and its POST
 * latency would leave out the time requests would have waited.
 *
 * Completions are counted afterwards from the orders themselves
 * (`completionDate`, set by the order kit when the order closes), so nothing
 * polls the server while it is measured.
 */
import type pg from 'pg';
import { newId } from '@operon/kernel';
import {
  PATHS, addOrder, defineArea, defineCustomer, defineOffering, operonApi,
  type Customer, type Doc, type OfferingDef, type OperonApi,
} from '@operon/lead-to-cash/testing';
import { Database } from '@operon/store';
import { individualBody, storedIndividual } from './data.ts';
import { CpuMeter, type CpuSplit } from './lib/cpu.ts';
import { type Benchmark, type BenchContext, type Figure, type RunResult, type Target, type Unit } from './lib/harness.ts';
import { openLoopHttp, poolLoad } from './lib/load.ts';
import { Figures } from './lib/figures.ts';
import { withRunScope } from './lib/scope.ts';
import type { BenchServer, ServerStats } from './lib/server.ts';

/** The targets of the issue. */
export const TARGETS = {
  ordersPerSecond: { op: '>=', value: 150 } satisfies Target,
  postP99Ms: { op: '<=', value: 50 } satisfies Target,
};

interface Scale {
  /** Orders per second offered. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Longest wait, after the schedule, for every order to close. */
  drainSeconds: number;
  ceilingClients: number;
  ceilingSeconds: number;
  serverPool: number;
  customers: number;
  statsFlushMs: number;
}

function scaleOf(ctx: BenchContext): Scale {
  const o = ctx.options;
  if (o.scale === 'smoke') {
    return { rate: o.rate ?? 10, warmupSeconds: 0.5, seconds: 1.5, drainSeconds: 90, ceilingClients: 4, ceilingSeconds: 0.3, serverPool: 8, customers: 2, statsFlushMs: 0 };
  }
  return { rate: o.rate ?? 150, warmupSeconds: 5, seconds: 20, drainSeconds: 60, ceilingClients: 32, ceilingSeconds: 10, serverPool: o.serverPool ?? 16, customers: 16, statsFlushMs: 1100 };
}

const SECTION = {
  ceiling: 'Ceiling — raw PostgreSQL from a pg.Pool, same run',
  orders: 'Lead-to-Cash — POST /productOrder open loop, to completed',
  cost: 'Cost per order (stream and drain; an open order counts by its share of tasks done)',
  setup: 'Setup',
} as const;

/** Values per pool and per area: a VLAN pool holds at most 4,093 usable ids (2–4094) per access area, so larger runs use several areas. */
const AREA_CAPACITY = 4000;

/** 1 product → 1 CFS + 1 RFS (2 services) → 4 resources, each from a pool of its own specification. */
export function benchOffering(name = 'FTTH bench'): OfferingDef {
  return {
    name,
    resources: ['ONT port', 'VLAN', 'IPv4 address', 'Voice number'],
    rfs: [{ name: 'Access line', resources: ['ONT port', 'VLAN', 'IPv4 address', 'Voice number'] }],
    cfs: 'Broadband with voice',
    characteristics: [{ name: 'downloadSpeed', values: ['300', '1000', '2000'], default: '1000' }],
    monthly: 44.9,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function commits(db: Database, name: string): Promise<number> {
  const r = await db.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [name]);
  return Number(r.rows[0]?.n ?? 0);
}

/** Same measurement as tmf-crud's `ceiling.insert`: single-row autocommit INSERTs of a party document. */
async function phaseCeiling(ctx: BenchContext, scale: Scale, db: Database, figures: Figures): Promise<void> {
  const docs = Array.from({ length: 500 }, (_, i) => JSON.stringify(storedIndividual(individualBody(9, i), newId())).replace(/^\{"id":"[^"]+",/, ''));
  await db.query('DROP TABLE IF EXISTS bench_ceiling; CREATE TABLE bench_ceiling (id text PRIMARY KEY, doc jsonb NOT NULL)');
  ctx.progress(`ceiling: raw INSERT, ${scale.ceilingClients} clients, autocommit, ${scale.ceilingSeconds} s`);
  const r = await poolLoad(db.pool, scale.ceilingClients, scale.ceilingSeconds, (c: pg.PoolClient, n: number) => {
    const id = newId();
    return c.query('INSERT INTO bench_ceiling (id, doc) VALUES ($1, $2)', [id, `{"id":"${id}",${docs[n % docs.length]!}`]);
  }, (n) => ctx.status(`ceiling INSERT ${n.toLocaleString('en-US')} commits/s`));
  figures.add(SECTION.ceiling, 'ceiling.insert', 'raw INSERT commits/s', 'commits/s', r.opsPerSecond);
  figures.add(SECTION.ceiling, 'ceiling.insert.p99', 'raw INSERT p99', 'ms', r.latency.p99, { diagnostic: true });
  ctx.progress(`  ${Math.round(r.opsPerSecond).toLocaleString('en-US')} commits/s (p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms)`);
  await db.query('DROP TABLE bench_ceiling');
}

interface Setup {
  offering: Doc;
  addresses: Doc[];
  customers: Customer[];
}

/** Catalog, areas with their four pools, customers — through the HTTP APIs, as an operator would. */
async function setUp(ctx: BenchContext, api: OperonApi, scale: Scale, orders: number): Promise<Setup> {
  ctx.progress('setup: offering (4 resource specifications, RFS, CFS, product specification, price, offering)');
  const o = await defineOffering(api, benchOffering());
  const areas = Math.max(1, Math.ceil(orders / AREA_CAPACITY));
  const capacity = Math.min(AREA_CAPACITY, Math.ceil(orders / areas) + 50);
  const addresses: Doc[] = [];
  for (let a = 0; a < areas; a++) {
    ctx.progress(`setup: area ${a + 1}/${areas}, 4 pools of ${capacity.toLocaleString('en-US')} values`);
    const area = `BENCH-AREA-${a}`;
    const { address } = await defineArea(api, {
      area, street: `Benchstraße ${a}`, olt: `BENCH-OLT${a}`, ports: capacity, vlans: { start: 2, end: capacity + 1 }, cidr: `10.${a}.0.0/20`,
    }, o.resourceSpecs);
    const voice = o.resourceSpecs['Voice number']!;
    const start = 493_000_000_000 + a * 1_000_000;
    await api.post(`${PATHS.resourceInventory}/resourcePool`, {
      name: `${area} voice numbers`, kind: 'msisdn', accessArea: area,
      resourceSpecification: { id: voice.id, href: voice.href, name: voice['name'], '@referredType': 'ResourceSpecification' },
      range: { start: String(start), end: String(start + capacity - 1) },
    });
    addresses.push(address);
  }
  ctx.progress(`setup: ${scale.customers} customers with billing accounts`);
  const customers: Customer[] = [];
  for (let i = 0; i < scale.customers; i++) customers.push(await defineCustomer(api, `Bench${i}`, `Customer${i}`));
  return { offering: o.offering, addresses, customers };
}

interface OrderCounts {
  total: number;
  completed: number;
  closedOther: number;
}

async function orderCounts(db: Database): Promise<OrderCounts> {
  const r = await db.query<{ total: number; completed: number; closed_other: number }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE doc->>'state' = 'completed')::int AS completed,
            count(*) FILTER (WHERE doc->>'state' IN ('failed', 'partial', 'rejected', 'cancelled'))::int AS closed_other
       FROM product_order`,
  );
  const row = r.rows[0]!;
  return { total: row.total, completed: row.completed, closedOther: row.closed_other };
}

/** Groups the statements the server ran by what they touch, per order. */
function statementGroups(stats: ServerStats, orders: number): { workflow: number; relay: number; other: number; lines: string[]; statements: number; eachLines: string[] } {
  let workflow = 0, relay = 0, other = 0;
  const rows = Object.entries(stats.statements).filter(([k]) => !k.startsWith('('));
  for (const [k, s] of rows) {
    if (/workflow_/i.test(k)) workflow += s.count;
    else if (/\boutbox\b|event_delivery|relay/i.test(k)) relay += s.count;
    else other += s.count;
  }
  const lines = rows.sort((a, b) => b[1].count - a[1].count).slice(0, 40)
    .map(([k, s]) => `${(s.count / orders).toFixed(2)}/order  mean ${(s.ms / s.count).toFixed(2)} ms  ${k}`);
  const each = Object.entries(stats.each ?? {}).filter(([k]) => !k.startsWith('('));
  const statements = each.reduce((n, [, c]) => n + c, 0) / orders;
  const eachLines = each.sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, c]) => `${(c / orders).toFixed(2)}/order  ${k}`);
  return { workflow: workflow / orders, relay: relay / orders, other: other / orders, lines, statements, eachLines };
}

async function phaseOrders(ctx: BenchContext, scale: Scale, server: BenchServer, db: Database, dbName: string, figures: Figures, notes: string[]): Promise<void> {
  const api = operonApi(server.url, server.headers);
  const planned = Math.ceil(scale.rate * (scale.warmupSeconds + scale.seconds));
  const t0 = performance.now();
  const setup = await setUp(ctx, api, scale, planned);
  figures.add(SECTION.setup, 'setup.seconds', 'setup through HTTP (catalog, pools, customers)', 'ms', performance.now() - t0, { diagnostic: true });

  // one prepared body per (customer, address); the order kit gives each order its own id
  const bodies: string[] = [];
  for (const c of setup.customers) for (const a of setup.addresses) bodies.push(JSON.stringify(addOrder(c, setup.offering, a, { downloadSpeed: '1000' })));
  const path = `${PATHS.productOrder}/productOrder`;

  await sleep(scale.statsFlushMs);
  const commits0 = await commits(db, dbName);
  await server.resetStats();
  const whole = new CpuMeter(server.pid, db.pool, dbName);
  const window = new CpuMeter(server.pid, db.pool, dbName);
  await whole.start();
  let windowStarted: Promise<void> | undefined;
  let windowSplit: Promise<CpuSplit | undefined> | undefined;
  ctx.progress(`orders: ${scale.rate}/s open loop, ${scale.warmupSeconds} s warm-up + ${scale.seconds} s measured (${planned.toLocaleString('en-US')} orders)`);
  const load = await openLoopHttp({
    url: server.url, headers: server.headers, rate: scale.rate, warmupSeconds: scale.warmupSeconds, seconds: scale.seconds,
    request: (i) => ({ method: 'POST', path, body: bodies[i % bodies.length]! }),
    onWindow: (edge) => {
      if (edge === 'start') windowStarted = window.start();
      else windowSplit = (windowStarted ?? Promise.resolve()).then(() => window.stop());
    },
    onTick: (sent, inFlight) => ctx.status(`orders ${sent}/s sent, ${inFlight} POSTs unanswered`),
  });
  const split = await windowSplit;
  ctx.progress(
    `  POST p50 ${load.latency.p50.toFixed(1)} ms, p99 ${load.latency.p99.toFixed(1)} ms; ${load.ok} accepted, ${load.non2xx} refused, ${load.errors} errors` +
      (load.inFlightAtEnd ? `, ${load.inFlightAtEnd} unanswered at the end of the schedule` : ''),
  );
  if (load.non2xx || load.errors) notes.push(`orders: ${load.non2xx} non-2xx, ${load.errors} errors ${JSON.stringify(load.statusCodes)}: ${load.failures.join(' | ')}`);

  // drain: every order closed (or the time is up)
  const drainStart = Date.now();
  let counts = await orderCounts(db);
  while (counts.completed + counts.closedOther < counts.total && Date.now() - drainStart < scale.drainSeconds * 1000) {
    ctx.status(`draining: ${counts.completed.toLocaleString('en-US')}/${counts.total.toLocaleString('en-US')} completed`);
    await sleep(250);
    counts = await orderCounts(db);
  }
  const drainedAt = Date.now();
  const cpuWhole = await whole.stop();
  const stats = await server.stats();
  await sleep(scale.statsFlushMs);
  const commitsAll = (await commits(db, dbName)) - commits0;
  const open = counts.total - counts.completed - counts.closedOther;
  if (open > 0) notes.push(`orders: ${open} of ${counts.total} still open ${scale.drainSeconds} s after the schedule ended`);
  if (counts.closedOther > 0) {
    const why = await db.query<{ n: number; state: string; message: string | null }>(
      `SELECT count(*)::int AS n, doc->>'state' AS state, doc->'productOrderErrorMessage'->0->>'message' AS message
         FROM product_order WHERE doc->>'state' <> 'completed' GROUP BY 2, 3 ORDER BY 1 DESC LIMIT 5`,
    );
    notes.push(`orders: ${counts.closedOther} closed other than completed:`, ...why.rows.map((r) => `  ${r.n} ${r.state}: ${r.message ?? ''}`));
  }

  const from = new Date(load.windowStart).toISOString();
  const to = new Date(load.windowEnd).toISOString();
  const w = (await db.query<{ completed: number; captured: number; backlog: number; e2e_p50: number | null; e2e_p99: number | null; last: Date | null }>(
    `SELECT count(*) FILTER (WHERE doc->>'state' = 'completed' AND (doc->>'completionDate')::timestamptz >= $1 AND (doc->>'completionDate')::timestamptz < $2)::int AS completed,
            count(*) FILTER (WHERE created_at >= $1 AND created_at < $2)::int AS captured,
            count(*) FILTER (WHERE created_at < $2 AND (doc->>'completionDate' IS NULL OR (doc->>'completionDate')::timestamptz >= $2))::int AS backlog,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (doc->>'completionDate')::timestamptz - created_at) * 1000)
              FILTER (WHERE doc->>'state' = 'completed' AND created_at >= $1 AND created_at < $2) AS e2e_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM (doc->>'completionDate')::timestamptz - created_at) * 1000)
              FILTER (WHERE doc->>'state' = 'completed' AND created_at >= $1 AND created_at < $2) AS e2e_p99,
            max((doc->>'completionDate')::timestamptz) AS last
       FROM product_order`,
    [from, to],
  )).rows[0]!;
  // the hand-off from capture to fulfilment: the relay delivers ProductOrderCreateEvent to the flow, which starts the run
  const h = (await db.query<{ started: number; p50: number | null; p99: number | null; tasks: number; done: number; runs: number }>(
    `SELECT (SELECT count(*) FROM workflow_run WHERE created_at >= $1 AND created_at < $2)::int AS started,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - o.created_at) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - o.created_at) * 1000) AS p99,
            (SELECT count(*) FROM workflow_task)::int AS tasks,
            (SELECT count(*) FROM workflow_task WHERE status = 'done')::int AS done,
            (SELECT count(*) FROM workflow_run)::int AS runs
       FROM product_order o JOIN workflow_run r ON r.subject = o.id
      WHERE o.created_at >= $1 AND o.created_at < $2`,
    [from, to],
  )).rows[0]!;
  const windowSeconds = (load.windowEnd - load.windowStart) / 1000;
  const completedPerSecond = w.completed / windowSeconds;
  const allDone = w.last ? (w.last.getTime() - load.windowEnd) / 1000 : Number.NaN;
  ctx.progress(
    `  ${completedPerSecond.toFixed(1)} orders/s completed in the window (${w.captured} captured); backlog ${w.backlog} at its end; ` +
      `POST→completed p50 ${Math.round(w.e2e_p50 ?? NaN)} ms, p99 ${Math.round(w.e2e_p99 ?? NaN)} ms; last completion ${allDone.toFixed(1)} s after the window`,
  );

  const S = SECTION.orders;
  figures.add(S, 'orders.completedPerSecond', 'orders completed/s (steady window)', 'req/s', completedPerSecond, { ceiling: 'ceiling.insert', target: TARGETS.ordersPerSecond });
  figures.add(S, 'orders.offered', '  offered rate', 'req/s', scale.rate, { diagnostic: true });
  figures.add(S, 'orders.capturedPerSecond', '  orders captured/s in the window', 'req/s', w.captured / windowSeconds, { diagnostic: true });
  figures.add(S, 'orders.post.p50', 'POST /productOrder p50', 'ms', load.latency.p50);
  figures.add(S, 'orders.post.p99', 'POST /productOrder p99', 'ms', load.latency.p99, { target: TARGETS.postP99Ms });
  figures.add(S, 'orders.post.p99.secondHalf', '  POST p99, second half of the window', 'ms', load.secondHalfLatency.p99, { diagnostic: true });
  figures.add(S, 'orders.e2e.p50', 'POST → completed p50', 'ms', w.e2e_p50 ?? Number.NaN);
  figures.add(S, 'orders.e2e.p99', 'POST → completed p99', 'ms', w.e2e_p99 ?? Number.NaN);
  ctx.progress(`  runs started ${(h.started / windowSeconds).toFixed(1)}/s in the window; capture → run started p50 ${Math.round(h.p50 ?? NaN)} ms, p99 ${Math.round(h.p99 ?? NaN)} ms`);
  figures.add(S, 'orders.runsStartedPerSecond', '  fulfilment runs started/s in the window', 'req/s', h.started / windowSeconds, { diagnostic: true });
  figures.add(S, 'orders.handoff.p50', '  capture → run started p50 (relay hand-off)', 'ms', h.p50 ?? Number.NaN, { diagnostic: true });
  figures.add(S, 'orders.handoff.p99', '  capture → run started p99', 'ms', h.p99 ?? Number.NaN, { diagnostic: true });
  figures.add(S, 'orders.backlog', '  orders open at the end of the window', 'rows', w.backlog, { diagnostic: true });
  figures.add(S, 'orders.drainSeconds', '  last completion after the window', 'ms', allDone * 1000, { diagnostic: true });
  figures.add(S, 'orders.failed', '  orders refused, failed or left open', 'rows', load.non2xx + load.errors + counts.closedOther + open, { diagnostic: true });
  figures.add(S, 'orders.elu', '  server event-loop utilisation (stream and drain)', '%', 100 * stats.eventLoopUtilization, { diagnostic: true });
  figures.cpu(S, 'orders', split);

  // cost per order, over everything the stream caused (warm-up, window, drain); when orders are
  // left open, the work done on them counts as the share of their tasks done
  const tasksPerRun = h.runs > 0 ? h.tasks / h.runs : 1;
  const delivered = Math.max(1, h.done / tasksPerRun);
  figures.add(SECTION.cost, 'cost.tasks', 'workflow tasks per order', 'queries/req', tasksPerRun, { diagnostic: true });
  const C = SECTION.cost;
  if (cpuWhole) {
    const perOrder = (cores: number) => (cores * cpuWhole.seconds * 1000) / delivered;
    const server = perOrder(cpuWhole.server);
    const postgres = perOrder(cpuWhole.backends + cpuWhole.otherPostgres);
    figures.add(C, 'cost.cpu.server', 'server CPU per order', 'cpu-ms/req', server, { diagnostic: true });
    figures.add(C, 'cost.cpu.postgres', 'PostgreSQL CPU per order', 'cpu-ms/req', postgres, { diagnostic: true });
    // what two cores could deliver if the server and PostgreSQL had them to themselves
    figures.add(C, 'cost.cpuBound', '  orders/s if both cores did only this', 'req/s', (2 * 1000) / (server + postgres), { diagnostic: true });
  }
  figures.add(C, 'cost.commits', 'PostgreSQL commits per order', 'commits/req', commitsAll / delivered, { diagnostic: true });
  if (ctx.options.diagnose) {
    const g = statementGroups(stats, delivered);
    figures.add(C, 'cost.statements', 'round trips to PostgreSQL per order', 'queries/req', g.workflow + g.relay + g.other, { diagnostic: true });
    figures.add(C, 'cost.statements.workflow', '  of which workflow engine (workflow_*)', 'queries/req', g.workflow, { diagnostic: true });
    figures.add(C, 'cost.statements.relay', '  of which event outbox and relay', 'queries/req', g.relay, { diagnostic: true });
    figures.add(C, 'cost.statementsEach', 'statements per order (a round trip may carry several)', 'queries/req', g.statements, { diagnostic: true });
    if (stats.poolAcquires > 0) figures.add(C, 'cost.poolWait', 'pool wait per transaction', 'ms', stats.poolWaitMs / stats.poolAcquires, { diagnostic: true });
    figures.add(C, 'cost.transactions', 'pooled transactions per order', 'commits/req', stats.poolAcquires / delivered, { diagnostic: true });
    notes.push(`round trips per order, a batch of statements by its first (${delivered.toFixed(0)} order equivalents of work, ${Math.round((drainedAt - load.windowStart + scale.warmupSeconds * 1000) / 1000)} s):`, ...g.lines.map((l) => `  ${l}`),
      'statements per order, one by one:', ...g.eachLines.map((l) => `  ${l}`));
  }
}

async function runOnce(ctx: BenchContext): Promise<RunResult> {
  const scale = scaleOf(ctx);
  const wants = (p: string) => ctx.options.phases.length === 0 || ctx.options.phases.includes(p);
  const figures = new Figures();
  const notes: string[] = [];
  const engine = { ...(ctx.options.engineConcurrency ? { concurrency: ctx.options.engineConcurrency } : {}), ...(ctx.options.enginePollMs ? { pollMs: ctx.options.enginePollMs } : {}) };
  const server = {
    poolSize: scale.serverPool,
    instrument: ctx.options.diagnose,
    app: 'operon' as const,
    engine,
    env: { OPERON_NETWORK_ADAPTER: 'simulated', OPERON_NETWORK_LATENCY_MS: '0', OPERON_NETWORK_JITTER_MS: '0', OPERON_NETWORK_FAILURE_RATE: '0' },
    ...(ctx.options.cpuProfileDir ? { cpuProfileDir: ctx.options.cpuProfileDir } : {}),
  };
  const describe = `starting Operon with Lead-to-Cash (pool ${scale.serverPool}, engine ${JSON.stringify(engine)}, network latency 0)`;
  return withRunScope(ctx, server, scale.ceilingClients, describe, async ({ database, server: running, db }) => {
    if (wants('ceiling')) await phaseCeiling(ctx, scale, db, figures);
    if (wants('orders')) await phaseOrders(ctx, scale, running, db, database.name, figures, notes);
    return { figures: figures.list, notes };
  });
}

export const leadToCash: Benchmark = {
  name: 'lead-to-cash',
  title: 'lead-to-cash — product orders to completed, every component and the flow',
  run: runOnce,
};
