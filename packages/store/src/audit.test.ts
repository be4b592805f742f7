import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@operon/kernel';
import type { AuditRecord } from './database.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query('CREATE TABLE audit_test_thing (id text PRIMARY KEY)');
});
afterAll(async () => t?.drop());

function record(resourceId: string, action: AuditRecord['action'], before: unknown, after: unknown): AuditRecord {
  return { at: new Date(), principalId: 'tester', roles: ['admin'], action, api: 'test', resourceType: 'Thing', resourceId, before, after };
}

interface Row { action: string; before: unknown; undo: { set: Record<string, unknown>; unset: string[] } | null; restored: unknown }
const rowsOf = async (id: string) => (await t.db.query<Row>(
  'SELECT action, before, undo, operon_audit_before(before, after, undo) AS restored FROM audit_log WHERE resource_id = $1 ORDER BY seq', [id],
)).rows;

const v1 = {
  id: 'x', name: 'ONT port 7', status: 'reserved', note: null, place: { id: 'p1', role: 'installation' },
  characteristic: [{ name: 'speed', value: 100 }, { name: 'vlan', value: 12 }], description: 'first',
};
const v2 = {
  id: 'x', name: 'ONT port 7', status: 'inUse', note: 'set', place: { id: 'p1', role: 'installation' },
  characteristic: [{ name: 'speed', value: 1000 }, { name: 'vlan', value: 12 }], startDate: '2026-11-23T10:00:00.000Z', removed: undefined,
};

describe('audit trail', () => {
  it('keeps an update as the attributes it changed, and restores the document before exactly', async () => {
    const id = newId();
    await t.db.tx(async (tx) => {
      tx.audit(record(id, 'create', undefined, v1));
      tx.audit(record(id, 'update', v1, v2));
      tx.audit(record(id, 'update', v2, v2));
      tx.audit(record(id, 'delete', v2, undefined));
    });
    const rows = await rowsOf(id);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'update', 'delete']);
    expect(rows[0]!.restored).toBeNull();
    // changed (status, a nested list), changed from null, removed (description), added (startDate); not the rest
    expect(rows[1]!.before).toBeNull();
    expect(rows[1]!.undo).toEqual({ set: { status: 'reserved', note: null, characteristic: v1.characteristic, description: 'first' }, unset: ['startDate'] });
    expect(rows[1]!.restored).toEqual(v1);
    // an update that changed nothing keeps nothing
    expect(rows[2]!.undo).toEqual({ set: {}, unset: [] });
    expect(rows[2]!.restored).toEqual(JSON.parse(JSON.stringify(v2)));
    // a delete keeps the whole document
    expect(rows[3]!.undo).toBeNull();
    expect(rows[3]!.restored).toEqual(JSON.parse(JSON.stringify(v2)));
  });

  it('does the same when the write and its audit row go as one statement', async () => {
    const id = newId();
    await t.db.tx(async (tx) => {
      await tx.finalWrite(
        'INSERT INTO audit_test_thing (id) VALUES ($1) RETURNING id', [id],
        [{ api: 'test', eventType: 'ThingAttributeValueChangeEvent', resourceType: 'Thing', resourceId: id, payload: { eventId: newId() } }],
        [record(id, 'update', v1, v2)],
      );
    });
    const [row] = await rowsOf(id);
    expect(row!.before).toBeNull();
    expect(row!.restored).toEqual(v1);
  });

  it('reads rows written before updates kept their change as it was', async () => {
    const id = newId();
    await t.db.query(
      `INSERT INTO audit_log (at, principal_id, action, api, resource_type, resource_id, before, after) VALUES (now(), 'tester', 'update', 'test', 'Thing', $1, $2, $3)`,
      [id, JSON.stringify(v1), JSON.stringify(v2)],
    );
    expect((await rowsOf(id))[0]!.restored).toEqual(v1);
  });
});
