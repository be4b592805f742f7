import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@operon/kernel';
import { Database } from './database.ts';
import { coreMigrations, migrate } from './migrate.ts';
import { OUTBOX_ROW_EVENTS, readOutbox, type RelayEvent } from './outbox.ts';
import { EventRelay } from './relay.ts';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

function event(resourceId: string, n: number, eventType = 'ThingEvent', api = 'test') {
  return { api, eventType, resourceType: 'Thing', resourceId, payload: { eventId: newId(), n, event: { thing: { id: resourceId } } } };
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rowsOf = async (db: Database, resourcePrefix: string) =>
  (await db.query<{ n: number; types: string[]; apis: string[] }>(
    `SELECT n, types, apis FROM outbox_batch WHERE events->0->>'resourceId' LIKE $1 ORDER BY seq`, [`${resourcePrefix}%`],
  )).rows;

describe('outbox', () => {
  it("keeps a transaction's events in one row, in the order they were raised, and reads them one per position", async () => {
    const relay = new EventRelay(t.db, { pollMs: 50 });
    await relay.start();
    try {
      await relay.idle();
      const before = (await t.db.query<{ h: number }>('SELECT coalesce(max(last_position), 0) AS h FROM outbox_batch')).rows[0]!.h;
      await t.db.tx(async (tx) => {
        tx.emit(event('one-a', 1));
        tx.emit(event('one-b', 2, 'OtherEvent', 'other'));
        tx.emit(event('one-c', 3));
      });
      expect(await rowsOf(t.db, 'one-')).toEqual([{ n: 3, types: ['ThingEvent', 'OtherEvent'], apis: ['test', 'other'] }]);
      await relay.idle();
      // the view: one row per event, positions consecutive in the order raised
      const view = (await t.db.query<{ resource_id: string; position: number; event_type: string; api: string; payload: { n: number } }>(
        `SELECT resource_id, position, event_type, api, payload FROM outbox WHERE resource_id LIKE 'one-%' ORDER BY seq`,
      )).rows;
      expect(view.map((r) => [r.resource_id, r.position - before, r.event_type, r.api, r.payload.n])).toEqual([
        ['one-a', 1, 'ThingEvent', 'test', 1], ['one-b', 2, 'OtherEvent', 'other', 2], ['one-c', 3, 'ThingEvent', 'test', 3],
      ]);
      // pages: filtered by type and API, bounded, and how far they looked
      const all = await readOutbox(t.db, before);
      expect(all.events.map((e) => e.resourceId)).toEqual(['one-a', 'one-b', 'one-c']);
      expect(all).toMatchObject({ through: before + 3, full: false });
      const things = await readOutbox(t.db, before, { eventTypes: ['ThingEvent'], upTo: before + 3 });
      expect(things.events.map((e) => [e.resourceId, e.position - before])).toEqual([['one-a', 1], ['one-c', 3]]);
      expect(things.through).toBe(before + 3);
      // from inside the row: only what follows
      const rest = await readOutbox(t.db, before + 1, { api: 'test' });
      expect(rest.events.map((e) => e.resourceId)).toEqual(['one-c']);
      const upTo = await readOutbox(t.db, before, { upTo: before + 2 });
      expect(upTo.events.map((e) => e.resourceId)).toEqual(['one-a', 'one-b']);
      expect(upTo.through).toBe(before + 2);
      expect((await readOutbox(t.db, before, { eventTypes: ['NoSuchEvent'], upTo: before + 3 })).events).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it('splits a very large transaction into rows that keep its order, and a page ends at a row', async () => {
    const count = OUTBOX_ROW_EVENTS + 5;
    await t.db.tx(async (tx) => {
      for (let i = 0; i < count; i++) tx.emit(event(`bulk-${i}`, i));
    });
    expect((await rowsOf(t.db, 'bulk-')).map((r) => r.n)).toEqual([OUTBOX_ROW_EVENTS, 5]);
    const relay = new EventRelay(t.db, { pollMs: 50 });
    const got: RelayEvent[] = [];
    await relay.subscribe({ name: 'bulk', from: 'beginning', eventTypes: ['ThingEvent'], handle: async (e) => void (e.resourceId.startsWith('bulk-') && got.push(e)) });
    await relay.start();
    try {
      await until(() => got.length === count, 30_000);
      expect(got.every((e, i) => e.resourceId === `bulk-${i}` && (i === 0 || e.position === got[i - 1]!.position + 1))).toBe(true);
      const first = await readOutbox(t.db, got[0]!.position - 1, { rows: 1 });
      expect(first).toMatchObject({ full: true, through: got[OUTBOX_ROW_EVENTS - 1]!.position });
      expect(first.events).toHaveLength(OUTBOX_ROW_EVENTS);
      const order = (await t.db.query<{ resource_id: string }>(`SELECT resource_id FROM outbox WHERE resource_id LIKE 'bulk-%' ORDER BY seq`)).rows;
      expect(order.map((r) => r.resource_id)).toEqual(got.map((e) => e.resourceId));
    } finally {
      await relay.stop();
    }
  });

  it('a consumer behind what the leader keeps reads from the database; a caught-up one from memory; both see every event once', async () => {
    // events stamped by one leader; the next leader keeps nothing of them in memory
    const first = new EventRelay(t.db, { pollMs: 50 });
    await first.start();
    for (let i = 0; i < 30; i++) {
      await t.db.tx(async (tx) => {
        tx.emit(event(`late-${i}`, i));
        tx.emit(event(`late-${i}`, i, 'OtherEvent'));
      });
    }
    await first.idle();
    await first.stop();
    const relay = new EventRelay(t.db, { pollMs: 50 });
    const late: string[] = [];
    const live: string[] = [];
    await relay.subscribe({ name: 'late-reader', from: 'beginning', eventTypes: ['OtherEvent'], handle: async (e) => void (e.resourceId.startsWith('late-') && late.push(e.resourceId)) });
    await relay.subscribe({ name: 'live-reader', eventTypes: ['OtherEvent'], handle: async (e) => void (e.resourceId.startsWith('late-') && live.push(e.resourceId)) });
    await relay.start();
    try {
      await relay.idle();
      for (let i = 30; i < 40; i++) await t.db.tx(async (tx) => tx.emit(event(`late-${i}`, i, 'OtherEvent')));
      await relay.idle();
      expect(late).toEqual(Array.from({ length: 40 }, (_, i) => `late-${i}`));
      expect(live).toEqual(Array.from({ length: 10 }, (_, i) => `late-${i + 30}`));
    } finally {
      await relay.stop();
    }
  });

  it('purges what every consumer has passed, but keeps the newest row so that positions go on', async () => {
    const own = await createTestDatabase();
    try {
      const relay = new EventRelay(own.db, { pollMs: 30, retentionMs: 0, purgeIntervalMs: 30 });
      await relay.start();
      try {
        for (let i = 0; i < 5; i++) await own.db.tx(async (tx) => tx.emit(event(`purge-${i}`, i)));
        await relay.idle();
        await until(async () => (await own.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_batch')).rows[0]!.n === 1);
      } finally {
        await relay.stop();
      }
      const kept = (await own.db.query<{ resource_id: string; position: number }>('SELECT resource_id, position FROM outbox')).rows;
      expect(kept).toEqual([{ resource_id: 'purge-4', position: 5 }]);
      const again = new EventRelay(own.db, { pollMs: 50 });
      await again.start();
      try {
        await own.db.tx(async (tx) => tx.emit(event('purge-5', 5)));
        await again.idle();
        expect((await own.db.query<{ position: number }>(`SELECT position FROM outbox WHERE resource_id = 'purge-5'`)).rows).toEqual([{ position: 6 }]);
      } finally {
        await again.stop();
      }
    } finally {
      await own.drop();
    }
  });

  it('an upgrade moves the events of the one-row-per-event outbox over, stamped ones at their positions', async () => {
    const empty = await createEmptyDatabase();
    const db = new Database({ url: empty.url, max: 2 });
    try {
      // the core migrations before the outbox took a row per transaction, as a database of then has them
      await db.query(`CREATE TABLE operon_migration (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const files = fs.readdirSync(coreMigrations.dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f) && f < '0010').sort();
      for (const f of files) {
        const sql = fs.readFileSync(path.join(coreMigrations.dir, f), 'utf8');
        await db.query(sql);
        await db.query('INSERT INTO operon_migration (id, checksum) VALUES ($1, $2)', [`core/${f}`, createHash('sha256').update(sql).digest('hex')]);
      }
      for (let i = 1; i <= 4; i++) {
        await db.query(`INSERT INTO outbox (event_id, api, event_type, resource_type, resource_id, payload, position) VALUES ($1, 'test', 'ThingEvent', 'Thing', $2, $3, $4)`,
          [newId(), `old-${i}`, JSON.stringify({ n: i }), i <= 2 ? i : null]);
      }
      expect((await migrate(db, [])).applied).toContain('core/0010_outbox_batches.sql');
      const rows = (await db.query<{ resource_id: string; position: number | null; payload: { n: number } }>('SELECT resource_id, position, payload FROM outbox ORDER BY seq')).rows;
      expect(rows).toEqual([
        { resource_id: 'old-1', position: 1, payload: { n: 1 } }, { resource_id: 'old-2', position: 2, payload: { n: 2 } },
        { resource_id: 'old-3', position: null, payload: { n: 3 } }, { resource_id: 'old-4', position: null, payload: { n: 4 } },
      ]);
      const relay = new EventRelay(db, { pollMs: 50 });
      const got: Array<[string, number]> = [];
      await relay.subscribe({ name: 'upgrade', from: 'beginning', handle: async (e) => void got.push([e.resourceId, e.position]) });
      await relay.start();
      try {
        await db.tx(async (tx) => tx.emit(event('new-5', 5)));
        await until(() => got.length === 5);
        expect(got).toEqual([['old-1', 1], ['old-2', 2], ['old-3', 3], ['old-4', 4], ['new-5', 5]]);
      } finally {
        await relay.stop();
      }
    } finally {
      await db.close();
      await empty.drop();
    }
  });
});
