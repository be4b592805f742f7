import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@operon/kernel';
import { EventRelay, matchesHubQuery, parseHubQuery } from './relay.ts';
import type { RelayEvent } from './outbox.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

function event(resourceId: string, n: number) {
  return { api: 'test', eventType: 'ThingEvent', resourceType: 'Thing', resourceId, payload: { eventId: newId(), n, event: { thing: { id: resourceId } } } };
}

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hub query', () => {
  it('parses TMF630 notification filters and matches envelopes', () => {
    const c = parseHubQuery('eventType=AEvent,BEvent&event.order.state=completed');
    expect(matchesHubQuery(c, { eventType: 'AEvent', payload: { event: { order: { state: 'completed' } } } })).toBe(true);
    expect(matchesHubQuery(c, { eventType: 'CEvent', payload: { event: { order: { state: 'completed' } } } })).toBe(false);
    expect(matchesHubQuery(c, { eventType: 'BEvent', payload: { event: { order: { state: 'held' } } } })).toBe(false);
    expect(matchesHubQuery(parseHubQuery('event.o.item.id=7'), { eventType: 'X', payload: { event: { o: { item: [{ id: 6 }, { id: 7 }] } } } })).toBe(true);
    expect(matchesHubQuery(parseHubQuery(' eventType = AEvent '), { eventType: 'AEvent', payload: {} })).toBe(true);
    expect(parseHubQuery('')).toEqual([]);
    expect(() => parseHubQuery('eventType')).toThrow(/not of the form/);
    expect(() => parseHubQuery('a b=c')).toThrow(/not a valid condition/);
  });
});

