import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { assertUnused, checkLocalDependencies, mustBeInUse, refuseIfUsed, specificationsById, usersOf, usersOfSpecification } from './in-use.ts';

const ctx = { baseUrl: 'https://operon.example.com', correlationId: 'test' };
const BASE = '/tmf-api/test/v4';
const specification = { table: 'test_spec', kind: 'test specification', relationshipKey: 'rel' };
let t: TestDatabase;

async function put(table: string, id: string, doc: Record<string, unknown>): Promise<void> {
  await t.db.query(`INSERT INTO ${table} (id, doc, created_at, updated_at) VALUES ($1, $2::jsonb, now(), now())`, [id, JSON.stringify({ id, name: id.toUpperCase(), ...doc })]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  for (const table of ['test_spec', 'test_candidate']) await t.db.query(`SELECT operon_create_resource_table($1, 'lifecycleStatus')`, [table]);
  await put('test_spec', 'base', { lifecycleStatus: 'Active' });
  await put('test_spec', 'draft', { lifecycleStatus: 'In design' });
  await put('test_spec', 'user', { lifecycleStatus: 'Launched', rel: [{ id: 'base', relationshipType: 'dependency' }] });
  await put('test_spec', 'alt', { lifecycleStatus: 'Active', rel: [{ id: 'draft', relationshipType: 'substitution' }] });
  await put('test_candidate', 'cand', { lifecycleStatus: 'Active', spec: { id: 'base' } });
  await put('test_candidate', 'old', { lifecycleStatus: 'Retired', spec: { id: 'draft' } });
});
afterAll(async () => t?.drop());

describe('what is in use', () => {
  it('finds the users of an entity in the given states, at any depth of their documents', async () => {
    expect(await usersOf(t.db, 'test_spec', ['Active', 'Launched'], [{ rel: [{ id: 'base' }] }])).toEqual([{ id: 'user', name: 'USER' }]);
    expect(await usersOf(t.db, 'test_candidate', ['Active'], [{ spec: { id: 'draft' } }])).toEqual([]);
    expect(await usersOf(t.db, 'test_candidate', ['Active'], [])).toEqual([]);
  });

  it('refuses naming the users', () => {
    expect(() => refuseIfUsed([], 'x', 'y')).not.toThrow();
    expect(() => refuseIfUsed([{ id: '1', name: 'One' }], 'price 7', 'launched offering')).toThrow(/price 7 is still used by launched offering 'One' \(1\); retire or change it first/);
  });

  it('reads specifications with their status and class', async () => {
    const rows = await specificationsById(t.db, 'test_spec', ['base', 'nope', 'base'], false);
    expect([...rows.keys()]).toEqual(['base']);
    expect(rows.get('base')).toMatchObject({ status: 'Active', name: 'BASE' });
  });

  it('lets something rely only on a specification held here and in use', () => {
    expect(() => mustBeInUse({ id: 'a', name: 'A', status: 'Launched' }, 'a', 'f', 'spec', 'x needs it')).not.toThrow();
    expect(() => mustBeInUse(undefined, 'a', 'f', 'spec', 'x needs it')).toThrow(expect.objectContaining({ status: 422, field: 'f' }));
    expect(() => mustBeInUse({ id: 'a', name: 'A', status: 'In test' }, 'a', 'f', 'spec', 'x needs it')).toThrow(/In test; it must be Active or Launched first/);
  });

  it('checks the local dependencies of a specification, not alternatives nor federated ones', async () => {
    const check = (rel: unknown[]) => t.db.tx((tx) => checkLocalDependencies({ id: 'new', name: 'New', rel }, ctx, tx, { ...specification, basePath: BASE }));
    await expect(check([{ id: 'base', relationshipType: 'dependency' }, { id: 'draft', relationshipType: 'exclusivity' }])).resolves.toBeUndefined();
    await expect(check([{ id: 'remote', href: `https://partner.example.com${BASE}/spec/remote` }])).resolves.toBeUndefined();
    await expect(check([{ id: 'base' }, { id: 'draft', relationshipType: 'dependency' }])).rejects.toMatchObject({ field: 'rel[1].id' });
    await expect(check([{ id: 'gone', href: `${ctx.baseUrl}${BASE}/spec/gone` }])).rejects.toThrow(/does not exist in this catalog/);
  });

  it('knows who relies on a specification: candidates and dependent specifications in use', async () => {
    const users = (id: string) => usersOfSpecification(id, t.db, { specification, candidate: { table: 'test_candidate', kind: 'candidate', specificationKey: 'spec' } });
    expect(await users('base')).toEqual(["candidate 'CAND' (cand)", "test specification 'USER' (user)"]);
    // a retired candidate and a substitution rely on nothing
    expect(await users('draft')).toEqual([]);
    expect(() => assertUnused({ name: 'Base' }, ["candidate 'CAND' (cand)"], 'test specification', 'retired')).toThrow(
      "test specification 'Base' cannot be retired: candidate 'CAND' (cand) relies on it and is Active or Launched",
    );
    expect(() => assertUnused({ name: 'Draft' }, [], 'test specification', 'deleted')).not.toThrow();
  });
});
