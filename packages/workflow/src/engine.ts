import os from 'node:os';
import pg from 'pg';
import { newId, notFound } from '@operon/kernel';
import type { Database, Tx } from '@operon/store';
import { HeldRun, type GraphRow } from './held-run.ts';
import * as Q from './sql.ts';
import type { TaskRow } from './sql.ts';
import {
  NonRetryableError,
  type CompensationContext, type EtomDuration, type JeopardyContext, type RunFilter, type RunSummary, type TaskFilter, type TaskRecord, type RetryPolicy, type RunEndContext, type RunInfo, type RunOutcome,
  type RunSpec, type RunStatus, type RunView, type TaskContext, type TaskHandler, type TaskResult, type TaskSpec,
  type TaskStatus, type WorkflowLog,
} from './types.ts';

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WorkflowEngineOptions {
  /** Names this node in leases; unique per process (default: host, pid and a random suffix). */
  nodeId?: string;
  /** Tasks this node runs at once (each holds a database connection while it runs). */
  concurrency?: number;
  /** How long a claimed task stays this node's without a heartbeat; after it, another node takes it. */
  leaseMs?: number;
  /** Safety-net poll (lost notifications, retries due, expired leases, jeopardy). */
  pollMs?: number;
  /** Retry policy of kinds that do not set their own. */
  retry?: Partial<RetryPolicy>;
  /**
   * Chaining: a task that declares itself chainable, made ready by a
   * completion, runs at once in the completion's transaction (a quick step
   * gains nothing from a transaction of its own: each costs a claim, a begin,
   * a commit and the events' hand-off). false turns chaining off.
   */
  chain?: boolean;
  /** Longest a chain of tasks keeps its transaction open before committing. Default 200 ms. */
  chainBudgetMs?: number;
  log?: WorkflowLog;
}

export type RunEndHandler = (ctx: RunEndContext) => Promise<void>;
export type JeopardyHandler = (ctx: JeopardyContext) => Promise<void>;

interface Registered {
  handler: TaskHandler;
  retry: RetryPolicy;
}

/** A task this node holds a lease on: queued or executing. */
interface Held {
  id: string;
  runId: string;
  key: string;
  kind: string;
  mode: 'run' | 'compensate';
  input: unknown;
  output: unknown;
  attempt: number;
  etomTask: string | null;
  run: RunInfo;
}

interface RunRow {
  id: string;
  type: string;
  subject: string | null;
  input: unknown;
  status: RunStatus;
  open: number;
  error: string | null;
  outcome: RunOutcome | null;
}

/** What a completion hands on: tasks leased here, how many it made ready for any node, the run's next step. */
interface Completed {
  dependents: Held[];
  readied: number;
  next: Held | undefined;
}

/** A chain's transaction (its first pass): the run whose lock it holds, once its first completion took it. */
interface ChainTx {
  run?: HeldRun;
}

/** The attempt's node lost its lease (it was too slow, or considered dead): another node owns the task now. */
class LeaseLost extends Error {
  constructor(task: string) {
    super(`lease on task ${task} was lost`);
  }
}

/** A chained task failed in a pass without savepoints: the transaction is undone and the chain runs again, guarded. */
class ChainBroken extends Error {
  constructor(readonly taskId: string, readonly error: unknown) {
    super(`chained task ${taskId} failed`);
  }
}

class TaskTimeout extends Error {
  constructor(ms: number) {
    super(`attempt timed out after ${ms} ms`);
    this.name = 'TaskTimeout';
  }
}

const NOTIFY_CHANNEL = 'operon_workflow';
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 60_000 };
const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
  return text.slice(0, 2000);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

function withTimeout<T>(p: Promise<T>, ms: number | undefined, ac: AbortController): Promise<T> {
  if (!ms) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new TaskTimeout(ms);
      ac.abort(e);
      reject(e);
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * The attempt's view of its transaction: once the attempt is over (returned,
 * threw or timed out) it refuses further use, so a handler still running after
 * its timeout cannot write outside the transaction that was rolled back.
 */
const ASYNC_TX_METHODS: ReadonlySet<PropertyKey> = new Set(['query', 'queryBeside', 'queriesBeside', 'finalWrite', 'flush']);