describe('event relay', () => {
  it('delivers to in-process subscribers in commit order, even when transactions commit out of insertion order', async () => {
    const relay = new EventRelay(t.db, { pollMs: 50 });
    const got: RelayEvent[] = [];
    await relay.subscribe({ name: 'order-check', eventTypes: ['ThingEvent'], handle: async (e) => void got.push(e) });
    await relay.start();
    try {
      // A inserts first but commits last
      let releaseA!: () => void;
      const aHolding = new Promise<void>((r) => (releaseA = r));
      const a = t.db.tx(async (tx) => {
        tx.emit(event('A', 1));
        await tx.flush();
        await aHolding;
      });
      await new Promise((r) => setTimeout(r, 50));
      await t.db.tx(async (tx) => tx.emit(event('B', 1)));
      await until(() => got.length === 1);
      expect(got[0]!.resourceId).toBe('B');
      releaseA();
      await a;
      await until(() => got.length === 2);
      expect(got.map((e) => e.resourceId)).toEqual(['B', 'A']);
      expect(got[1]!.position).toBeGreaterThan(got[0]!.position);
    } finally {
      await relay.stop();
    }
  });

  it('starts a new subscriber at the head, or at the beginning when asked', async () => {
    const relay = new EventRelay(t.db, { pollMs: 50 });
    await relay.start();
    const head: string[] = [];
    const all: string[] = [];
    try {
      // 'now' is the head of what the relay has sequenced, so let it sequence OLD first
      await t.db.tx(async (tx) => tx.emit(event('OLD', 0)));
      await relay.idle();
      await relay.subscribe({ name: 'from-head', handle: async (e) => void head.push(e.resourceId) });
      await relay.subscribe({ name: 'from-start', from: 'beginning', handle: async (e) => void all.push(e.resourceId) });
      await t.db.tx(async (tx) => tx.emit(event('NEW', 0)));
      await until(() => head.length === 1 && all.includes('NEW'));
      expect(head).toEqual(['NEW']);
      expect(all).toContain('OLD');
      expect(all.indexOf('OLD')).toBeLessThan(all.indexOf('NEW'));
    } finally {
      await relay.stop();
    }
  });

  it('retries a failing subscriber with back-off, then dead-letters the event and carries on', async () => {
    const relay = new EventRelay(t.db, { pollMs: 50, retry: { baseMs: 10, maxMs: 40, maxAttempts: 3 } });
    const attempts = new Map<number, number>();
    const ok: number[] = [];
    await relay.subscribe({
      name: 'flaky',
      handle: async (e) => {
        const n = Number(e.payload['n']);
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        if (n === 2) throw new Error('cannot handle 2');
        if (n === 3 && attempts.get(3)! < 2) throw new Error('first try of 3 fails');
        ok.push(n);
      },
    });
    await relay.start();
    try {
      for (const n of [1, 2, 3]) await t.db.tx(async (tx) => tx.emit(event('F', n)));
      await until(() => ok.length === 2);
      expect(ok).toEqual([1, 3]);
      expect(attempts.get(2)).toBe(3);
      const dead = await relay.listDeadLetters({ consumerId: 'local:flaky' });
      expect(dead.total).toBe(1);
      expect(dead.items[0]).toMatchObject({ eventType: 'ThingEvent', resourceId: 'F', attempts: 3, status: 'dead' });
      expect(dead.items[0]!.lastError).toContain('cannot handle 2');
    } finally {
      await relay.stop();
    }
  });

  it('hands a subscriber that allows it several events at once; a failure retries from the failed event, nothing is lost', async () => {
    const relay = new EventRelay(t.db, { pollMs: 50, retry: { baseMs: 10, maxMs: 40, maxAttempts: 5 } });
    let inFlight = 0;
    let most = 0;
    const handled = new Map<number, number>();
    let failOnce = true;
    await relay.subscribe({
      name: 'concurrent',
      eventTypes: ['ThingEvent'],
      concurrency: 4,
      handle: async (e) => {
        const n = Number(e.payload['n']);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        if (n === 6 && failOnce) {
          failOnce = false;
          throw new Error('6 fails once');
        }
        handled.set(n, (handled.get(n) ?? 0) + 1);
      },
    });
    await relay.start();
    try {
      // committed together, so that the relay finds them in one page
      await t.db.tx(async (tx) => {
        for (let n = 1; n <= 12; n++) tx.emit(event('C', n));
      });
      await until(() => handled.size === 12);
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(4);
      // at least once: the events after 6 in its group may come twice, none is missing, none before the group repeats
      for (let n = 1; n <= 12; n++) expect(handled.get(n)).toBeGreaterThanOrEqual(1);
      for (let n = 1; n <= 4; n++) expect(handled.get(n)).toBe(1);
      const status = (await relay.consumerStatus()).find((c) => c.id === 'local:concurrent');
      expect(status?.lag ?? 0).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('lets one node lead; when it stops, another takes over without losing or repeating events', async () => {
    const seen: string[] = [];
    const handler = { name: 'ha', handle: async (e: RelayEvent) => void seen.push(String(e.payload['eventId'])) };
    const r1 = new EventRelay(t.db, { pollMs: 50 });
    const r2 = new EventRelay(t.db, { pollMs: 50 });
    await r1.subscribe(handler);
    await r2.subscribe(handler);
    await r1.start();
    await r2.start();
    try {
      await until(() => r1.isLeader || r2.isLeader);
      expect(r1.isLeader && r2.isLeader).toBe(false);
      const [leader, standby] = r1.isLeader ? [r1, r2] : [r2, r1];
      const ids: string[] = [];
      const emit = async () => {
        const e = event('H', ids.length);
        ids.push(String(e.payload.eventId));
        await t.db.tx(async (tx) => tx.emit(e));
      };
      for (let i = 0; i < 5; i++) await emit();
      await until(() => seen.length === 5);
      await leader.stop();
      for (let i = 0; i < 5; i++) await emit();
      await until(() => standby.isLeader, 10_000);
      await until(() => seen.length === 10);
      await standby.idle();
      expect(seen).toEqual(ids);
    } finally {
      await r1.stop();
      await r2.stop();
    }
  });
});
