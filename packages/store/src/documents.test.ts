import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { OperonError } from '@operon/kernel';
import { DocumentTable } from './documents.ts';
import type { Tx } from './database.ts';
import { countRoundTrips, createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query(`SELECT operon_create_resource_table('doc_plain', 'state')`);
  await t.db.query(`SELECT operon_create_resource_table('doc_keyed', 'state')`);
  await t.db.query(`CREATE UNIQUE INDEX doc_keyed_serial ON doc_keyed ((doc->>'serial'))`);
});
afterAll(async () => t?.drop());

type Doc = Record<string, unknown>;
const plain = new DocumentTable<Doc>({ table: 'doc_plain', statusAttribute: 'state' });
const at = new Date('2026-11-23T00:00:00.000Z');

const trips = (fn: (tx: Tx, soFar: () => number) => Promise<void>) => countRoundTrips(t.db, fn);

const stored = async (table: string, id: string) =>
  (await t.db.query<{ version: number; doc: Doc }>(`SELECT version, doc FROM ${table} WHERE id = $1`, [id])).rows[0];

describe('writes of rows the transaction holds', () => {
  it('cost no round trip of their own: a fresh insert and updates of a held row travel with the next statement', async () => {
    await plain.insert(t.db, 'warm', { id: 'warm', state: 'new' }, at); // the table's shape is asked once per process
    await trips(async (tx) => void (await plain.insert(tx, 'warm-up', { id: 'warm-up', state: 'new' }, at, { fresh: true })));
    const n = await trips(async (tx, soFar) => {
      const made = await plain.insert(tx, 'a', { id: 'a', state: 'new', name: 'first' }, at, { fresh: true });
      expect(made.version).toBe(1);
      const later = new Date(at.getTime() + 1000);
      const one = await plain.update(tx, 'a', { id: 'a', state: 'active', name: 'first' }, 1, later);
      const two = await plain.update(tx, 'a', { id: 'a', state: 'active', name: 'renamed' }, 2, later);
      expect(soFar()).toBe(0);
      expect(one).toMatchObject({ version: 2 });
      expect(two).toMatchObject({ id: 'a', version: 3, updatedAt: later, createdAt: at, doc: { name: 'renamed' } });
      // the transaction reads the held row as it left it, without asking; a statement sees the writes
      expect((await plain.get(tx, 'a'))?.doc['name']).toBe('renamed');
      expect(soFar()).toBe(0);
      const r = await tx.query<{ name: string; status: string; version: number }>('SELECT name, status, version FROM doc_plain WHERE id = $1', ['a']);
      expect(r.rows[0]).toEqual({ name: 'renamed', status: 'active', version: 3 });
      expect(soFar()).toBe(1);
    });
    expect(n).toBe(2);
    expect(await stored('doc_plain', 'a')).toEqual({ version: 3, doc: { id: 'a', state: 'active', name: 'renamed' } });
  });

  it('write a row changed again while its last write waits once, as it ends; a savepoint between keeps them apart', async () => {
    // rows inserted and updated by the statements sent between two calls (the backend's counters move on)
    const counters = async (tx: Tx) =>
      (await tx.query<{ ins: number; upd: number }>(
        `SELECT n_tup_ins::int AS ins, n_tup_upd::int AS upd FROM pg_stat_xact_user_tables WHERE relname = 'doc_plain'`,
      )).rows[0]!;
    const since = async (tx: Tx, before: { ins: number; upd: number }) => {
      const now = await counters(tx);
      return { ins: now.ins - before.ins, upd: now.upd - before.upd };
    };
    const later = new Date(at.getTime() + 2000);
    await t.db.tx(async (tx) => {
      const before = await counters(tx);
      const made = await plain.insert(tx, 'm1', { id: 'm1', state: 'new', n: 1 }, at, { fresh: true });
      made.doc['n'] = 99; // what a caller does with its copy is not written
      const one = await plain.update(tx, 'm1', { id: 'm1', state: 'active', n: 2 }, 1, later);
      one!.doc['n'] = 99;
      await plain.update(tx, 'm1', { id: 'm1', state: 'active', n: 3 }, 2, later);
      expect(await since(tx, before)).toEqual({ ins: 1, upd: 0 });
    });
    expect(await stored('doc_plain', 'm1')).toEqual({ version: 3, doc: { id: 'm1', state: 'active', n: 3 } });
    const times = await t.db.query<{ c: Date; u: Date }>(`SELECT created_at AS c, updated_at AS u FROM doc_plain WHERE id = 'm1'`);
    expect(times.rows[0]).toEqual({ c: at, u: later });

    await t.db.tx(async (tx) => {
      const held = await plain.get(tx, 'm1', { forUpdate: true });
      const before = await counters(tx);
      await plain.update(tx, 'm1', { ...held!.doc, n: 4 }, 3, later);
      await plain.update(tx, 'm1', { ...held!.doc, n: 5 }, 4, later);
      await plain.update(tx, 'm1', { ...held!.doc, n: 6 }, 5, later);
      expect(await since(tx, before)).toEqual({ ins: 0, upd: 1 });
    });
    expect(await stored('doc_plain', 'm1')).toMatchObject({ version: 6, doc: { n: 6 } });

    await t.db.tx(async (tx) => {
      await plain.insert(tx, 'm2', { id: 'm2', state: 'new', n: 1 }, at, { fresh: true });
      await tx.query('SAVEPOINT step');
      await plain.update(tx, 'm2', { id: 'm2', state: 'active', n: 2 }, 1, later);
      await tx.query('ROLLBACK TO SAVEPOINT step');
    });
    expect(await stored('doc_plain', 'm2')).toEqual({ version: 1, doc: { id: 'm2', state: 'new', n: 1 } });

    // reading other rows by their key leaves the write queued, so changing the row again still writes it once
    await t.db.tx(async (tx) => {
      const before = await counters(tx);
      await plain.insert(tx, 'm3', { id: 'm3', state: 'new', n: 1 }, at, { fresh: true });
      expect((await plain.get(tx, 'm1', { forUpdate: true }))?.version).toBe(6);
      expect(await plain.get(tx, 'nothing-here')).toBeUndefined();
      expect(tx.queues('doc_plain:m3')).toBe(true);
      await plain.update(tx, 'm3', { id: 'm3', state: 'active', n: 2 }, 1, later);
      expect(await since(tx, before)).toEqual({ ins: 1, upd: 0 });
    });
    expect(await stored('doc_plain', 'm3')).toEqual({ version: 2, doc: { id: 'm3', state: 'active', n: 2 } });
  });

  it('go at once when the row is not held, or when the stored version is not the one expected', async () => {
    await plain.insert(t.db, 'b', { id: 'b', state: 'new' }, at);
    const n = await trips(async (tx, soFar) => {
      expect(await plain.update(tx, 'b', { id: 'b', state: 'active' }, 1, at)).toMatchObject({ version: 2 });
      expect(soFar()).toBe(1); // the update itself (BEGIN rides with it): no lock was held before it
      expect(await plain.update(tx, 'b', { id: 'b', state: 'done' }, 1, at)).toBeUndefined();
    });
    expect(n).toBe(3);
    expect(await stored('doc_plain', 'b')).toMatchObject({ version: 2, doc: { state: 'active' } });
  });

  it('go at once on a table with a unique index of its own, so a duplicate is a 409 where it is written', async () => {
    const keyed = new DocumentTable<Doc>({ table: 'doc_keyed', statusAttribute: 'state' });
    await keyed.insert(t.db, 'k1', { id: 'k1', serial: 'SN-1' }, at);
    await expect(t.db.tx(async (tx) => {
      await keyed.insert(tx, 'k2', { id: 'k2', serial: 'SN-1' }, at, { fresh: true });
    })).rejects.toSatisfy((e) => e instanceof OperonError && e.kind === 'conflict');
    await keyed.insert(t.db, 'k3', { id: 'k3', serial: 'SN-3' }, at);
    await expect(t.db.tx(async (tx) => {
      const held = await keyed.get(tx, 'k3', { forUpdate: true });
      await keyed.update(tx, 'k3', { ...held!.doc, serial: 'SN-1' }, held!.version, at);
    })).rejects.toSatisfy((e) => e instanceof OperonError && e.kind === 'conflict');
  });

  it('are refused as the write itself would have been when an index is added while they are queued', async () => {
    const late = new DocumentTable<Doc>({ table: 'doc_plain', statusAttribute: 'state' });
    await late.insert(t.db, 'c1', { id: 'c1', code: 'X' }, at);
    await late.insert(t.db, 'c2', { id: 'c2', code: 'Y' }, at);
    await trips(async (tx) => {
      const held = await late.get(tx, 'c2', { forUpdate: true });
      await late.update(tx, 'c2', { ...held!.doc, code: 'Y2' }, 1, at); // learns the table is plain
    });
    await t.db.query(`CREATE UNIQUE INDEX doc_plain_code ON doc_plain ((doc->>'code'))`);
    try {
      await expect(t.db.tx(async (tx) => {
        const held = await late.get(tx, 'c2', { forUpdate: true });
        await late.update(tx, 'c2', { ...held!.doc, code: 'X' }, held!.version, at);
      })).rejects.toSatisfy((e) => e instanceof OperonError && e.kind === 'conflict' && /unique/.test(e.message));
      expect(await stored('doc_plain', 'c2')).toMatchObject({ version: 2, doc: { code: 'Y2' } });
    } finally {
      await t.db.query('DROP INDEX doc_plain_code');
    }
  });

  it('keep long indexed values out of the queue, so that an oversized one is refused where it is written', async () => {
    await expect(t.db.tx(async (tx) => {
      await plain.insert(tx, 'long', { id: 'long', name: randomBytes(6000).toString('base64') }, at, { fresh: true });
    })).rejects.toSatisfy((e) => e instanceof OperonError && e.kind === 'badRequest');
  });
});
