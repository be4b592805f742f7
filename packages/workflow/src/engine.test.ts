import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOperonError, newId } from '@operon/kernel';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { NonRetryableError, WorkflowEngine, workflowMigrations, type TaskHandler, type WorkflowEngineOptions } from './index.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase([workflowMigrations], { max: 12 });
  // a domain table standing for what tasks change in the same database
  await t.db.query(`CREATE TABLE wf_effect (run_id uuid NOT NULL, key text NOT NULL, note text, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await t.db.query(`CREATE TABLE wf_alert (run_id uuid NOT NULL, key text NOT NULL, elapsed_ms float8 NOT NULL)`);
});
afterAll(async () => t?.drop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** A promise with its resolver, to hold a task where a test wants it. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

async function effects(runId: string): Promise<Array<{ key: string; n: number }>> {
  return (
    await t.db.query<{ key: string; n: number }>(`SELECT key, count(*)::int AS n FROM wf_effect WHERE run_id = $1 GROUP BY key ORDER BY key`, [runId])
  ).rows;
}

/** A handler that records its effect in the task's transaction (and undoes it when compensated). */
function recorder(log: string[], extra: Partial<TaskHandler> = {}): TaskHandler {
  return {
    async run(ctx) {
      log.push(`run:${ctx.task.key}`);
      await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, ctx.task.key]);
      return { key: ctx.task.key };
    },
    async compensate(ctx, _input, output) {
      log.push(`undo:${ctx.task.key}`);
      expect(output).toEqual({ key: ctx.task.key });
      await ctx.tx.query(`DELETE FROM wf_effect WHERE run_id = $1 AND key = $2`, [ctx.run.id, ctx.task.key]);
    },
    ...extra,
  };
}

async function withEngine<T>(setup: (e: WorkflowEngine) => void, fn: (e: WorkflowEngine) => Promise<T>, options: WorkflowEngineOptions = {}): Promise<T> {
  const e = new WorkflowEngine(t.db, { concurrency: 4, pollMs: 50, leaseMs: 5000, retry: { baseMs: 20, maxMs: 200, maxAttempts: 3 }, ...options });
  setup(e);
  await e.start();
  try {
    return await fn(e);
  } finally {
    await e.stop();
  }
}

describe('starting runs', () => {
  it('creates the run in the caller\'s transaction: nothing exists or runs if it rolls back', async () => {
    const log: string[] = [];
    await withEngine(
      (e) => e.register('start.step', recorder(log)),
      async (e) => {
        const id = newId();
        await expect(
          t.db.tx(async (tx) => {
            await e.startRun(tx, { id, type: 'start', tasks: [{ key: 'a', kind: 'start.step' }] });
            throw new Error('the order change failed');
          }),
        ).rejects.toThrow('the order change failed');
        await sleep(200);
        expect(await e.getRun(id)).toBeUndefined();
        expect(log).toEqual([]);

        const ok = await t.db.tx((tx) => e.startRun(tx, { type: 'start', subject: 'order-1', input: { x: 1 }, tasks: [{ key: 'a', kind: 'start.step' }] }));
        const run = await e.awaitRun(ok);
        expect(run).toMatchObject({ id: ok, type: 'start', subject: 'order-1', input: { x: 1 }, status: 'succeeded' });
        expect(run.endedAt).toBeInstanceOf(Date);
        expect(log).toEqual(['run:a']);

        // the run is written with the caller's next statement (or its commit): it costs no round trip of its own,
        // and a run that cannot be written (its id taken) fails the caller's transaction whole
        let trips = -1;
        await expect(
          t.db.tx(async (tx) => {
            await tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, 'before')`, [ok]);
            const before = (tx as unknown as { roundTrips: number }).roundTrips;
            await e.startRun(tx, { id: ok, type: 'start', tasks: [{ key: 'a', kind: 'start.step' }] });
            trips = (tx as unknown as { roundTrips: number }).roundTrips - before;
          }),
        ).rejects.toMatchObject({ code: '23505' });
        expect(trips).toBe(0);
        expect(await effects(ok)).toEqual([{ key: 'a', n: 1 }]);
      },
    );
  });

  it('leases a new run\'s first tasks to the node that starts it, which runs them without claiming; without room or at work, they wait ready', async () => {
    const held = gate();
    const log: string[] = [];
    let entered = 0;
    const rowsOf = async (runId: string) => (await t.db.query<{ key: string; status: string; lease_owner: string | null; attempts: number; started: boolean }>(
      `SELECT key, status, lease_owner, attempts, started_at IS NOT NULL AS started FROM workflow_task WHERE run_id = $1 ORDER BY key`, [runId])).rows;
    await withEngine(
      (e) => e.register('lease.step', recorder(log, { run: async (ctx) => {
        entered++;
        await held.promise;
        return recorder(log).run(ctx, undefined);
      } })),
      async (e) => {
        // the claims this node makes from now on (its next poll is an hour away)
        let claims = 0;
        const query = t.db.query.bind(t.db);
        t.db.query = ((s: Parameters<typeof query>[0], p?: unknown[]) => {
          if ((typeof s === 'string' ? s : s.text).includes("status = 'ready' OR")) claims++;
          return query(s, p);
        }) as typeof t.db.query;
        try {
          // the claims of its start are over
          await sleep(300);
          claims = 0;
          const id = await t.db.tx((tx) => e.startRun(tx, { type: 'lease', tasks: [{ key: 'a', kind: 'lease.step' }, { key: 'b', kind: 'lease.step' }, { key: 'c', kind: 'lease.step', dependsOn: ['a', 'b'] }] }));
          // as a claim leaves them: running here, first attempt, started
          expect(await rowsOf(id)).toEqual([
            { key: 'a', status: 'running', lease_owner: e.nodeId, attempts: 1, started: true },
            { key: 'b', status: 'running', lease_owner: e.nodeId, attempts: 1, started: true },
            { key: 'c', status: 'pending', lease_owner: null, attempts: 0, started: false },
          ]);
          // one runs (concurrency 1), the other waits its turn here; neither was claimed
          await until(() => entered === 1, 3000);
          expect(claims).toBe(0);
          held.open();
          expect(await e.awaitRun(id)).toMatchObject({ status: 'succeeded' });
          expect(await effects(id)).toEqual([{ key: 'a', n: 1 }, { key: 'b', n: 1 }, { key: 'c', n: 1 }]);
        } finally {
          t.db.query = query;
          held.open();
        }
      },
      { pollMs: 3_600_000, concurrency: 1 },
    );
    // a node that does not work (or has no room for them all: concurrency 1 holds two) leaves the first tasks to any node
    const idle = new WorkflowEngine(t.db).register('lease.step', recorder([]));
    const waiting = await t.db.tx((tx) => idle.startRun(tx, { type: 'lease', tasks: [{ key: 'a', kind: 'lease.step' }] }));
    expect(await rowsOf(waiting)).toEqual([{ key: 'a', status: 'ready', lease_owner: null, attempts: 0, started: false }]);
    await withEngine(
      (e) => e.register('lease.step', recorder(log)),
      async (e) => {
        const many = await t.db.tx((tx) => e.startRun(tx, { type: 'lease', tasks: ['a', 'b', 'c'].map((key) => ({ key, kind: 'lease.step' })) }));
        expect((await e.awaitRun(many)).status).toBe('succeeded');
        expect((await e.awaitRun(waiting)).status).toBe('succeeded');
      },
      { concurrency: 1 },
    );
  });

  it('refuses graphs that cannot run', async () => {
    const e = new WorkflowEngine(t.db).register('graph.step', recorder([]));
    const start = (tasks: Parameters<WorkflowEngine['startRun']>[1]['tasks']) => t.db.tx((tx) => e.startRun(tx, { type: 'graph', tasks }));
    await expect(start([])).rejects.toThrow(/at least one task/);
    await expect(start([{ key: 'a', kind: 'graph.step' }, { key: 'a', kind: 'graph.step' }])).rejects.toThrow(/used twice/);
    await expect(start([{ key: 'a', kind: 'graph.step', dependsOn: ['a'] }])).rejects.toThrow(/depends on itself/);
    await expect(start([{ key: 'a', kind: 'graph.step', dependsOn: ['zz'] }])).rejects.toThrow(/unknown task 'zz'/);
    await expect(
      start([
        { key: 'a', kind: 'graph.step', dependsOn: ['b'] },
        { key: 'b', kind: 'graph.step', dependsOn: ['a'] },
      ]),
    ).rejects.toThrow(/cycle/);
    await expect(start([{ key: 'a', kind: 'graph.nope' }])).rejects.toThrow(/not registered/);
    await expect(start([{ key: 'a', kind: 'graph.step', expectedMs: -1 }])).rejects.toThrow(/expectedMs/);
  });
});

