/**
 * A run whose lock a chain's transaction holds. Once the chain's first
 * completion has taken the lock, nothing else can change the run's tasks
 * before the commit (completions, added tasks, cancellation and the sweeps all
 * take the lock first; a claim only takes tasks already ready), so the tasks
 * the chain completes next are counted off in memory, from the tasks still
 * waiting as read right after the lock was taken. What they change is one
 * write queued ahead of the transaction's next statement (Tx.writeWithNext),
 * rewritten in place while it waits: a chain of ten completions costs the
 * round trip of the first, not ten.
 */
import { JsonParam, type Tx } from '@operon/store';
import { WRITE_HELD_COMPLETIONS, type TaskRow } from './sql.ts';

/** A task of the run as RUN_GRAPH returns it: with what it waits for. */
export interface GraphRow extends TaskRow {
  depends_on?: string[];
  waiting?: number;
}

/** A task's row as the chain leaves it, as WRITE_HELD_COMPLETIONS writes it. */
interface RowState {
  id: string;
  status: 'pending' | 'ready' | 'running' | 'done';
  output: unknown;
  waiting: number;
  leased: boolean;
  attempts: number;
  started_at: string | null;
  ended_at: string | null;
  /** Place in the order of completion; null while not done. */
  ord: number | null;
}

export class HeldRun {
  /** Tasks still waiting, by id, and the ids of those waiting for a key. */
  private readonly waiting = new Map<string, { row: GraphRow; state: RowState }>();
  private readonly waitingFor = new Map<string, string[]>();
  /** Tasks this transaction leased (by the completion that took the lock, or here). */
  private readonly held = new Map<string, RowState>();
  /** Rows changed since the write last sent, and the tasks done meanwhile. */
  private batch = new Map<string, RowState>();
  private batchDone = 0;
  private completed = 0;
  /** The database's clock less this process's, so times written here read as the database's own. */
  private readonly clockOffset: number;
  private readonly tag: string;

  constructor(
    readonly runId: string,
    /** Tasks of the run not yet done (workflow_run.open), as this transaction leaves it. */
    public open: number,
    graph: ReadonlyArray<GraphRow & { db_now: Date }>,
    leased: ReadonlyArray<GraphRow>,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {
    this.clockOffset = graph.length ? graph[0]!.db_now.getTime() - Date.now() : 0;
    this.tag = `workflow_run:${runId}:completions`;
    for (const row of graph) {
      if (!row.id) continue;
      const state: RowState = {
        id: row.id, status: 'pending', output: null, waiting: row.waiting ?? 0, leased: false, attempts: row.attempts,
        started_at: null, ended_at: null, ord: null,
      };
      this.waiting.set(row.id, { row, state });
      for (const k of new Set(row.depends_on ?? [])) {
        const ids = this.waitingFor.get(k);
        if (ids) ids.push(row.id);
        else this.waitingFor.set(k, [row.id]);
      }
    }
    for (const row of leased) {
      this.held.set(row.id, {
        id: row.id, status: 'running', output: null, waiting: 0, leased: true, attempts: row.attempts, started_at: null, ended_at: null, ord: null,
      });
    }
  }

  /** Whether this transaction leased the task, so that its completion can be counted here. */
  holds(taskId: string): boolean {
    return this.held.has(taskId);
  }

  /**
   * Completes a task this transaction holds: done, the run's open count less
   * one, and what waited only for it leased here (`take`) or made ready for
   * any node. Returns the tasks leased here, as the database would (attempts
   * counted), and how many were made ready.
   */
  complete(tx: Tx, taskId: string, key: string, output: unknown, take: boolean): { leased: GraphRow[]; readied: number } {
    const state = this.held.get(taskId);
    if (!state) throw new Error(`task ${taskId} is not held by this transaction`);
    if (!tx.queuedWrite(this.tag)) {
      // the last write has gone (or a savepoint came after it): what changes now goes in a new one
      this.batch = new Map();
      this.batchDone = 0;
    }
    this.held.delete(taskId);
    const at = this.now();
    Object.assign(state, { status: 'done', output: output ?? null, leased: false, ended_at: at, ord: this.completed++ });
    this.batch.set(state.id, state);
    this.batchDone++;
    this.open--;
    const leased: GraphRow[] = [];
    let readied = 0;
    for (const id of this.waitingFor.get(key) ?? []) {
      const w = this.waiting.get(id);
      if (!w) continue;
      w.state.waiting--;
      if (w.state.waiting === 0) {
        this.waiting.delete(id);
        if (take) {
          Object.assign(w.state, { status: 'running', leased: true, attempts: w.state.attempts + 1, started_at: at });
          this.held.set(id, w.state);
          leased.push({ ...w.row, status: 'running', attempts: w.state.attempts });
        } else {
          w.state.status = 'ready';
          readied++;
        }
      }
      this.batch.set(w.state.id, w.state);
    }
    this.write(tx);
    return { leased, readied };
  }

  private now(): string {
    return new Date(Date.now() + this.clockOffset).toISOString();
  }

  /** The queued write takes the rows as they now are (copies: a write that has gone keeps what it sent). */
  private write(tx: Tx): void {
    const rows = [...this.batch.values()].map((s) => ({ ...s }));
    const params = [new JsonParam(rows), this.nodeId, this.leaseMs, this.batchDone, this.runId, rows.length + (this.batchDone > 0 ? 1 : 0)];
    const queued = tx.queuedWrite(this.tag);
    if (queued) queued.params = params;
    else tx.writeWithNext(WRITE_HELD_COMPLETIONS, params, undefined, this.tag);
  }
}
