import type { Tx } from '@operon/store';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelling' | 'cancelled' | 'compensating';
export type TaskStatus = 'pending' | 'ready' | 'running' | 'done' | 'failed' | 'compensating' | 'compensated' | 'skipped';

/** One task of a run, as the flow describes it (at start, or at run time with `ctx.addTasks`). */
export interface TaskSpec {
  /** Unique within the run, e.g. `reserve:rfs-2`. */
  key: string;
  /** A registered kind: which handler runs it. */
  kind: string;
  /** JSON (stored as jsonb). */
  input?: unknown;
  /** Keys of the tasks it waits for. */
  dependsOn?: readonly string[];
  /** The eTOM L3 task it performs (recorded for the KPIs). */
  etomTask?: string;
  /** Past this duration from its start, `onJeopardy` is called once. */
  expectedMs?: number;
}

export interface RunSpec {
  /** A run id chosen by the caller (e.g. to find it again); a new one otherwise. */
  id?: string;
  type: string;
  /** What the run is about, e.g. the product order id. */
  subject?: string;
  input?: unknown;
  tasks: readonly TaskSpec[];
}

export interface RunInfo {
  id: string;
  type: string;
  subject: string | null;
  input: unknown;
}

export interface TaskInfo {
  id: string;
  key: string;
  kind: string;
  etomTask: string | null;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles after each failure. */
  baseMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
}

interface AttemptContext {
  /**
   * The attempt's transaction: its writes commit together with the task's
   * completion (or compensation), exactly once, and vanish if the attempt fails.
   */
  tx: Tx;
  run: RunInfo;
  task: TaskInfo;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Stable across attempts and nodes: what an external system needs to make a
   * repeated call harmless (a task can run again after its node died).
   */
  idempotencyKey: string;
  /** Aborted when the attempt times out. */
  signal: AbortSignal;
}

export interface TaskContext extends AttemptContext {
  /**
   * Grows the graph: the tasks are added when this task completes, in the same
   * commit. They may depend on this task, on each other, or on tasks of the run;
   * `before` names pending tasks that must also wait for them.
   */
  addTasks(tasks: readonly TaskSpec[], options?: { before?: readonly string[] }): void;
}

export type CompensationContext = AttemptContext;

export interface TaskHandler<I = unknown, O = unknown> {
  /** What it returns (JSON) is the task's output, stored with its completion. */
  run(ctx: TaskContext, input: I): Promise<O>;
  /** Undoes what `run` did (its `output` is what it returned); without it the task has nothing to undo. */
  compensate?(ctx: CompensationContext, input: I, output: O): Promise<void>;
  /**
   * The task only works in the database, or with a peer that answers at once:
   * made ready by a completion on this node, it may run in that completion's
   * transaction instead of a transaction of its own (see the engine's
   * chaining). Leave unset for anything that may wait (a network call with
   * think time), so that it neither holds locks while waiting nor delays its
   * parallel siblings.
   */
  chainable?(input: I, run: RunInfo): boolean;
  retry?: Partial<RetryPolicy>;
  /** An attempt running longer fails (and is retried). */
  timeoutMs?: number;
}

export interface TaskResult {
  key: string;
  kind: string;
  status: TaskStatus;
  output: unknown;
  error: string | null;
  attempts: number;
  etomTask: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface RunOutcome {
  /** The first failure, as `task key: message`. */
  error?: string;
  failedTask?: string;
  /** Why the run was cancelled. */
  reason?: string;
  /** A compensation that kept failing: the run stays failed with what is left undone. */
  compensationError?: string;
  notCompensated?: string[];
}

export interface RunEndContext {
  /** The transaction that ends the run: what the handler writes commits with the end. */
  tx: Tx;
  run: RunInfo;
  status: 'succeeded' | 'failed' | 'cancelled';
  outcome: RunOutcome;
  tasks: TaskResult[];
}

export interface JeopardyContext {
  /** Writes commit together with the record that the jeopardy was raised (once). */
  tx: Tx;
  run: RunInfo;
  task: TaskInfo & { status: TaskStatus; expectedMs: number; startedAt: Date; attempts: number };
  elapsedMs: number;
}

export interface RunView extends RunInfo {
  status: RunStatus;
  outcome: RunOutcome | null;
  error: string | null;
  createdAt: Date;
  endedAt: Date | null;
  tasks: Array<TaskResult & { id: string; dependsOn: string[]; jeopardyRaisedAt: Date | null; compensationAttempts: number }>;
}

/** Thrown by a task to fail at once, without retries (e.g. no capacity left in a pool). */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export type WorkflowLog = (level: 'info' | 'warn' | 'error', msg: string, detail?: Record<string, unknown>) => void;

/** Which runs `listRuns` returns; every field narrows. */
export interface RunFilter {
  type?: string;
  status?: RunStatus | readonly RunStatus[];
  subject?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  /** At most 1000 (default 100), newest first. */
  limit?: number;
  offset?: number;
}

export interface RunSummary {
  id: string;
  type: string;
  subject: string | null;
  status: RunStatus;
  error: string | null;
  createdAt: Date;
  endedAt: Date | null;
  /** From creation to end; null while it runs. */
  durationMs: number | null;
  tasks: number;
  tasksDone: number;
}

/** Which tasks `listTasks` and `etomDurations` consider; every field narrows. */
export interface TaskFilter {
  runId?: string;
  runType?: string;
  subject?: string;
  kind?: string;
  etomTask?: string;
  status?: TaskStatus | readonly TaskStatus[];
  /** Started at or after. */
  since?: Date;
  /** Started before. */
  until?: Date;
  /** At most 10,000 (default 1000), in order of start. Not used by `etomDurations`. */
  limit?: number;
  offset?: number;
}

export interface TaskRecord {
  runId: string;
  runType: string;
  subject: string | null;
  key: string;
  kind: string;
  status: TaskStatus;
  etomTask: string | null;
  attempts: number;
  error: string | null;
  /** The first attempt's start (retries included in the duration). */
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  expectedMs: number | null;
  jeopardyRaisedAt: Date | null;
}

/** Durations of the tasks that ran to completion (done or later compensated), per eTOM task. */
export interface EtomDuration {
  etomTask: string;
  /** Tasks that completed. */
  count: number;
  /** Tasks that failed for good. */
  failed: number;
  p50Ms: number;
  p90Ms: number;
  meanMs: number;
  maxMs: number;
  jeopardies: number;
}