describe('dependencies and parallel branches', () => {
  it('runs a task only after its dependencies, and independent branches at the same time', async () => {
    const log: string[] = [];
    const bothRunning = { b: gate(), c: gate() };
    const branch = (me: 'b' | 'c', other: 'b' | 'c'): TaskHandler => ({
      async run(ctx) {
        log.push(`run:${me}`);
        bothRunning[me].open();
        // each branch waits for the other to have started: only parallel execution gets past this
        await Promise.race([bothRunning[other].promise, sleep(5000).then(() => Promise.reject(new Error(`${other} never ran beside ${me}`)))]);
        await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, me]);
        log.push(`end:${me}`);
        return null;
      },
    });
    await withEngine(
      (e) => e.register('par.a', recorder(log)).register('par.b', branch('b', 'c')).register('par.c', branch('c', 'b')).register('par.d', recorder(log)),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'par',
            tasks: [
              { key: 'd', kind: 'par.d', dependsOn: ['b', 'c'] },
              { key: 'b', kind: 'par.b', dependsOn: ['a'] },
              { key: 'c', kind: 'par.c', dependsOn: ['a'] },
              { key: 'a', kind: 'par.a' },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        expect(log[0]).toBe('run:a');
        expect(log.slice(1, 3).sort()).toEqual(['run:b', 'run:c']);
        expect(log.at(-1)).toBe('run:d');
        expect(await effects(id)).toEqual(['a', 'b', 'c', 'd'].map((key) => ({ key, n: 1 })));
        const byKey = new Map(run.tasks.map((x) => [x.key, x]));
        expect(byKey.get('d')!.dependsOn.sort()).toEqual(['b', 'c']);
        // the end is stamped in the completing transaction, the start at the claim: a few ms of clock between them
        expect(byKey.get('d')!.startedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(byKey.get('b')!.endedAt!.getTime(), byKey.get('c')!.endedAt!.getTime()) - 5);
        expect(run.tasks.every((x) => x.status === 'done' && x.attempts === 1)).toBe(true);
      },
    );
  });

  it('shares the work of many runs between two nodes, each task once', async () => {
    const seen = new Map<string, number>();
    const handler: TaskHandler = {
      async run(ctx) {
        seen.set(ctx.task.id, (seen.get(ctx.task.id) ?? 0) + 1);
        await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, $3)`, [ctx.run.id, ctx.task.key, ctx.idempotencyKey]);
        await sleep(2);
        return null;
      },
    };
    const a = new WorkflowEngine(t.db, { nodeId: 'node-a', concurrency: 3, pollMs: 50 }).register('many.step', handler);
    const b = new WorkflowEngine(t.db, { nodeId: 'node-b', concurrency: 3, pollMs: 50 }).register('many.step', handler);
    await a.start();
    await b.start();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        ids.push(
          await t.db.tx((tx) =>
            a.startRun(tx, {
              type: 'many',
              tasks: [
                { key: 'a', kind: 'many.step' },
                { key: 'b1', kind: 'many.step', dependsOn: ['a'] },
                { key: 'b2', kind: 'many.step', dependsOn: ['a'] },
                { key: 'c', kind: 'many.step', dependsOn: ['b1', 'b2'] },
              ],
            }),
          ),
        );
      }
      for (const id of ids) expect((await a.awaitRun(id)).status).toBe('succeeded');
      expect(seen.size).toBe(160);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const counts = (
        await t.db.query<{ n: number; keys: number }>(`SELECT count(*)::int AS n, count(DISTINCT (run_id, key))::int AS keys FROM wf_effect WHERE run_id = ANY($1)`, [ids])
      ).rows[0]!;
      expect(counts).toEqual({ n: 160, keys: 160 });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('retries, timeouts and jeopardy', () => {
  it('rolls back a failed attempt\'s writes and retries with exponential back-off; the effect lands once', async () => {
    const at: number[] = [];
    const keys = new Set<string>();
    await withEngine(
      (e) =>
        e.register('retry.flaky', {
          retry: { maxAttempts: 4, baseMs: 100, maxMs: 10_000 },
          async run(ctx) {
            at.push(Date.now());
            keys.add(ctx.idempotencyKey);
            expect(ctx.attempt).toBe(at.length);
            await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, ctx.task.key]);
            if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
            return { ok: ctx.attempt };
          },
        }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'retry', tasks: [{ key: 'x', kind: 'retry.flaky' }] }));
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        expect(run.tasks[0]).toMatchObject({ status: 'done', attempts: 3, output: { ok: 3 }, error: null });
        expect(await effects(id)).toEqual([{ key: 'x', n: 1 }]);
        // one key for every attempt: what makes an external call safe to repeat
        expect(keys.size).toBe(1);
        // back-off 100 ms then 200 ms, each ±20 %
        expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(80);
        expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(160);
      },
    );
  });

  it('fails at once on a NonRetryableError, and after the last attempt otherwise', async () => {
    let tries = 0;
    await withEngine(
      (e) =>
        e
          .register('fail.hard', { async run() { tries++; throw new NonRetryableError('no capacity left in the pool'); } })
          .register('fail.soft', { retry: { maxAttempts: 2 }, async run() { throw new Error('adapter down'); } }),
      async (e) => {
        const hard = await t.db.tx((tx) => e.startRun(tx, { type: 'fail', tasks: [{ key: 'h', kind: 'fail.hard' }] }));
        const soft = await t.db.tx((tx) => e.startRun(tx, { type: 'fail', tasks: [{ key: 's', kind: 'fail.soft' }] }));
        const h = await e.awaitRun(hard);
        expect(h).toMatchObject({ status: 'failed', error: 'h: no capacity left in the pool', outcome: { failedTask: 'h' } });
        expect(h.tasks[0]).toMatchObject({ status: 'failed', attempts: 1 });
        expect(tries).toBe(1);
        const s = await e.awaitRun(soft);
        expect(s).toMatchObject({ status: 'failed', error: 's: adapter down' });
        expect(s.tasks[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'adapter down' });
      },
    );
  });

  it('aborts an attempt past its timeout; what it writes late goes nowhere', async () => {
    let lateWrite: unknown;
    await withEngine(
      (e) =>
        e.register('slow.step', {
          timeoutMs: 150,
          retry: { maxAttempts: 2 },
          async run(ctx) {
            if (ctx.attempt === 1) {
              await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, 'early')`, [ctx.run.id, ctx.task.key]);
              await sleep(400);
              expect(ctx.signal.aborted).toBe(true);
              lateWrite = await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, 'late')`, [ctx.run.id, ctx.task.key]).catch((err: unknown) => err);
              return 'too late';
            }
            await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, 'second')`, [ctx.run.id, ctx.task.key]);
            return 'in time';
          },
        }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'slow', tasks: [{ key: 's', kind: 'slow.step' }] }));
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        expect(run.tasks[0]).toMatchObject({ attempts: 2, output: 'in time' });
        await until(() => lateWrite !== undefined);
        expect(String(lateWrite)).toMatch(/attempt is over/);
        expect((await t.db.query(`SELECT note FROM wf_effect WHERE run_id = $1`, [id])).rows).toEqual([{ note: 'second' }]);
      },
    );
  });

  it('raises jeopardy once for a task past its expected duration, in a transaction of its own', async () => {
    const calls: string[] = [];
    await withEngine(
      (e) =>
        e
          .register('jeop.slow', { async run() { await sleep(600); return null; } })
          .register('jeop.fast', recorder([]))
          .onJeopardy('jeop', async (ctx) => {
            calls.push(ctx.task.key);
            expect(ctx.task).toMatchObject({ kind: 'jeop.slow', etomTask: 'Configure & Activate Resource', expectedMs: 100, status: 'running', attempts: 1 });
            expect(ctx.elapsedMs).toBeGreaterThanOrEqual(100);
            await ctx.tx.query(`INSERT INTO wf_alert (run_id, key, elapsed_ms) VALUES ($1, $2, $3)`, [ctx.run.id, ctx.task.key, ctx.elapsedMs]);
          }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'jeop',
            subject: 'order-j',
            tasks: [
              { key: 'slow', kind: 'jeop.slow', expectedMs: 100, etomTask: 'Configure & Activate Resource' },
              { key: 'fast', kind: 'jeop.fast', expectedMs: 5000 },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        await sleep(150); // a few more sweeps: still once
        expect(calls).toEqual(['slow']);
        expect((await t.db.query(`SELECT key FROM wf_alert WHERE run_id = $1`, [id])).rows).toEqual([{ key: 'slow' }]);
        const byKey = new Map(run.tasks.map((x) => [x.key, x]));
        expect(byKey.get('slow')!.jeopardyRaisedAt).toBeInstanceOf(Date);
        expect(byKey.get('fast')!.jeopardyRaisedAt).toBeNull();
      },
    );
  });

  it('raises jeopardy again later when the handler failed', async () => {
    let n = 0;
    await withEngine(
      (e) =>
        e
          .register('jeop2.slow', { async run() { await sleep(500); return null; } })
          .onJeopardy('jeop2', async () => {
            if (++n === 1) throw new Error('alerting is down');
          }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'jeop2', tasks: [{ key: 's', kind: 'jeop2.slow', expectedMs: 50 }] }));
        await e.awaitRun(id);
        expect(n).toBe(2);
      },
    );
  });
});

