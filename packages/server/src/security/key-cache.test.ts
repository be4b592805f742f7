import { describe, expect, it } from 'vitest';
import { KeyCache, type KeyLookup } from './key-cache.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setUp() {
  let now = 1_000_000;
  const cache = new KeyCache<string | undefined>({ ttlMs: 5_000, refreshAheadMs: 1_000, maxEntries: 3, now: () => now });
  const pending: Array<ReturnType<typeof deferred<KeyLookup<string | undefined>>>> = [];
  let lookups = 0;
  const lookup = () => {
    lookups++;
    const d = deferred<KeyLookup<string | undefined>>();
    pending.push(d);
    return d.promise;
  };
  return {
    cache, lookup, pending,
    lookups: () => lookups,
    advance: (ms: number) => void (now += ms),
    now: () => now,
  };
}

describe('the API key cache', () => {
  it('looks a key up once, however many requests present it while the lookup runs', async () => {
    const t = setUp();
    const all = Promise.all([1, 2, 3, 4, 5].map(() => t.cache.get('k', t.lookup)));
    expect(t.lookups()).toBe(1);
    t.pending[0]!.resolve({ value: 'admin' });
    expect(await all).toEqual(['admin', 'admin', 'admin', 'admin', 'admin']);
    expect(await t.cache.get('k', t.lookup)).toBe('admin');
    expect(t.lookups()).toBe(1);
  });

  it('refreshes a key in use in the background before its entry runs out, so no request waits', async () => {
    const t = setUp();
    const first = t.cache.get('k', t.lookup);
    t.pending[0]!.resolve({ value: 'v1' });
    await first;
    t.advance(4_200); // inside the last second: answered from the entry, and one refresh starts
    expect(await t.cache.get('k', t.lookup)).toBe('v1');
    expect(await t.cache.get('k', t.lookup)).toBe('v1');
    expect(t.lookups()).toBe(2);
    t.pending[1]!.resolve({ value: 'v2' });
    await t.pending[1]!.promise;
    await Promise.resolve();
    t.advance(1_000); // past the first entry's end: the refreshed one answers
    expect(await t.cache.get('k', t.lookup)).toBe('v2');
    expect(t.lookups()).toBe(2);
  });

  it('stops answering for a revoked key within its time to live', async () => {
    const t = setUp();
    const first = t.cache.get('k', t.lookup);
    t.pending[0]!.resolve({ value: 'admin' });
    await first;
    t.advance(5_000);
    const after = t.cache.get('k', t.lookup);
    t.pending[1]!.resolve({ value: undefined });
    expect(await after).toBeUndefined();
  });

  it('keeps an entry no longer than the credential is valid', async () => {
    const t = setUp();
    const first = t.cache.get('k', t.lookup);
    t.pending[0]!.resolve({ value: 'soon', expiresAt: t.now() + 1_500 });
    await first;
    t.advance(1_600);
    const again = t.cache.get('k', t.lookup);
    expect(t.lookups()).toBe(2);
    t.pending[1]!.resolve({ value: undefined });
    expect(await again).toBeUndefined();
  });

  it('passes a failed lookup to every request waiting on it, and tries again on the next', async () => {
    const t = setUp();
    const a = t.cache.get('k', t.lookup);
    const b = t.cache.get('k', t.lookup);
    t.pending[0]!.reject(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    const c = t.cache.get('k', t.lookup);
    expect(t.lookups()).toBe(2);
    t.pending[1]!.resolve({ value: 'admin' });
    expect(await c).toBe('admin');
  });

  it('starts again when full, so that made-up secrets cannot grow it without bound', async () => {
    const t = setUp();
    for (const k of ['a', 'b', 'c', 'd']) {
      const p = t.cache.get(k, t.lookup);
      t.pending.at(-1)!.resolve({ value: undefined });
      await p;
    }
    expect(t.lookups()).toBe(4);
    const d = t.cache.get('d', t.lookup);
    expect(t.lookups()).toBe(4); // 'd' was kept
    await d;
    const a = t.cache.get('a', t.lookup);
    expect(t.lookups()).toBe(5); // 'a' went with the rest
    t.pending.at(-1)!.resolve({ value: undefined });
    await a;
  });
});
