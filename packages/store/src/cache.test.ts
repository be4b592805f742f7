import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentChanges } from './cache.ts';
import { DocumentTable } from './documents.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query(`SELECT operon_create_resource_table('spec_cached', 'lifecycleStatus')`);
  await t.db.query(`SELECT operon_cache_documents('spec_cached')`);
  await t.db.query(`SELECT operon_create_resource_table('spec_unwatched', 'lifecycleStatus')`);
});
afterAll(async () => t?.drop());

type Doc = Record<string, unknown>;
const at = new Date('2026-11-23T00:00:00.000Z');

async function until(what: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('documents kept in memory between reads', () => {
  it('are read once, then served from memory, each caller getting a copy of its own', async () => {
    const cache = DocumentChanges.of(t.db).cache('spec_cached');
    const specs = new DocumentTable<Doc>({ table: 'spec_cached', statusAttribute: 'lifecycleStatus', cache });
    await specs.insert(t.db, 's1', { id: 's1', lifecycleStatus: 'Active', characteristic: [{ name: 'speed' }] }, at);
    await specs.get(t.db, 's1'); // starts listening; read from the database meanwhile
    await until(() => DocumentChanges.of(t.db).listening());
    const misses = cache.misses;
    const first = await specs.get(t.db, 's1');
    const hits = cache.hits;
    const second = await specs.get(t.db, 's1');
    expect(cache.misses).toBe(misses + 1);
    expect(cache.hits).toBe(hits + 1);
    expect(second).toEqual(first);
    (second!.doc['characteristic'] as Doc[]).push({ name: 'changed by a caller' });
    expect((await specs.get(t.db, 's1'))!.doc['characteristic']).toEqual([{ name: 'speed' }]);
  });

  it('forget a row changed through this node as soon as the change commits, and never keep what a read saw before it', async () => {
    const cache = DocumentChanges.of(t.db).cache('spec_cached');
    const specs = new DocumentTable<Doc>({ table: 'spec_cached', statusAttribute: 'lifecycleStatus', cache });
    await specs.insert(t.db, 's2', { id: 's2', lifecycleStatus: 'Active' }, at);
    await until(() => DocumentChanges.of(t.db).listening());
    await specs.get(t.db, 's2');
    await t.db.tx(async (tx) => {
      const held = await specs.get(tx, 's2', { forUpdate: true });
      await specs.update(tx, 's2', { ...held!.doc, lifecycleStatus: 'Retired' }, held!.version, at);
      // another reader while the change is not committed sees, and may keep, the row as it was
      expect((await specs.get(t.db, 's2'))!.doc['lifecycleStatus']).toBe('Active');
    });
    expect((await specs.get(t.db, 's2'))!.doc['lifecycleStatus']).toBe('Retired');
  });

  it('forget a row changed by anyone else (another node, plain SQL) when its notification arrives', async () => {
    const cache = DocumentChanges.of(t.db).cache('spec_cached');
    const specs = new DocumentTable<Doc>({ table: 'spec_cached', statusAttribute: 'lifecycleStatus', cache });
    await specs.insert(t.db, 's3', { id: 's3', lifecycleStatus: 'Active' }, at);
    await until(() => DocumentChanges.of(t.db).listening());
    // the insert's own notification may come after the first read: read until the row stays kept
    await until(async () => (await specs.get(t.db, 's3')) !== undefined && cache.get('s3')?.doc['lifecycleStatus'] === 'Active');
    await t.db.query(`UPDATE spec_cached SET doc = jsonb_set(doc, '{lifecycleStatus}', '"Obsolete"'), version = version + 1 WHERE id = 's3'`);
    await until(async () => (await specs.get(t.db, 's3'))!.doc['lifecycleStatus'] === 'Obsolete');
    await t.db.query(`DELETE FROM spec_cached WHERE id = 's3'`);
    await until(async () => (await specs.get(t.db, 's3')) === undefined);
  });

  it('are never kept for a table whose changes nobody announces', async () => {
    const cache = DocumentChanges.of(t.db).cache('spec_unwatched');
    const specs = new DocumentTable<Doc>({ table: 'spec_unwatched', statusAttribute: 'lifecycleStatus', cache });
    await specs.insert(t.db, 'u1', { id: 'u1', lifecycleStatus: 'Active' }, at);
    await until(() => DocumentChanges.of(t.db).listening());
    await specs.get(t.db, 'u1');
    await specs.get(t.db, 'u1');
    expect(cache.size).toBe(0);
  });

  it('are all forgotten, and not served, while the node cannot listen; served again once it listens again', async () => {
    const cache = DocumentChanges.of(t.db).cache('spec_cached');
    const specs = new DocumentTable<Doc>({ table: 'spec_cached', statusAttribute: 'lifecycleStatus', cache });
    await specs.insert(t.db, 's4', { id: 's4', lifecycleStatus: 'Active' }, at);
    await until(() => DocumentChanges.of(t.db).listening());
    await specs.get(t.db, 's4');
    expect(cache.size).toBeGreaterThan(0);
    await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'operon-cache' AND datname = current_database()`);
    await until(() => !DocumentChanges.of(t.db).listening());
    expect(cache.size).toBe(0);
    await specs.get(t.db, 's4');
    expect(cache.size).toBe(0);
    await until(async () => {
      await specs.get(t.db, 's4');
      return DocumentChanges.of(t.db).listening();
    });
    await specs.get(t.db, 's4');
    expect(cache.get('s4')?.doc['lifecycleStatus']).toBe('Active');
  });
});