describe('compensation', () => {
  it('undoes completed tasks in reverse order of completion when a task fails, then ends the run failed', async () => {
    const log: string[] = [];
    const ended: Array<{ status: string; tasks: string[] }> = [];
    await withEngine(
      (e) =>
        e
          .register('comp.step', recorder(log))
          .register('comp.slowstep', recorder(log, { async run(ctx) { await sleep(100); log.push(`run:${ctx.task.key}`); await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, ctx.task.key]); return { key: ctx.task.key }; } }))
          .register('comp.plain', { async run(ctx) { log.push(`run:${ctx.task.key}`); return null; } })
          .register('comp.fail', { async run(ctx) { log.push(`run:${ctx.task.key}`); throw new NonRetryableError('activation refused'); } })
          .onRunEnd('comp', async (ctx) => {
            ended.push({ status: ctx.status, tasks: ctx.tasks.map((x) => `${x.key}:${x.status}`) });
            expect(ctx.outcome).toMatchObject({ failedTask: 'f', error: 'f: activation refused' });
          }),
      async (e) => {
        // a → (b slow, c fast) → p (nothing to undo) → f fails; g never starts
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'comp',
            tasks: [
              { key: 'a', kind: 'comp.step' },
              { key: 'b', kind: 'comp.slowstep', dependsOn: ['a'] },
              { key: 'c', kind: 'comp.step', dependsOn: ['a'] },
              { key: 'p', kind: 'comp.plain', dependsOn: ['b', 'c'] },
              { key: 'f', kind: 'comp.fail', dependsOn: ['p'] },
              { key: 'g', kind: 'comp.step', dependsOn: ['f'] },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('failed');
        expect(log.filter((l) => l.startsWith('undo:'))).toEqual(['undo:b', 'undo:c', 'undo:a']);
        expect(await effects(id)).toEqual([]);
        const status = Object.fromEntries(run.tasks.map((x) => [x.key, x.status]));
        expect(status).toEqual({ a: 'compensated', b: 'compensated', c: 'compensated', p: 'compensated', f: 'failed', g: 'skipped' });
        expect(ended).toEqual([{ status: 'failed', tasks: expect.arrayContaining(['f:failed', 'g:skipped', 'a:compensated']) as unknown as string[] }]);
      },
    );
  });

  it('waits for tasks still running in other branches before compensating, and undoes them too', async () => {
    const log: string[] = [];
    const slow = gate();
    await withEngine(
      (e) =>
        e
          .register('comp2.step', recorder(log))
          .register('comp2.held', recorder(log, { async run(ctx) { await slow.promise; await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, ctx.task.key]); return { key: ctx.task.key }; } }))
          .register('comp2.fail', { async run() { throw new NonRetryableError('no'); } }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'comp2',
            tasks: [
              { key: 'a', kind: 'comp2.step' },
              { key: 'held', kind: 'comp2.held', dependsOn: ['a'] },
              { key: 'f', kind: 'comp2.fail', dependsOn: ['a'] },
            ],
          }),
        );
        await until(async () => (await e.getRun(id))!.status === 'compensating');
        await sleep(100);
        expect(log.some((l) => l.startsWith('undo:'))).toBe(false);
        slow.open();
        const run = await e.awaitRun(id);
        expect(run.status).toBe('failed');
        expect(log.filter((l) => l.startsWith('undo:'))).toEqual(['undo:held', 'undo:a']);
        expect(await effects(id)).toEqual([]);
      },
    );
  });

  it('retries a failing compensation, and ends the run failed with what was left undone when it gives up', async () => {
    const log: string[] = [];
    let undoTries = 0;
    await withEngine(
      (e) =>
        e
          .register('comp3.step', recorder(log))
          .register('comp3.stubborn', recorder(log, { retry: { maxAttempts: 3, baseMs: 10 }, async compensate() { undoTries++; throw new Error('switch unreachable'); } }))
          .register('comp3.fail', { async run() { throw new NonRetryableError('no'); } }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'comp3',
            tasks: [
              { key: 'a', kind: 'comp3.step' },
              { key: 's', kind: 'comp3.stubborn', dependsOn: ['a'] },
              { key: 'f', kind: 'comp3.fail', dependsOn: ['s'] },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('failed');
        expect(undoTries).toBe(3);
        expect(run.outcome).toMatchObject({ failedTask: 'f', compensationError: 's: switch unreachable', notCompensated: ['s', 'a'] });
        expect(await effects(id)).toEqual([{ key: 'a', n: 1 }, { key: 's', n: 1 }]);
      },
    );
  });

  it('retries a run-end handler that failed, and runs it once', async () => {
    let calls = 0;
    await withEngine(
      (e) =>
        e.register('end.step', recorder([])).onRunEnd('end', async (ctx) => {
          calls++;
          await ctx.tx.query(`INSERT INTO wf_alert (run_id, key, elapsed_ms) VALUES ($1, 'end', $2)`, [ctx.run.id, calls]);
          if (calls === 1) throw new Error('billing hand-off failed');
        }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'end', tasks: [{ key: 'a', kind: 'end.step' }] }));
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        expect(calls).toBe(2);
        // the failed call's write was rolled back with it
        expect((await t.db.query(`SELECT elapsed_ms FROM wf_alert WHERE run_id = $1`, [id])).rows).toEqual([{ elapsed_ms: 2 }]);
      },
    );
  });
});

