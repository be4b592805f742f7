/**
 * `npx tsx bench/workflow.ts [--runs 3] [--workflows 2000] [--concurrency 8] [--pool 16] [--db server|embedded]`
 *
 * Throughput of @operon/workflow: runs of 6 tasks with 2 parallel branches
 * (a → b1 → b2 ∥ c1 → c2 → d), each task writing one row in its own
 * transaction together with its completion; every run started in a
 * transaction of its own (as an order capture would). Printed beside the raw
 * PostgreSQL ceiling measured in the same run: single-row INSERT commits/s.
 * Each run gets a fresh database, dropped afterwards. Prints medians.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Database, migrate } from '@operon/store';
import { WorkflowEngine, workflowMigrations, type TaskSpec } from '@operon/workflow';
import { openTarget, type BenchDatabase } from './lib/database.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    workflows: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    pool: { type: 'string', default: '16' },
    starters: { type: 'string', default: '8' },
    db: { type: 'string' },
    'ceiling-seconds': { type: 'string', default: '4' },
  },
});
const RUNS = Number(values.runs);
const WORKFLOWS = Number(values.workflows);
const CONCURRENCY = Number(values.concurrency);
const POOL = Number(values.pool);
const STARTERS = Number(values.starters);
const CEILING_SECONDS = Number(values['ceiling-seconds']);

const log = (m: string) => process.stderr.write(`${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The run's graph: two branches of two steps between a first and a last one. */
export const BENCH_TASKS: TaskSpec[] = [
  { key: 'a', kind: 'bench.step' },
  { key: 'b1', kind: 'bench.step', dependsOn: ['a'] },
  { key: 'b2', kind: 'bench.step', dependsOn: ['b1'] },
  { key: 'c1', kind: 'bench.step', dependsOn: ['a'] },
  { key: 'c2', kind: 'bench.step', dependsOn: ['c1'] },
  { key: 'd', kind: 'bench.step', dependsOn: ['b2', 'c2'] },
];

/** Raw single-row INSERT commits/s from `clients` connections, autocommit. */
export async function commitCeiling(url: string, seconds: number, clients = 16): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, v int NOT NULL)`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: clients });
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await pool.connect();
      try {
        while (Date.now() < end) {
          await c.query({ name: 'ceiling', text: 'INSERT INTO bench_ceiling (v) VALUES ($1)', values: [n] });
          n++;
        }
      } finally {
        c.release();
      }
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.end();
  return rate;
}

async function commits(db: Database): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)).rows[0]!.n;
}

interface Figures {
  ceiling: number;
  workflowsPerSecond: number;
  stepsPerSecond: number;
  commitsPerWorkflow: number;
  seconds: number;
}

async function oneRun(bdb: BenchDatabase): Promise<Figures> {
  const ceiling = await commitCeiling(bdb.url, CEILING_SECONDS);
  const db = new Database({ url: bdb.url, max: POOL, applicationName: 'operon-bench-workflow' });
  try {
    await migrate(db, [workflowMigrations]);
    await db.query(`CREATE TABLE bench_effect (run_id uuid NOT NULL, key text NOT NULL)`);
    let ended = 0;
    let failed = 0;
    let allEnded!: () => void;
    const done = new Promise<void>((r) => (allEnded = r));
    const engine = new WorkflowEngine(db, { concurrency: CONCURRENCY })
      .register('bench.step', {
        async run(ctx) {
          await ctx.tx.query({ name: 'bench_effect', text: `INSERT INTO bench_effect (run_id, key) VALUES ($1, $2)` }, [ctx.run.id, ctx.task.key]);
          return null;
        },
      })
      .onRunEnd('bench', async (ctx) => {
        if (ctx.status !== 'succeeded') failed++;
        ctx.tx.afterCommit(() => {
          if (++ended === WORKFLOWS) allEnded();
        });
      });
    await engine.start();
    // statistics are per backend and flushed lazily: a short pause lets the counter settle
    await new Promise((r) => setTimeout(r, 600));
    const c0 = await commits(db);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: STARTERS }, async () => {
        while (next < WORKFLOWS) {
          next++;
          await db.tx((tx) => engine.startRun(tx, { type: 'bench', tasks: BENCH_TASKS }));
        }
      }),
    );
    await done;
    const seconds = (performance.now() - t0) / 1000;
    await engine.stop();
    await new Promise((r) => setTimeout(r, 600));
    const c1 = await commits(db);
    const effects = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_effect`)).rows[0]!.n;
    if (failed || effects !== WORKFLOWS * BENCH_TASKS.length) throw new Error(`wrong result: ${failed} failed runs, ${effects} effects`);
    return {
      ceiling,
      workflowsPerSecond: WORKFLOWS / seconds,
      stepsPerSecond: (WORKFLOWS * BENCH_TASKS.length) / seconds,
      commitsPerWorkflow: (c1 - c0) / WORKFLOWS,
      seconds,
    };
  } finally {
    await db.close();
  }
}

const target = await openTarget(values.db === 'embedded' || values.db === 'server' ? values.db : undefined);
const results: Figures[] = [];
try {
  log(`PostgreSQL ${await target.version()} (${target.kind}); ${WORKFLOWS} workflows × ${BENCH_TASKS.length} steps, ${RUNS} runs`);
  for (let i = 0; i < RUNS; i++) {
    const bdb = await target.createDatabase();
    try {
      const f = await oneRun(bdb);
      results.push(f);
      log(
        `run ${i + 1}: ceiling ${f.ceiling.toFixed(0)} commits/s; ${f.workflowsPerSecond.toFixed(1)} workflows/s, ${f.stepsPerSecond.toFixed(0)} steps/s, ` +
          `${f.commitsPerWorkflow.toFixed(1)} commits/workflow, ${f.seconds.toFixed(1)} s`,
      );
    } finally {
      await bdb.drop();
    }
  }
} finally {
  await target.close();
}
const m = (k: keyof Figures) => median(results.map((r) => r[k]));
process.stdout.write(
  `workflow bench (medians of ${RUNS}): ceiling ${m('ceiling').toFixed(0)} commits/s | ours ${m('workflowsPerSecond').toFixed(1)} workflows/s, ` +
    `${m('stepsPerSecond').toFixed(0)} steps/s, ${m('commitsPerWorkflow').toFixed(1)} commits/workflow ` +
    `(${((m('workflowsPerSecond') * m('commitsPerWorkflow') * 100) / m('ceiling')).toFixed(0)} % of the ceiling's commits/s)\n`,
);
