import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { WorkflowEngine, workflowMigrations } from './index.ts';
import { registerCrashKinds } from './testing/crash-kinds.ts';

const WORKER = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let t: TestDatabase;
const children: ChildProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase([workflowMigrations]);
  await t.db.query(`CREATE TABLE crash_effect (run_id uuid NOT NULL, key text NOT NULL, node int NOT NULL)`);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a worker node in a process of its own; resolves once it works. */
function worker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('ready ')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;
}

it('loses nothing when a worker is killed with SIGKILL mid-run: another finishes every run, each effect once', async () => {
  // starts runs only; the work happens in the worker processes
  const engine = registerCrashKinds(new WorkflowEngine(t.db));
  const runs: Array<{ id: string; fails: boolean }> = [];
  await t.db.tx(async (tx) => {
    for (let i = 0; i < 30; i++) {
      const fails = i % 5 === 0;
      const tasks = [
        { key: 'a', kind: 'crash.step', input: { ms: 60 } },
        { key: 'b1', kind: 'crash.step', input: { ms: 60 }, dependsOn: ['a'] },
        { key: 'b2', kind: 'crash.step', input: { ms: 60 }, dependsOn: ['a'] },
        { key: 'c', kind: 'crash.step', input: { ms: 60 }, dependsOn: ['b1', 'b2'] },
        fails ? { key: 'f', kind: 'crash.fail', dependsOn: ['c'] } : { key: 'd', kind: 'crash.step', input: { ms: 60 }, dependsOn: ['c'] },
      ];
      runs.push({ id: await engine.startRun(tx, { type: 'crash', tasks }), fails });
    }
  });

  const first = await worker();
  const end = Date.now() + 30_000;
  while ((await count(`SELECT count(*)::int AS n FROM crash_effect`)) < 30) {
    if (Date.now() > end) throw new Error('the first worker made no progress');
    await sleep(10);
  }
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const terminal = `SELECT count(*)::int AS n FROM workflow_run WHERE status IN ('succeeded', 'failed', 'cancelled')`;
  // tasks were in flight on the dead node: their leases still name it
  expect(await count(terminal)).toBeLessThan(runs.length);
  expect(await count(`SELECT count(*)::int AS n FROM workflow_task WHERE status IN ('running', 'compensating') AND lease_owner IS NOT NULL`)).toBeGreaterThan(0);

  const second = await worker();
  const deadline = Date.now() + 45_000;
  while ((await count(terminal)) < runs.length) {
    if (Date.now() > deadline) throw new Error(`only ${await count(terminal)} of ${runs.length} runs ended after the crash`);
    await sleep(100);
  }
  second.kill('SIGTERM');
  await new Promise((r) => second.once('exit', r));

  for (const r of runs) {
    const run = (await engine.getRun(r.id))!;
    const effects = (await t.db.query<{ key: string; n: number }>(`SELECT key, count(*)::int AS n FROM crash_effect WHERE run_id = $1 GROUP BY key ORDER BY key`, [r.id])).rows;
    if (r.fails) {
      expect(run.status).toBe('failed');
      expect(effects).toEqual([]);
      expect(run.tasks.filter((x) => x.key !== 'f').every((x) => x.status === 'compensated')).toBe(true);
    } else {
      expect(run.status).toBe('succeeded');
      expect(effects).toEqual(['a', 'b1', 'b2', 'c', 'd'].map((key) => ({ key, n: 1 })));
    }
  }
  // the tasks caught mid-run by the kill were run again by the second node
  expect(await count(`SELECT count(*)::int AS n FROM workflow_task WHERE attempts > 1`)).toBeGreaterThan(0);
  const nodes = await count(`SELECT count(DISTINCT node)::int AS n FROM crash_effect`);
  expect(nodes).toBe(2);
});