describe('cancellation', () => {
  it('stops the run, lets the running task finish, then compensates in reverse order and ends cancelled', async () => {
    const log: string[] = [];
    const hold = gate();
    const ended: string[] = [];
    await withEngine(
      (e) =>
        e
          .register('cancel.step', recorder(log))
          .register('cancel.held', recorder(log, { async run(ctx) { await hold.promise; log.push(`run:${ctx.task.key}`); await ctx.tx.query(`INSERT INTO wf_effect (run_id, key) VALUES ($1, $2)`, [ctx.run.id, ctx.task.key]); return { key: ctx.task.key }; } }))
          .onRunEnd('cancel', async (ctx) => void ended.push(`${ctx.status}:${ctx.outcome.reason}`)),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'cancel',
            tasks: [
              { key: 'a', kind: 'cancel.step' },
              { key: 'b', kind: 'cancel.held', dependsOn: ['a'] },
              { key: 'c', kind: 'cancel.step', dependsOn: ['b'] },
            ],
          }),
        );
        await until(async () => (await e.getRun(id))!.tasks.find((x) => x.key === 'b')!.status === 'running');
        expect(await e.cancel(id, 'customer withdrew the order')).toBe('cancelling');
        hold.open();
        const run = await e.awaitRun(id);
        expect(run.status).toBe('cancelled');
        expect(run.outcome).toMatchObject({ reason: 'customer withdrew the order' });
        expect(log).toEqual(['run:a', 'run:b', 'undo:b', 'undo:a']);
        expect(Object.fromEntries(run.tasks.map((x) => [x.key, x.status]))).toEqual({ a: 'compensated', b: 'compensated', c: 'skipped' });
        expect(await effects(id)).toEqual([]);
        expect(ended).toEqual(['cancelled:customer withdrew the order']);
        // cancelling again leaves the ended run as it is
        expect(await e.cancel(id, 'again')).toBe('cancelled');
      },
    );
  });

  it('cancels a run waiting for a retry at once, and refuses an unknown run', async () => {
    await withEngine(
      (e) => e.register('cancel2.flaky', { retry: { maxAttempts: 5, baseMs: 60_000 }, async run() { throw new Error('later'); } }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'cancel2', tasks: [{ key: 'x', kind: 'cancel2.flaky' }] }));
        // one snapshot: read twice, the task could be ready (not yet claimed) and then running its first attempt
        await until(async () => {
          const task = (await e.getRun(id))!.tasks[0]!;
          return task.status === 'ready' && task.attempts === 1;
        });
        expect(await e.cancel(id, 'no longer wanted')).toBe('cancelled');
        expect((await e.getRun(id))!.tasks[0]!.status).toBe('skipped');
        const err = await e.cancel(newId(), 'x').catch((x: unknown) => x);
        expect(isOperonError(err) && err.kind).toBe('notFound');
      },
    );
  });
});

