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
  /** Counts the runs in flight (one statement, asked at most once per `pollMs` however many wait). */
  count: () => Promise<number>;
  /** How often the count is asked while orders wait. */
  pollMs?: number;
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
  /** Admitted but not yet counted: their runs are being started. */
  private starting = 0;
  /** The last count, and the runs this node started since (not in it yet). */
  private known: { n: number; at: number; since: number } | undefined;
  private polling = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: AdmissionOptions) {
    this.pollMs = options.pollMs ?? 20;
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
    // the common case under normal load: a recent count leaves room, no wait and no statement
    const k = this.known;
    if (!this.waiting.length && k && Date.now() - k.at < this.pollMs && k.n + k.since + this.starting < limit) {
      this.starting++;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiting.push({ since: Date.now(), resolve });
      if (!this.polling) void this.poll();
    });
  }

  /** The admitted order's run is started (or was not needed): it is now counted, or never will be. */
  leave(): void {
    this.starting = Math.max(0, this.starting - 1);
    if (this.known) this.known.since++;
  }

  /** A run ended here: room may have opened (counted at the next poll, at most `pollMs` away). */
  wake(): void {
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
        let n: number;
        try {
          n = await this.options.count();
        } catch {
          // better an order started beyond the limit than one left waiting on a broken count
          this.admit(this.waiting.length);
          break;
        }
        this.known = { n, at: Date.now(), since: 0 };
        const room = Math.max(0, limit - n - this.starting);
        this.admit(room);
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
