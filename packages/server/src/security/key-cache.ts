/**
 * What a presented API key resolves to, kept for a few seconds so that a
 * request does not read the key table. A key's lookup is made once however
 * many requests present it at that moment, and a key in use is looked up again
 * shortly before its entry runs out, in the background, so that under steady
 * traffic no request waits for the table. A revoked key still stops working
 * within `ttlMs` (plus one lookup) of its revocation, on every node.
 */
export interface KeyLookup<V> {
  value: V;
  /** When the credential itself stops being valid (ms since the epoch), if it does. */
  expiresAt?: number;
}

export interface KeyCacheOptions {
  ttlMs: number;
  /** How long before an entry runs out a request starts its refresh. */
  refreshAheadMs: number;
  /** Entries kept at most; beyond it the cache starts again (presented secrets are caller-chosen). */
  maxEntries: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  until: number;
}

export class KeyCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(private readonly options: KeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `key` names the entry; `lookup` finds its value when the entry is missing, stale or due for refresh. */
  get(key: string, lookup: () => Promise<KeyLookup<V>>): Promise<V> {
    const hit = this.entries.get(key);
    const now = this.now();
    if (hit && hit.until > now) {
      // a failed refresh leaves the entry to run out; the next request then waits for its own lookup
      if (hit.until - now <= this.options.refreshAheadMs && !this.inFlight.has(key)) this.load(key, lookup).catch(() => {});
      return Promise.resolve(hit.value);
    }
    return this.inFlight.get(key) ?? this.load(key, lookup);
  }

  private load(key: string, lookup: () => Promise<KeyLookup<V>>): Promise<V> {
    const started = this.now();
    const p = lookup().then(
      (found) => {
        this.inFlight.delete(key);
        const until = Math.min(started + this.options.ttlMs, found.expiresAt ?? Infinity);
        if (this.entries.size >= this.options.maxEntries && !this.entries.has(key)) this.entries.clear();
        this.entries.set(key, { value: found.value, until });
        return found.value;
      },
      (e: unknown) => {
        this.inFlight.delete(key);
        throw e;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }
}