describe('tasks added at run time', () => {
  it('grows the graph: added tasks run in parallel after their creator, and a pending task can wait for them', async () => {
    const log: string[] = [];
    await withEngine(
      (e) =>
        e
          .register('grow.step', recorder(log))
          .register('grow.decompose', {
            async run(ctx, input: { items: string[] }) {
              log.push('run:decompose');
              ctx.addTasks(
                input.items.map((i) => ({ key: `reserve:${i}`, kind: 'grow.step', dependsOn: ['decompose'], etomTask: 'Allocate & Install Resource' })),
                { before: ['close'] },
              );
              ctx.addTasks([{ key: 'activate:all', kind: 'grow.step', dependsOn: input.items.map((i) => `reserve:${i}`) }], { before: ['close'] });
              return { items: input.items.length };
            },
          }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'grow',
            tasks: [
              { key: 'decompose', kind: 'grow.decompose', input: { items: ['r1', 'r2', 'r3'] } },
              { key: 'close', kind: 'grow.step', dependsOn: ['decompose'] },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        expect(run.tasks.map((x) => x.key).sort()).toEqual(['activate:all', 'close', 'decompose', 'reserve:r1', 'reserve:r2', 'reserve:r3']);
        expect(log[0]).toBe('run:decompose');
        expect(log.slice(1, 4).sort()).toEqual(['run:reserve:r1', 'run:reserve:r2', 'run:reserve:r3']);
        expect(log.slice(4)).toEqual(['run:activate:all', 'run:close']);
        expect(run.tasks.every((x) => x.status === 'done')).toBe(true);
        expect((await effects(id)).length).toBe(5);
      },
    );
  });

  it('fails the creating task when added tasks name unknown tasks, and adds nothing', async () => {
    await withEngine(
      (e) =>
        e.register('grow2.step', recorder([])).register('grow2.bad', {
          async run(ctx) {
            ctx.addTasks([{ key: 'x', kind: 'grow2.step', dependsOn: ['nowhere'] }]);
            return null;
          },
        }),
      async (e) => {
        const id = await t.db.tx((tx) => e.startRun(tx, { type: 'grow2', tasks: [{ key: 'bad', kind: 'grow2.bad' }] }));
        const run = await e.awaitRun(id);
        expect(run.status).toBe('failed');
        expect(run.tasks.map((x) => x.key)).toEqual(['bad']);
        expect(run.tasks[0]!.error).toMatch(/unknown tasks: nowhere/);
        expect(run.tasks[0]!.attempts).toBe(1);
      },
    );
  });
});

describe('chaining quick tasks into one transaction', () => {
  /** Records the task's transaction id with its effect, to see which tasks shared one. */
  function txRecorder(log: string[], extra: Partial<TaskHandler> = {}): TaskHandler {
    return {
      async run(ctx) {
        log.push(`run:${ctx.task.key}`);
        await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, txid_current()::text)`, [ctx.run.id, ctx.task.key]);
        return { key: ctx.task.key };
      },
      ...extra,
    };
  }
  const txids = async (runId: string) =>
    Object.fromEntries((await t.db.query<{ key: string; note: string }>(`SELECT key, note FROM wf_effect WHERE run_id = $1`, [runId])).rows.map((r) => [r.key, r.note]));

  it('runs chainable tasks in the transaction of the completion that readied them, with real start and end times', async () => {
    const log: string[] = [];
    await withEngine(
      (e) => e.register('chain.quick', txRecorder(log, { chainable: () => true })).register('chain.own', txRecorder(log)),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'chain',
            tasks: [
              { key: 'a', kind: 'chain.quick' },
              { key: 'b', kind: 'chain.quick', dependsOn: ['a'] },
              { key: 'c', kind: 'chain.quick', dependsOn: ['b'] },
              { key: 'd', kind: 'chain.own', dependsOn: ['c'] },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        const tx = await txids(id);
        // a is claimed; b and c ride along in its transaction; d (not chainable) has a transaction of its own
        expect(tx['b']).toBe(tx['a']);
        expect(tx['c']).toBe(tx['a']);
        expect(tx['d']).not.toBe(tx['a']);
        const task = (k: string) => run.tasks.find((x) => x.key === k)!;
        expect(task('b').startedAt!.getTime()).toBeGreaterThanOrEqual(task('a').endedAt!.getTime() - 1);
        expect(task('c').endedAt!.getTime()).toBeGreaterThanOrEqual(task('c').startedAt!.getTime());
      },
    );
  });

  it('undoes a chain whose task fails, commits what ran before it on its own, and retries the failed task (its events gone)', async () => {
    const log: string[] = [];
    let failures = 1;
    await withEngine(
      (e) =>
        e
          .register('chain2.quick', txRecorder(log, { chainable: () => true }))
          .register('chain2.flaky', txRecorder(log, {
            chainable: () => true,
            async run(ctx) {
              log.push(`run:${ctx.task.key}:${ctx.attempt}`);
              await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, txid_current()::text)`, [ctx.run.id, ctx.task.key]);
              ctx.tx.emit({ api: 'test', eventType: 'FlakyEvent', resourceType: 'test', resourceId: ctx.run.id, payload: { eventId: newId(), attempt: ctx.attempt } });
              if (failures-- > 0) throw new Error('the peer hiccuped');
              return { key: ctx.task.key };
            },
          })),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, { type: 'chain2', tasks: [{ key: 'a', kind: 'chain2.quick' }, { key: 'b', kind: 'chain2.flaky', dependsOn: ['a'] }] }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('succeeded');
        // the chain took no savepoints: b's failure undid a's transaction too, so a ran again, alone
        expect(log).toEqual(['run:a', 'run:b:1', 'run:a', 'run:b:2']);
        // b's first attempt left nothing: one effect each, and one event (from the attempt that committed)
        expect(await effects(id)).toEqual([{ key: 'a', n: 1 }, { key: 'b', n: 1 }]);
        const events = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE resource_id = $1 AND event_type = 'FlakyEvent'`, [id]);
        expect(events.rows[0]!.n).toBe(1);
        const b = run.tasks.find((x) => x.key === 'b')!;
        expect(b.attempts).toBe(2);
      },
    );
  });

  it('counts the completions after the first in memory: one round trip for them all, rows and order of completion as the database would leave them', async () => {
    const log: string[] = [];
    const trips: Record<string, number> = {};
    /** A step of the chain that notes how many round trips its transaction took before it. */
    const counting = (extra: Partial<TaskHandler> = {}): TaskHandler => ({
      ...recorder(log),
      chainable: () => true,
      async run(ctx) {
        trips[ctx.task.key] = (ctx.tx as unknown as { roundTrips: number }).roundTrips;
        log.push(`run:${ctx.task.key}`);
        await ctx.tx.query(`INSERT INTO wf_effect (run_id, key, note) VALUES ($1, $2, txid_current()::text)`, [ctx.run.id, ctx.task.key]);
        return { key: ctx.task.key };
      },
      ...extra,
    });
    await withEngine(
      (e) =>
        e
          .register('held.step', counting())
          // the last step fails for good in a transaction of its own: what the chain did is undone in reverse order of completion
          .register('held.last', { ...recorder(log), async run() { throw new NonRetryableError('the network refused'); } }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, {
            type: 'held',
            tasks: [
              { key: 'a', kind: 'held.step' },
              { key: 'b', kind: 'held.step', dependsOn: ['a'] },
              { key: 'c', kind: 'held.step', dependsOn: ['a'] },
              { key: 'd', kind: 'held.step', dependsOn: ['b', 'c'] },
              { key: 'e', kind: 'held.step', dependsOn: ['d'] },
              { key: 'z', kind: 'held.last', dependsOn: ['e'] },
            ],
          }),
        );
        const run = await e.awaitRun(id);
        expect(run.status).toBe('failed');
        expect(await effects(id)).toEqual([]); // all undone
        // a, then b and c (either order), d after both, e: one transaction, as the log of runs shows
        expect(log.slice(0, 5).filter((x) => x.startsWith('run:'))).toHaveLength(5);
        expect(new Set(log.slice(1, 3))).toEqual(new Set(['run:b', 'run:c']));
        expect(log.slice(3, 5)).toEqual(['run:d', 'run:e']);
        // each step's insert takes a round trip; of the completions, only a's does (the rest ride with the next insert):
        // BEGIN + a's insert, a's completion, then one per step
        expect(trips).toEqual({ a: 0, [log[1]!.slice(4)]: 2, [log[2]!.slice(4)]: 3, d: 4, e: 5 });
        // undone in reverse order of completion, each once
        expect(log.slice(5).filter((x) => x.startsWith('undo:'))).toEqual(['undo:e', 'undo:d', `undo:${log[2]!.slice(4)}`, `undo:${log[1]!.slice(4)}`, 'undo:a']);
        const tasks = Object.fromEntries(run.tasks.map((x) => [x.key, x]));
        for (const k of ['a', 'b', 'c', 'd', 'e']) {
          expect(tasks[k]).toMatchObject({ status: 'compensated', attempts: 1, output: { key: k } });
          expect(tasks[k]!.endedAt!.getTime()).toBeGreaterThanOrEqual(tasks[k]!.startedAt!.getTime());
        }
        // times read as the database's own clock: each step starts when the step before it ended
        expect(tasks['d']!.startedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(tasks['b']!.endedAt!.getTime(), tasks['c']!.endedAt!.getTime()) - 1);
        expect(tasks['e']!.startedAt!.getTime()).toBeGreaterThanOrEqual(tasks['d']!.endedAt!.getTime() - 1);
        expect(tasks['z']).toMatchObject({ status: 'failed', attempts: 1 });
        const open = await t.db.query<{ open: number }>(`SELECT open FROM workflow_run WHERE id = $1`, [id]);
        expect(open.rows[0]!.open).toBe(1); // z never completed
        const leases = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_task WHERE run_id = $1 AND (lease_owner IS NOT NULL OR lease_until IS NOT NULL)`, [id]);
        expect(leases.rows[0]!.n).toBe(0);
      },
    );
  });

  it('ends a run whose chain completes it in the same round trip as the last completions, and its end handler sees every task done', async () => {
    const log: string[] = [];
    const seen: { trips?: number; tasks?: string[] } = {};
    await withEngine(
      (e) =>
        e.register('ends.step', { ...recorder(log), chainable: () => true }).onRunEnd('ends', async (ctx) => {
          seen.trips = (ctx.tx as unknown as { roundTrips: number }).roundTrips;
          seen.tasks = ctx.tasks.map((x) => `${x.key}:${x.status}`);
        }),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, { type: 'ends', tasks: [{ key: 'a', kind: 'ends.step' }, { key: 'b', kind: 'ends.step', dependsOn: ['a'] }, { key: 'c', kind: 'ends.step', dependsOn: ['b'] }] }),
        );
        expect((await e.awaitRun(id)).status).toBe('succeeded');
        // BEGIN + a's insert, a's completion, b's insert, c's insert, then the end with the completions of b and c
        expect(seen).toEqual({ trips: 5, tasks: ['a:done', 'b:done', 'c:done'] });
      },
    );
  });

  it('leaves parallel tasks to run in parallel when they are not chainable, and chains nothing when turned off', async () => {
    const log: string[] = [];
    await withEngine(
      (e) => e.register('chain3.quick', txRecorder(log, { chainable: () => true })),
      async (e) => {
        const id = await t.db.tx((tx) =>
          e.startRun(tx, { type: 'chain3', tasks: [{ key: 'a', kind: 'chain3.quick' }, { key: 'b', kind: 'chain3.quick', dependsOn: ['a'] }] }),
        );
        expect((await e.awaitRun(id)).status).toBe('succeeded');
        const tx = await txids(id);
        expect(tx['b']).not.toBe(tx['a']);
      },
      { chain: false },
    );
  });
});

