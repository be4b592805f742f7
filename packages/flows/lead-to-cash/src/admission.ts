/**
 * Admission of orders into fulfilment. Under overload, starting every
 * captured order at once makes every run share the machine: each advances a
 * step at a time behind all the others, none completes for a long while, and
 * more work is done per order (chains broken by the budget, tasks handed back
 * and claimed again). With at most `limit` runs in flight across all nodes,
 * the orders beyond wait `acknowledged` — which is what the state means — and
 * the admitted ones complete at the platform's pace.
 */

export interface AdmissionOptions {
  /** Runs in flight (started, not ended) across every node; undefined: no limit. */
  limit: () => number | undefined;
  /** Counts the runs in flight across every node (one statement). */
  count: () => Promise<number>;
  /** How often waiting orders look for room (against the estimate, no statement). */
  pollMs?: number;
  /**
   * How long the estimate stands before the runs are counted again. Between
   * counts it follows the runs this node starts and ends; runs other nodes end
   * show at the next count.
   */
  recountMs?: number;
  /**
   * Longest an order waits: past it, it is admitted anyway, so that runs stuck
   * on an unresponsive network cannot hold every new order back for good.
   */
  maxWaitMs?: number;
}

interface Waiter {
  since: number;
  resolve: () => void;
}

export class Admission {
  private readonly waiting: Waiter[] = [];
  /** Admitted, their runs being started. */
  private starting = 0;
  /** Runs started here, ever: a count tells which of them it may not have seen. */
  private started = 0;
  /** Runs in flight: counted at `at`, then followed here. */
  private estimate: { n: number; at: number } | undefined;
  private polling = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly recountMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: AdmissionOptions) {
    this.pollMs = options.pollMs ?? 20;
    this.recountMs = options.recountMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 5000;
  }

  /**
   * Waits for room, then holds a place until `leave` (call it once the run is
   * started, or was not needed). Never rejects: a failing count admits.
   */
  async enter(): Promise<void> {
    const limit = this.options.limit();
    if (limit === undefined || this.stopped) {
      this.starting++;
      return;
    }
    // the common case under normal load: the estimate leaves room, no wait and no statement
    const e = this.fresh();
    if (!this.waiting.length && e && e.n + this.starting < limit) {
      this.starting++;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiting.push({ since: Date.now(), resolve });
      if (!this.polling) void this.poll();
    });
  }

  /** The admitted order's run is started (`started`), or was not needed. */
  leave(started: boolean): void {
    this.starting = Math.max(0, this.starting - 1);
    if (!started) return;
    this.started++;
    if (this.estimate) this.estimate.n++;
  }

  /** A run ended on this node: room opened. */
  ended(): void {
    if (this.estimate) this.estimate.n = Math.max(0, this.estimate.n - 1);
    if (this.waiting.length && !this.polling) void this.poll();
  }

  /** Admits everyone waiting and every later order (the flow is stopping). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wakeUp?.();
    this.admit(this.waiting.length);
  }

  /** How many orders wait for room now (for tests and operators). */
  get queued(): number {
    return this.waiting.length;
  }

  private fresh(): { n: number; at: number } | undefined {
    return this.estimate && Date.now() - this.estimate.at < this.recountMs ? this.estimate : undefined;
  }

  private admit(n: number): void {
    for (const w of this.waiting.splice(0, n)) {
      this.starting++;
      w.resolve();
    }
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiting.length && !this.stopped) {
        const limit = this.options.limit();
        if (limit === undefined) {
          this.admit(this.waiting.length);
          break;
        }
        let e = this.fresh();
        if (!e) {
          try {
            // a run started while the count ran may be missing from it (its snapshot came first): it is added,
            // at worst counted twice until the next count, which only slows admission down
            const startedBefore = this.started;
            const n = await this.options.count();
            e = this.estimate = { n: n + (this.started - startedBefore), at: Date.now() };
          } catch {
            // better an order started beyond the limit than one left waiting on a broken count
            this.admit(this.waiting.length);
            break;
          }
        }
        this.admit(Math.max(0, limit - e.n - this.starting));
        // the longest waiters are let through: the limit is a pace, not a wall
        const now = Date.now();
        let overdue = 0;
        while (overdue < this.waiting.length && now - this.waiting[overdue]!.since >= this.maxWaitMs) overdue++;
        this.admit(overdue);
        if (!this.waiting.length || this.stopped) break;
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(resolve, this.pollMs);
        });
        this.wakeUp = undefined;
      }
    } finally {
      this.polling = false;
    }
  }
}