function guard(tx: Tx, state: { open: boolean }): Tx {
  return new Proxy(tx, {
    get(target, p) {
      const v: unknown = Reflect.get(target, p, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (!state.open) {
          const e = new Error('this task attempt is over: its transaction can no longer be used');
          // the asynchronous methods reject, as a failed query would
          if (ASYNC_TX_METHODS.has(p)) return Promise.reject(e);
          throw e;
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * What onRunEnd does to the transaction is kept aside until it succeeds: a
 * handler that throws has its writes rolled back to a savepoint, and its events
 * and after-commit hooks must vanish with them.
 */
function buffered(tx: Tx): { tx: Tx; flush(): void } {
  const calls: Array<() => void> = [];
  const deferred = new Set<PropertyKey>(['emit', 'audit', 'afterCommit']);
  const proxy = new Proxy(tx, {
    get(target, p) {
      const v: unknown = Reflect.get(target, p, target);
      if (typeof v !== 'function') return v;
      const f = v as (...a: unknown[]) => unknown;
      if (deferred.has(p)) return (...args: unknown[]) => void calls.push(() => f.apply(target, args));
      return (...args: unknown[]) => f.apply(target, args);
    },
  });
  return { tx: proxy, flush: () => calls.splice(0).forEach((c) => c()) };
}

function runInfo(r: { id: string; type: string; subject: string | null; input: unknown }): RunInfo {
  return { id: r.id, type: r.type, subject: r.subject, input: r.input };
}

function held(row: TaskRow, run: RunInfo, mode: Held['mode']): Held {
  return {
    id: row.id, runId: row.run_id, key: row.key, kind: row.kind, mode, input: row.input, output: row.output,
    attempt: mode === 'run' ? row.attempts : row.compensation_attempts, etomTask: row.etom_task, run,
  };
}

/** Keys in dependency order; throws on a cycle or an unknown dependency. */
function checkGraph(tasks: readonly TaskSpec[], known: ReadonlySet<string> = new Set()): void {
  const keys = new Set<string>();
  for (const t of tasks) {
    if (!t.key || typeof t.key !== 'string') throw new Error('every task needs a key');
    if (keys.has(t.key) || known.has(t.key)) throw new Error(`task key '${t.key}' is used twice`);
    keys.add(t.key);
  }
  const waiting = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const t of tasks) {
    const deps = new Set(t.dependsOn ?? []);
    if (deps.has(t.key)) throw new Error(`task '${t.key}' depends on itself`);
    let n = 0;
    for (const d of deps) {
      if (!keys.has(d)) continue;
      n++;
      next.set(d, [...(next.get(d) ?? []), t.key]);
    }
    waiting.set(t.key, n);
  }
  const free = [...waiting].filter(([, n]) => n === 0).map(([k]) => k);
  let seen = 0;
  while (free.length) {
    const k = free.pop()!;
    seen++;
    for (const m of next.get(k) ?? []) {
      const n = waiting.get(m)! - 1;
      waiting.set(m, n);
      if (n === 0) free.push(m);
    }
  }
  if (seen !== tasks.length) throw new Error('task dependencies form a cycle');
}

/**
 * Durable orchestration on Operon's PostgreSQL: a run is a graph of tasks
 * with dependencies; nodes claim ready tasks with leases, a task's writes
 * commit with its completion, failures retry then compensate in reverse order.
 */
export class WorkflowEngine {
  readonly nodeId: string;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retry: RetryPolicy;
  private log: WorkflowLog;
  private readonly handlers = new Map<string, Registered>();
  private readonly chain: boolean;
  private readonly chainBudgetMs: number;
  private readonly runEndHandlers = new Map<string, RunEndHandler>();
  private readonly jeopardyHandlers = new Map<string, JeopardyHandler>();
  private kinds: string[] = [];

  private readonly queue: Held[] = [];
  private readonly holding = new Map<string, Held>();
  private readonly executing = new Set<Promise<void>>();
  private started = false;
  private stopping = false;
  private wanted = false;
  private claiming = false;
  private listener?: pg.Client;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private notifyTimer?: NodeJS.Timeout;
  private lastNotify = 0;
  private lastHeartbeat = 0;
  private polls = 0;
  private sweeping = false;

  constructor(private readonly db: Database, options: WorkflowEngineOptions = {}) {
    this.nodeId = options.nodeId ?? `${os.hostname()}:${process.pid}:${newId().slice(-6)}`;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.chain = options.chain ?? true;
    this.chainBudgetMs = options.chainBudgetMs ?? 200;
    this.log = options.log ?? (() => {});
  }

  setLogger(log: WorkflowLog): void {
    this.log = log;
  }

  /** Declares how tasks of `kind` run (and are undone); every node that runs them registers the same. */
  register<I, O>(kind: string, handler: TaskHandler<I, O>): this {
    this.handlers.set(kind, { handler: handler as TaskHandler, retry: { ...this.retry, ...handler.retry } });
    this.kinds = [...this.handlers.keys()];
    return this;
  }

  /** Called once per run of `type` when it ends, inside the transaction that ends it. */
  onRunEnd(type: string, handler: RunEndHandler): this {
    this.runEndHandlers.set(type, handler);
    return this;
  }

  /** Called once per task of a run of `type` that runs past its expected duration. */
  onJeopardy(type: string, handler: JeopardyHandler): this {
    this.jeopardyHandlers.set(type, handler);
    return this;
  }

  // --- starting and cancelling runs ----------------------------------------------------------

  /**
   * Creates a run inside the caller's transaction: it exists, and its first
   * tasks become claimable, exactly when the change that causes it commits.
   */
  async startRun(tx: Tx, spec: RunSpec): Promise<string> {
    if (!spec.type) throw new Error('a run needs a type');
    if (!spec.tasks.length) throw new Error('a run needs at least one task');
    checkGraph(spec.tasks);
    const keys = new Set(spec.tasks.map((t) => t.key));
    for (const t of spec.tasks) {
      for (const d of t.dependsOn ?? []) if (!keys.has(d)) throw new Error(`task '${t.key}' depends on unknown task '${d}'`);
    }
    const runId = spec.id ?? newId();
    const rows = spec.tasks.map((t) => ({ ...this.taskRow(t), waiting: new Set(t.dependsOn ?? []).size }));
    const roots = rows.filter((r) => r.waiting === 0);
    // with room here, the first tasks are leased to this node as they are written and run once it
    // commits, as a claim would have them (a node gone before that leaves them to the lease sweep)
    const here = this.owner !== null && this.room >= roots.length ? this.owner : null;
    const input = JSON.stringify(spec.input ?? null);
    // nothing waits for its answer (the id is new): it goes with the transaction's next statement, or its commit
    tx.writeWithNext(Q.INSERT_RUN, [runId, spec.type, spec.subject ?? null, input, spec.tasks.length, JSON.stringify(rows), here, this.leaseMs]);
    if (!here) {
      tx.afterCommit(() => this.madeReady(roots.length));
      return runId;
    }
    // what a worker reads back from the database: the inputs as stored
    const run: RunInfo = { id: runId, type: spec.type, subject: spec.subject ?? null, input: JSON.parse(input) as unknown };
    const leased = roots.map((r) => held({
      id: r.id, run_id: runId, key: r.key, kind: r.kind, status: 'running', input: JSON.parse(JSON.stringify(r.input)) as unknown, output: null,
      attempts: 1, compensation_attempts: 0, etom_task: r.etom,
    }, run, 'run'));
    tx.afterCommit(() => {
      for (const h of leased) this.enqueue(h);
    });
    return runId;
  }

  private taskRow(t: TaskSpec) {
    const reg = this.handlers.get(t.kind);
    if (!reg) throw new Error(`task '${t.key}': kind '${t.kind}' is not registered`);
    if (t.expectedMs !== undefined && !(Number.isInteger(t.expectedMs) && t.expectedMs > 0)) throw new Error(`task '${t.key}': expectedMs must be a positive integer`);
    return {
      id: newId(), key: t.key, kind: t.kind, deps: [...new Set(t.dependsOn ?? [])], input: t.input ?? null,
      compensable: typeof reg.handler.compensate === 'function', etom: t.etomTask ?? null, expected: t.expectedMs ?? null,
    };
  }

  /**
   * Stops scheduling the run, undoes what is done in reverse order of
   * completion, and ends it `cancelled`. Returns the run's status afterwards;
   * a run already ending or ended is left as it is.
   */
  async cancel(runId: string, reason: string): Promise<RunStatus> {
    if (!RUN_ID.test(runId)) throw notFound('WorkflowRun', runId);
    const r = await this.db.tx(async (tx) => {
      const run = (await tx.query<RunRow>(Q.LOCK_RUN, [runId])).rows[0];
      if (!run) throw notFound('WorkflowRun', runId);
      if (run.status !== 'running') return { status: run.status, next: undefined };
      await tx.query(Q.SET_RUN_STATUS, [runId, 'cancelling', null, JSON.stringify({ reason })]);
      await tx.query(Q.SKIP_UNSTARTED, [runId]);
      const next = await this.advance(tx, runId);
      const status = (await tx.query<{ status: RunStatus }>(Q.GET_RUN, [runId])).rows[0]!.status;
      return { status, next };
    });
    this.afterAdvance(r.next);
    return r.status;
  }

  /** The run with its tasks; undefined when unknown. */
  async getRun(runId: string): Promise<RunView | undefined> {
    // run ids are uuids: anything else names no run (and would be a type error in SQL)
    if (!RUN_ID.test(runId)) return undefined;
    const r = (await this.db.query<RunRow & { created_at: Date; ended_at: Date | null }>(Q.GET_RUN, [runId])).rows[0];
    if (!r) return undefined;
    const tasks = (await this.db.query<TaskResultRow>(Q.RUN_TASKS, [runId])).rows;
    return {
      ...runInfo(r), status: r.status, outcome: r.outcome, error: r.error, createdAt: r.created_at, endedAt: r.ended_at,
      tasks: tasks.map((t) => ({
        ...taskResult(t), id: t.id, dependsOn: t.depends_on, jeopardyRaisedAt: t.jeopardy_raised_at, compensationAttempts: t.compensation_attempts,
      })),
    };
  }

  /** Runs, newest first, with their duration and task counts (for operations and KPIs). */
  async listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const statuses = filter.status === undefined ? null : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
    const rows = (
      await this.db.query<{
        id: string; type: string; subject: string | null; status: RunStatus; error: string | null; created_at: Date; ended_at: Date | null;
        duration_ms: number | null; tasks: number; tasks_done: number;
      }>(Q.LIST_RUNS, [
        filter.type ?? null, statuses, filter.subject ?? null, filter.since ?? null, filter.until ?? null, clampLimit(filter.limit, 100, 1000), filter.offset ?? 0,
      ])
    ).rows;
    return rows.map((r) => ({
      id: r.id, type: r.type, subject: r.subject, status: r.status, error: r.error, createdAt: r.created_at, endedAt: r.ended_at,
      durationMs: r.duration_ms, tasks: r.tasks, tasksDone: r.tasks_done,
    }));
  }

  /** Tasks across runs in order of start, with their duration and eTOM task (for KPIs). */
  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    const rows = (
      await this.db.query<{
        run_id: string; run_type: string; subject: string | null; key: string; kind: string; status: TaskStatus; etom_task: string | null;
        attempts: number; error: string | null; started_at: Date | null; ended_at: Date | null; duration_ms: number | null;
        expected_ms: number | null; jeopardy_raised_at: Date | null;
      }>(Q.LIST_TASKS, [...taskFilterParams(filter), clampLimit(filter.limit, 1000, 10_000), filter.offset ?? 0])
    ).rows;
    return rows.map((t) => ({
      runId: t.run_id, runType: t.run_type, subject: t.subject, key: t.key, kind: t.kind, status: t.status, etomTask: t.etom_task,
      attempts: t.attempts, error: t.error, startedAt: t.started_at, endedAt: t.ended_at, durationMs: t.duration_ms,
      expectedMs: t.expected_ms, jeopardyRaisedAt: t.jeopardy_raised_at,
    }));
  }

  /** Duration percentiles of completed tasks per eTOM task (tasks without one are left out). */
  async etomDurations(filter: Omit<TaskFilter, 'limit' | 'offset'> = {}): Promise<EtomDuration[]> {
    const rows = (
      await this.db.query<{ etom_task: string; count: number; failed: number; p50_ms: number; p90_ms: number; mean_ms: number; max_ms: number; jeopardies: number }>(
        Q.ETOM_DURATIONS, taskFilterParams(filter),
      )
    ).rows;
    return rows.map((r) => ({
      etomTask: r.etom_task, count: r.count, failed: r.failed, p50Ms: r.p50_ms, p90Ms: r.p90_ms, meanMs: r.mean_ms, maxMs: r.max_ms, jeopardies: r.jeopardies,
    }));
  }

  /** Resolves with the run once it has ended (polls; for tests and tools). */
  async awaitRun(runId: string, timeoutMs = 30_000): Promise<RunView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRun(runId);
      if (run && TERMINAL.has(run.status)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} did not end within ${timeoutMs} ms (status ${run?.status})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // --- the worker ----------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    await this.listen();
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
    this.wake();
    void this.poll();
  }

  /** Graceful: claims nothing more, lets the tasks in flight finish, gives queued ones back. */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const l = this.listener;
    this.listener = undefined;
    if (l) await l.end().catch(() => {});
    // leases stay alive while the last tasks finish
    const beat = setInterval(() => void this.heartbeat(true), Math.max(50, this.leaseMs / 3));
    try {
      while (this.executing.size) await Promise.allSettled([...this.executing]);
      const queued = this.queue.splice(0);
      for (const h of queued) {
        await this.release(h.id, h.runId, true).catch((e) => this.log('error', 'workflow: could not give a task back', { task: h.id, error: errorText(e) }));
        this.holding.delete(h.id);
      }
    } finally {
      clearInterval(beat);
      this.started = false;
      this.stopping = false;
    }
  }

  /** Looks for claimable tasks now. */
  wake(): void {
    if (!this.started || this.stopping) return;
    this.wanted = true;
    void this.claim();
  }

  private get room(): number {
    return 2 * this.concurrency - this.executing.size - this.queue.length;
  }

  /** Who leases what a transaction hands out now: this node while it works, else any node. */
  private get owner(): string | null {
    return this.started && !this.stopping ? this.nodeId : null;
  }

  private async claim(): Promise<void> {
    if (this.claiming) return;
    this.claiming = true;
    try {
      while (this.wanted && this.started && !this.stopping && this.kinds.length) {
        const n = Math.min(this.room, 2 * this.concurrency);
        if (n <= 0) break; // still wanted: claimed again when a slot frees
        this.wanted = false;
        const rows = (
          await this.db.query<TaskRow & { run_type: string; run_subject: string | null; run_input: unknown }>(Q.CLAIM, [this.nodeId, n, this.kinds, this.leaseMs])
        ).rows;
        for (const r of rows) {
          this.enqueue(held(r, { id: r.run_id, type: r.run_type, subject: r.run_subject, input: r.run_input }, r.status === 'running' ? 'run' : 'compensate'));
        }
        if (rows.length === n) this.wanted = true;
      }
    } catch (e) {
      this.wanted = true;
      this.log('error', 'workflow: claiming failed', { error: errorText(e) });
    } finally {
      this.claiming = false;
    }
  }

  private enqueue(h: Held): void {
    this.holding.set(h.id, h);
    this.queue.push(h);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.executing.size < this.concurrency && this.queue.length) {
      const h = this.queue.shift()!;
      const p: Promise<void> = (h.mode === 'run' ? this.runTask(h) : this.compensateTask(h))
        .catch((e) => this.log('error', 'workflow: task handling failed', { task: h.key, run: h.runId, error: errorText(e) }))
        .finally(() => {
          this.executing.delete(p);
          this.holding.delete(h.id);
          this.pump();
          if (this.wanted) void this.claim();
        });
      this.executing.add(p);
    }
  }

  /** Tasks were made ready for any node: take them here at once if there is room, and tell the others. */
  private madeReady(n: number): void {
    if (n <= 0) return;
    this.wake();
    if (!this.started || this.stopping || this.room < n) this.notify();
  }

  private afterAdvance(next: Held | undefined): void {
    if (!next) return;
    if (this.owner) this.enqueue(next);
    else this.notify();
  }

  private notify(): void {
    if (this.notifyTimer) return;
    // outside any transaction (a NOTIFY inside one serialises commits), at most every 20 ms
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.lastNotify = Date.now();
      this.db.query(`SELECT pg_notify('${NOTIFY_CHANNEL}', $1)`, [this.nodeId]).catch(() => {});
    }, Math.max(0, this.lastNotify + 20 - Date.now()));
    this.notifyTimer.unref();
  }

  private wakeIn(ms: number): void {
    if (!this.started || this.stopping) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.wake();
    }, ms);
    t.unref();
    this.retryTimers.add(t);
  }

  private async listen(): Promise<void> {
    if (!this.started || this.stopping) return;
    const client = new pg.Client({ connectionString: this.db.url, application_name: 'operon-workflow' });
    client.on('error', () => {});
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      client.on('notification', (n) => {
        if (n.payload !== this.nodeId) this.wake();
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
    } catch (e) {
      this.log('warn', 'workflow: cannot listen for notifications, retrying', { error: errorText(e) });
      await client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (!this.started || this.stopping) return;
    this.reconnectTimer = setTimeout(() => void this.listen(), 1000);
    this.reconnectTimer.unref();
  }

  private async poll(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.wake();
    if (Date.now() - this.lastHeartbeat >= this.leaseMs / 3) await this.heartbeat(false);
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.sweepExpired();
      await this.raiseJeopardy();
      if (this.polls++ % 5 === 0) await this.unstick();
    } catch (e) {
      this.log('error', 'workflow: sweep failed', { error: errorText(e) });
    } finally {
      this.sweeping = false;
    }
  }

  private async heartbeat(force: boolean): Promise<void> {
    if (!force && (!this.started || this.stopping)) return;
    this.lastHeartbeat = Date.now();
    const ids = [...this.holding.keys()];
    if (!ids.length) return;
    await this.db.query(Q.HEARTBEAT, [ids, this.nodeId, this.leaseMs]).catch((e) => this.log('error', 'workflow: heartbeat failed', { error: errorText(e) }));
  }

  // --- running a task ------------------------------------------------------------------------

  private async runTask(h: Held): Promise<void> {
    const reg = this.handlers.get(h.kind);
    if (!reg) {
      // made ready here by a completion, but this node does not run the kind
      await this.release(h.id, h.runId, true);
      return;
    }
    let result: Completed | undefined;
    let broken: ChainBroken | undefined;
    const chainFailed: Array<{ h: Held; reg: Registered; e: unknown }> = [];
    while (!result) {
      chainFailed.length = 0;
      try {
        result = await this.db.tx(async (tx) => {
          // the guarded pass completes each task in the database, behind its savepoint
          const chain: ChainTx | undefined = broken ? undefined : {};
          const done = await this.attempt(tx, h, reg, chain);
          await this.runChain(tx, done, chainFailed, broken, chain);
          await this.handBack(tx, done);
          return done;
        });
      } catch (e) {
        if (e instanceof ChainBroken && !broken) {
          // a chained task failed with nothing behind a savepoint: the chain runs again, guarded, up to it
          broken = e;
          continue;
        }
        if (e instanceof LeaseLost) {
          this.log('warn', 'workflow: task lost its lease before completing; another node runs it', { task: h.key, run: h.runId });
          return;
        }
        await this.attemptFailed(h, reg, e);
        return;
      }
    }
    // a chained task that failed was rolled back: it is still leased here, as if claimed
    for (const f of chainFailed) await this.attemptFailed(f.h, f.reg, f.e);
    for (const d of result.dependents) this.enqueue(d);
    this.madeReady(result.readied);
    this.afterAdvance(result.next);
  }

  /** One attempt of a task in `tx`: its handler, then its completion. */
  private async attempt(tx: Tx, h: Held, reg: Registered, chain?: ChainTx): Promise<Completed> {
    const state = { open: true };
    const added: TaskSpec[] = [];
    const before: string[] = [];
    const ac = new AbortController();
    const ctx: TaskContext = {
      tx: guard(tx, state), run: h.run, task: { id: h.id, key: h.key, kind: h.kind, etomTask: h.etomTask },
      attempt: h.attempt, idempotencyKey: h.id, signal: ac.signal,
      addTasks(tasks, options) {
        if (!state.open) throw new Error('addTasks is only possible while the task runs');
        added.push(...tasks);
        before.push(...(options?.before ?? []));
      },
    };
    let output: unknown;
    const running = reg.handler.run(ctx, h.input);
    running.catch(() => {}); // a timed-out attempt may still reject later
    try {
      output = await withTimeout(running, reg.handler.timeoutMs, ac);
    } finally {
      state.open = false;
    }
    return this.complete(tx, h, output, added, before, chain);
  }

  /** Tasks leased by completions beyond what this node's queue takes go back to any node, in the same transaction. */
  private async handBack(tx: Tx, done: Completed): Promise<void> {
    const room = Math.max(0, this.concurrency - this.queue.length);
    if (done.dependents.length <= room) return;
    const back = done.dependents.splice(room);
    await tx.query(Q.HAND_BACK, [back.map((d) => d.id), this.nodeId]);
    done.readied += back.length;
  }

  /** Whether `h` may run in the transaction of the completion that made it ready. */
  private chainable(h: Held): boolean {
    const reg = this.handlers.get(h.kind);
    if (!reg?.handler.chainable || h.mode !== 'run') return false;
    try {
      return reg.handler.chainable(h.input, h.run);
    } catch {
      return false;
    }
  }

  /**
   * Runs the chainable tasks this completion leased here in the same transaction.
   * Chained tasks rarely fail, so the first pass takes no savepoints (two round
   * trips per task): a failure undoes the whole transaction (ChainBroken) and
   * the chain runs again guarded, each task behind a savepoint, stopping at the
   * task that failed, whose failure then counts as its attempt. In the guarded
   * pass a failure rolls back that task only (its events and hooks with it),
   * ends the chain, and is handled as a failed attempt once the tasks before it
   * have committed.
   */
  private async runChain(
    tx: Tx, done: Completed, failed: Array<{ h: Held; reg: Registered; e: unknown }>, broken: ChainBroken | undefined, chain: ChainTx | undefined,
  ): Promise<void> {
    const until = performance.now() + this.chainBudgetMs;
    while (!done.next && !this.stopping && performance.now() < until) {
      const i = this.chain ? done.dependents.findIndex((d) => this.chainable(d)) : -1;
      if (i < 0) return;
      const d = done.dependents.splice(i, 1)[0]!;
      const reg = this.handlers.get(d.kind)!;
      if (!broken) {
        let next: Completed;
        try {
          next = await this.attempt(tx, d, reg, chain);
        } catch (e) {
          throw new ChainBroken(d.id, e);
        }
        done.dependents.push(...next.dependents);
        done.readied += next.readied;
        done.next = next.next;
        continue;
      }
      if (d.id === broken.taskId) {
        if (!(broken.error instanceof LeaseLost)) failed.push({ h: d, reg, e: broken.error });
        return;
      }
      await tx.query('SAVEPOINT workflow_chain');
      const b = buffered(tx);
      try {
        const next = await this.attempt(b.tx, d, reg);
        await tx.query('RELEASE SAVEPOINT workflow_chain');
        b.flush();
        done.dependents.push(...next.dependents);
        done.readied += next.readied;
        done.next = next.next;
      } catch (e) {
        await tx.query('ROLLBACK TO SAVEPOINT workflow_chain');
        if (!(e instanceof LeaseLost)) failed.push({ h: d, reg, e });
        return;
      }
    }
  }

  /**
   * The completion, in the attempt's transaction: add what the task discovered,
   * mark it done, release what waited for it. In a chain, once the first
   * completion holds the run's lock, the next ones are counted in memory
   * (HeldRun) and written with the transaction's next statement.
   */
  private async complete(tx: Tx, h: Held, output: unknown, added: TaskSpec[], before: string[], chain?: ChainTx): Promise<Completed> {
    // with chaining on, what this completion readies is leased here (a chainable task runs at once);
    // what is not chained and does not fit the queue is handed back before the commit (handBack)
    const mayTake = this.owner !== null && (this.chain || this.queue.length < this.concurrency);
    const heldRun = chain?.run;
    if (!added.length && heldRun?.runId === h.runId && heldRun.holds(h.id)) {
      const r = heldRun.complete(tx, h.id, h.key, output, mayTake);
      const dependents = r.leased.map((row) => held(row, h.run, 'run'));
      if (heldRun.open > 0) return { dependents, readied: r.readied, next: undefined };
      // the run's last task, its lock held all along: it succeeds (its end reads the tasks, after the write of the completions)
      chain!.run = undefined;
      await this.endRun(tx, { ...h.run, status: 'running', open: 0, error: null, outcome: null }, 'succeeded', {});
      return { dependents, readied: r.readied, next: undefined };
    }
    if (!added.length) {
      // the common case, one round trip: the run's lock, the task done, its dependents counted off, and
      // (for a chain) the tasks still waiting, read once the lock is held
      const withGraph = chain !== undefined && this.chain && mayTake;
      const results = await tx.queriesBeside(
        [[Q.COMPLETE_LOCKING_RUN, [h.id, this.nodeId, JSON.stringify(output ?? null), mayTake, this.leaseMs, h.runId]], ...(withGraph ? [[Q.RUN_GRAPH, [h.runId]] as const] : [])],
        // completions of another run counted in memory go first (the task's own writes stay queued)
        heldRun !== undefined,
      );
      const rows = results[0]!.rows as Array<TaskRow & { run_status: RunStatus | null; run_open: number | null; completed: number; readied: number }>;
      const first = rows[0]!;
      if (first.run_status === null) throw new Error(`run ${h.runId} no longer exists`);
      if (first.completed === 0) throw new LeaseLost(h.key);
      const taken = rows.filter((r) => r.id);
      const dependents = taken.map((r) => held(r, h.run, 'run'));
      const next = first.run_status !== 'running' || first.run_open! <= 0 ? await this.advance(tx, h.runId) : undefined;
      if (chain) {
        chain.run = withGraph && !next && first.run_status === 'running' && first.run_open! > 0
          ? new HeldRun(h.runId, first.run_open!, results[1]!.rows as Array<GraphRow & { db_now: Date }>, taken, this.nodeId, this.leaseMs)
          : undefined;
      }
      return { dependents, readied: first.readied, next };
    }
    // tasks added: the run changes shape, so a chain reads it again at its next completion
    if (chain) chain.run = undefined;
    const outputJson = JSON.stringify(output ?? null);
    const lock = (await tx.query<{ status: RunStatus; open: number }>(Q.LOCK_RUN_FOR_COMPLETION, [h.runId, added.length])).rows[0];
    if (!lock) throw new Error(`run ${h.runId} no longer exists`);
    const running = lock.status === 'running';
    // a graph that cannot be added fails the same way on every attempt: a bug in the task, not a transient fault
    let readied = await this.insertAdded(tx, h, added, before, running).catch((e: unknown) => {
      throw e instanceof pg.DatabaseError ? e : new NonRetryableError(errorText(e), { cause: e });
    });
    const rows = (
      await tx.query<TaskRow & { completed: number; readied: number }>(Q.COMPLETE, [h.id, this.nodeId, outputJson, running && mayTake, this.leaseMs])
    ).rows;
    if (!rows[0] || rows[0].completed === 0) throw new LeaseLost(h.key);
    readied += rows[0].readied;
    const dependents = rows.filter((r) => r.id).map((r) => held(r, h.run, 'run'));
    let next: Held | undefined;
    if (!running || lock.open <= 0) next = await this.advance(tx, h.runId);
    return { dependents, readied, next };
  }

  private async insertAdded(tx: Tx, h: Held, added: TaskSpec[], before: string[], running: boolean): Promise<number> {
    checkGraph(added);
    const keys = new Set(added.map((t) => t.key));
    for (const t of added) {
      for (const d of t.dependsOn ?? []) if (before.includes(d)) throw new Error(`added task '${t.key}' depends on '${d}', which waits for it`);
    }
    const outside = [...new Set(added.flatMap((t) => t.dependsOn ?? []))].filter((d) => !keys.has(d) && d !== h.key);
    const known = [...new Set([...outside, ...before])];
    if (known.length) {
      const unknown = (await tx.query<{ k: string }>(Q.UNKNOWN_KEYS, [h.runId, known])).rows.map((r) => r.k);
      if (unknown.length) throw new Error(`added tasks name unknown tasks: ${unknown.join(', ')}`);
    }
    const taken = (await tx.query<{ key: string }>(Q.EXISTING_KEYS, [h.runId, [...keys]])).rows.map((r) => r.key);
    if (taken.length) throw new Error(`added tasks reuse keys of the run: ${taken.join(', ')}`);
    const rows = added.map((t) => this.taskRow(t));
    const inserted = (await tx.query<{ status: TaskStatus }>(Q.INSERT_TASKS, [h.runId, JSON.stringify(rows), running])).rows;
    if (before.length && running) {
      const blocked = (await tx.query<{ key: string }>(Q.ADD_BLOCKERS, [h.runId, before, [...keys]])).rows;
      if (blocked.length !== new Set(before).size) {
        throw new Error(`tasks ${before.join(', ')} must all be pending to wait for added tasks; only ${blocked.map((b) => b.key).join(', ') || 'none'} are`);
      }
    }
    return inserted.filter((r) => r.status === 'ready').length;
  }

  private async attemptFailed(h: Held, reg: Registered, e: unknown): Promise<void> {
    const message = errorText(e);
    const last = e instanceof NonRetryableError || h.attempt >= reg.retry.maxAttempts;
    const delay = last ? 0 : backoff(reg.retry, h.attempt);
    this.log('warn', last ? 'workflow: task failed' : 'workflow: task attempt failed, retrying', { task: h.key, run: h.runId, attempt: h.attempt, error: message });
    const next = await this.db.tx(async (tx) => {
      const run = (await tx.query<RunRow>(Q.LOCK_RUN, [h.runId])).rows[0];
      if (!run) return undefined;
      const running = run.status === 'running';
      if (!last) {
        const r = (await tx.query<{ status: TaskStatus }>(Q.RETRY_LATER, [h.id, this.nodeId, message, running, delay])).rows[0];
        return r?.status === 'skipped' ? this.advance(tx, h.runId) : undefined;
      }
      const failed = (await tx.query(Q.FAIL_TASK, [h.id, this.nodeId, message, 'running'])).rows[0];
      if (!failed) return undefined;
      if (running) {
        const error = `${h.key}: ${message}`;
        await tx.query(Q.SET_RUN_STATUS, [h.runId, 'compensating', error, JSON.stringify({ error, failedTask: h.key })]);
        await tx.query(Q.SKIP_UNSTARTED, [h.runId]);
      }
      return this.advance(tx, h.runId);
    });
    if (!last) this.wakeIn(delay);
    this.afterAdvance(next);
  }

  // --- compensation --------------------------------------------------------------------------

  private async compensateTask(h: Held): Promise<void> {
    const reg = this.handlers.get(h.kind);
    if (!reg) {
      await this.release(h.id, h.runId, true);
      return;
    }
    const state = { open: true };
    const ac = new AbortController();
    let next: Held | undefined;
    try {
      next = await this.db.tx(async (tx) => {
        const ctx: CompensationContext = {
          tx: guard(tx, state), run: h.run, task: { id: h.id, key: h.key, kind: h.kind, etomTask: h.etomTask },
          attempt: h.attempt, idempotencyKey: `${h.id}:compensate`, signal: ac.signal,
        };
        try {
          if (reg.handler.compensate) {
            const undoing = reg.handler.compensate(ctx, h.input, h.output);
            undoing.catch(() => {});
            await withTimeout(undoing, reg.handler.timeoutMs, ac);
          }
        } finally {
          state.open = false;
        }
        await tx.query(Q.LOCK_RUN, [h.runId]);
        const done = (await tx.query(Q.COMPENSATED, [h.id, this.nodeId])).rows[0];
        if (!done) throw new LeaseLost(h.key);
        return this.advance(tx, h.runId);
      });
    } catch (e) {
      if (e instanceof LeaseLost) return;
      await this.compensationFailed(h, reg, e);
      return;
    }
    this.afterAdvance(next);
  }

  private async compensationFailed(h: Held, reg: Registered, e: unknown): Promise<void> {
    const message = errorText(e);
    const last = e instanceof NonRetryableError || h.attempt >= reg.retry.maxAttempts;
    this.log(last ? 'error' : 'warn', last ? 'workflow: compensation failed; the run stays failed' : 'workflow: compensation attempt failed, retrying', {
      task: h.key, run: h.runId, attempt: h.attempt, error: message,
    });
    if (!last) {
      const delay = backoff(reg.retry, h.attempt);
      await this.db.query(Q.RETRY_COMPENSATION, [h.id, this.nodeId, message, delay]);
      this.wakeIn(delay);
      return;
    }
    await this.db.tx(async (tx) => {
      const run = (await tx.query<RunRow>(Q.LOCK_RUN, [h.runId])).rows[0];
      if (!run || TERMINAL.has(run.status)) return;
      const failed = (await tx.query(Q.FAIL_TASK, [h.id, this.nodeId, `compensation failed: ${message}`, 'compensating'])).rows[0];
      if (!failed) return;
      const left = (await tx.query<{ key: string }>(Q.DONE_KEYS, [h.runId])).rows.map((r) => r.key);
      await this.endRun(tx, run, 'failed', { ...run.outcome, compensationError: `${h.key}: ${message}`, notCompensated: [h.key, ...left] });
    });
  }

  /**
   * Moves a run that is not simply running forward, its lock held: once nothing
   * is in flight, leases the next task to undo (the last one done), or ends the
   * run when nothing is left. A running run with no open task succeeds.
   */
  private async advance(tx: Tx, runId: string): Promise<Held | undefined> {
    const run = (await tx.query<RunRow>(Q.LOCK_RUN, [runId])).rows[0];
    if (!run || TERMINAL.has(run.status)) return undefined;
    if (run.status === 'running') {
      if (run.open <= 0) await this.endRun(tx, run, 'succeeded', {});
      return undefined;
    }
    const flight = (await tx.query<{ running: number; compensating: number }>(Q.IN_FLIGHT, [runId])).rows[0]!;
    if (flight.running > 0 || flight.compensating > 0) return undefined;
    const owner = this.owner;
    const next = (await tx.query<TaskRow>(Q.NEXT_COMPENSATION, [runId, owner, this.leaseMs])).rows[0];
    if (next) return owner ? held(next, runInfo(run), 'compensate') : undefined;
    await tx.query(Q.SETTLE_UNCOMPENSABLE, [runId]);
    await this.endRun(tx, run, run.status === 'cancelling' ? 'cancelled' : 'failed', run.outcome ?? {});
    return undefined;
  }

  /**
   * Ends the run and calls its onRunEnd handler in the same transaction. A
   * handler that throws undoes the end (to a savepoint): the run is ended again
   * later by the sweep, so the handler's effects happen exactly once.
   */
  private async endRun(tx: Tx, run: RunRow, status: RunEndContext['status'], outcome: RunOutcome): Promise<void> {
    const handler = this.runEndHandlers.get(run.type);
    if (!handler) {
      await tx.query(Q.END_RUN, [run.id, status, JSON.stringify(outcome)]);
      return;
    }
    await tx.query('SAVEPOINT workflow_run_end');
    const b = buffered(tx);
    try {
      // the end, and the tasks as it leaves them, in one round trip
      const [, read] = await tx.queriesBeside([[Q.END_RUN, [run.id, status, JSON.stringify(outcome)]], [Q.RUN_TASKS, [run.id]]], true);
      const tasks = (read!.rows as TaskResultRow[]).map(taskResult);
      await handler({ tx: b.tx, run: runInfo(run), status, outcome, tasks });
      await tx.query('RELEASE SAVEPOINT workflow_run_end');
      b.flush();
    } catch (e) {
      await tx.query('ROLLBACK TO SAVEPOINT workflow_run_end');
      this.log('error', 'workflow: onRunEnd failed; the run will be ended again', { run: run.id, type: run.type, error: errorText(e) });
    }
  }

  // --- sweeps --------------------------------------------------------------------------------

  /** Gives a held task back: to run again (its run still runs), skipped (it does not), or to be compensated by any node. */
  private async release(taskId: string, runId: string, mine: boolean): Promise<void> {
    const r = await this.db.tx(async (tx) => {
      const run = (await tx.query<RunRow>(Q.LOCK_RUN, [runId])).rows[0];
      if (!run) return { status: undefined, next: undefined };
      const row = (await tx.query<{ status: TaskStatus }>(Q.RELEASE, [taskId, mine ? this.nodeId : null, run.status === 'running', mine])).rows[0];
      const next = row && row.status !== 'ready' ? await this.advance(tx, runId) : undefined;
      return { status: row?.status, next };
    });
    if (r.status === 'ready' || r.status === 'compensating') this.madeReady(1);
    this.afterAdvance(r.next);
  }

  private async sweepExpired(): Promise<void> {
    const rows = (await this.db.query<{ id: string; run_id: string }>(Q.EXPIRED)).rows;
    for (const r of rows) {
      if (this.holding.has(r.id)) continue;
      this.log('info', 'workflow: taking over a task whose node stopped renewing its lease', { task: r.id, run: r.run_id });
      await this.release(r.id, r.run_id, false);
    }
  }

  private async unstick(): Promise<void> {
    const rows = (await this.db.query<{ id: string }>(Q.STUCK_RUNS)).rows;
    for (const r of rows) {
      const next = await this.db.tx((tx) => this.advance(tx, r.id));
      this.afterAdvance(next);
    }
  }

  private async raiseJeopardy(): Promise<void> {
    const rows = (await this.db.query<{ id: string }>(Q.JEOPARDY_CANDIDATES)).rows;
    for (const { id } of rows) {
      await this.db
        .tx(async (tx) => {
          const j = (
            await tx.query<{
              id: string; key: string; kind: string; status: TaskStatus; etom_task: string | null; expected_ms: number; started_at: Date;
              attempts: number; run_id: string; run_type: string; run_subject: string | null; run_input: unknown; elapsed_ms: number;
            }>(Q.RAISE_JEOPARDY, [id])
          ).rows[0];
          if (!j) return;
          const handler = this.jeopardyHandlers.get(j.run_type);
          this.log('warn', 'workflow: task in jeopardy', { task: j.key, run: j.run_id, expectedMs: j.expected_ms, elapsedMs: Math.round(j.elapsed_ms) });
          if (!handler) return;
          await handler({
            tx,
            run: { id: j.run_id, type: j.run_type, subject: j.run_subject, input: j.run_input },
            task: { id: j.id, key: j.key, kind: j.kind, etomTask: j.etom_task, status: j.status, expectedMs: j.expected_ms, startedAt: j.started_at, attempts: j.attempts },
            elapsedMs: j.elapsed_ms,
          });
        })
        .catch((e) => this.log('error', 'workflow: onJeopardy failed; it will be raised again', { task: id, error: errorText(e) }));
    }
  }
}

function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 0) throw new Error('limit must be a non-negative integer');
  return Math.min(limit, max);
}

function taskFilterParams(f: TaskFilter): unknown[] {
  const statuses = f.status === undefined ? null : typeof f.status === 'string' ? [f.status] : [...f.status];
  return [f.runId ?? null, f.runType ?? null, f.subject ?? null, f.kind ?? null, f.etomTask ?? null, statuses, f.since ?? null, f.until ?? null];
}

interface TaskResultRow {
  id: string;
  key: string;
  kind: string;
  status: TaskStatus;
  output: unknown;
  error: string | null;
  attempts: number;
  compensation_attempts: number;
  etom_task: string | null;
  depends_on: string[];
  started_at: Date | null;
  ended_at: Date | null;
  jeopardy_raised_at: Date | null;
}

function taskResult(t: TaskResultRow): TaskResult {
  return {
    key: t.key, kind: t.kind, status: t.status, output: t.output, error: t.error, attempts: t.attempts,
    etomTask: t.etom_task, startedAt: t.started_at, endedAt: t.ended_at,
  };
}