describe('listing for operations and KPIs', () => {
  it('lists runs and tasks with durations and eTOM tasks, and aggregates durations per eTOM task', async () => {
    const type = `kpi-${newId().slice(-6)}`;
    await withEngine(
      (e) => e.register('kpi.step', { async run(_ctx, input: { ms: number }) { await sleep(input.ms); return null; } }).register('kpi.fail', { async run() { throw new NonRetryableError('no'); } }),
      async (e) => {
        const ok = await t.db.tx((tx) =>
          e.startRun(tx, {
            type,
            subject: 'po-1',
            tasks: [
              { key: 'a', kind: 'kpi.step', input: { ms: 30 }, etomTask: 'Allocate & Install Resource' },
              { key: 'b', kind: 'kpi.step', input: { ms: 60 }, etomTask: 'Allocate & Install Resource', dependsOn: ['a'] },
              { key: 'c', kind: 'kpi.step', input: { ms: 10 }, etomTask: 'Close Customer Order', dependsOn: ['b'] },
            ],
          }),
        );
        const bad = await t.db.tx((tx) =>
          e.startRun(tx, { type, subject: 'po-2', tasks: [{ key: 'x', kind: 'kpi.fail', etomTask: 'Close Customer Order' }] }),
        );
        await e.awaitRun(ok);
        await e.awaitRun(bad);

        const runs = await e.listRuns({ type });
        expect(runs.map((r) => [r.subject, r.status, r.tasks, r.tasksDone])).toEqual([
          ['po-2', 'failed', 1, 0],
          ['po-1', 'succeeded', 3, 3],
        ]);
        expect(runs[1]!.durationMs).toBeGreaterThanOrEqual(100);
        expect((await e.listRuns({ type, status: 'failed' })).map((r) => r.id)).toEqual([bad]);
        expect((await e.listRuns({ type, subject: 'po-1' })).map((r) => r.id)).toEqual([ok]);
        expect(await e.listRuns({ type, since: new Date(Date.now() + 60_000) })).toEqual([]);
        expect((await e.listRuns({ type, limit: 1, offset: 1 })).map((r) => r.id)).toEqual([ok]);

        const tasks = await e.listTasks({ runType: type, subject: 'po-1' });
        expect(tasks.map((x) => [x.key, x.etomTask, x.status])).toEqual([
          ['a', 'Allocate & Install Resource', 'done'],
          ['b', 'Allocate & Install Resource', 'done'],
          ['c', 'Close Customer Order', 'done'],
        ]);
        expect(tasks[1]!.durationMs).toBeGreaterThanOrEqual(55);
        expect(tasks[1]).toMatchObject({ runId: ok, runType: type, kind: 'kpi.step', attempts: 1 });
        expect((await e.listTasks({ runType: type, etomTask: 'Close Customer Order' })).map((x) => x.status).sort()).toEqual(['done', 'failed']);

        const per = await e.etomDurations({ runType: type });
        expect(per.map((p) => [p.etomTask, p.count, p.failed])).toEqual([
          ['Allocate & Install Resource', 2, 0],
          ['Close Customer Order', 1, 1],
        ]);
        expect(per[0]!.p50Ms).toBeGreaterThanOrEqual(25);
        expect(per[0]!.maxMs).toBeGreaterThanOrEqual(55);
        expect(per[0]!.p90Ms).toBeLessThanOrEqual(per[0]!.maxMs);
        await expect(e.listRuns({ limit: -1 })).rejects.toThrow(/limit/);
      },
    );
  });
});
