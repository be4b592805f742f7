/**
 * Per-caller token buckets: each principal (or, before it is known, each
 * address) may make `perSecond` requests a second on average and up to
 * `burst` at once. In memory per node: behind a load balancer the limit
 * applies per node, which is what protects each node.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweeps = 0;

  constructor(private readonly perSecond: number, private readonly burst: number) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Takes one token; when none is left, the seconds until one is. */
  take(who: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (!this.enabled) return { ok: true };
    let b = this.buckets.get(who);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(who, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (++this.sweeps % 10_000 === 0) this.sweep(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  /** Forgets callers whose bucket has long been full again. */
  private sweep(now: number): void {
    const full = (this.burst / this.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at > full) this.buckets.delete(k);
  }
}
