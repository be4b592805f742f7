import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { checkCatalogRoots, checkCategoryRetirement, checkCategoryTree, deriveRoot, refuseDeleteWithSubCategories, subCategories, type CategoryTree } from './categories.ts';

const tree: CategoryTree = { table: 'test_category', childrenKey: 'category' };
let t: TestDatabase;

async function put(id: string, doc: Record<string, unknown> = {}): Promise<void> {
  await t.db.query(`INSERT INTO test_category (id, doc, created_at, updated_at) VALUES ($1, $2::jsonb, now(), now())`, [id, JSON.stringify({ id, name: id.toUpperCase(), lifecycleStatus: 'In design', ...doc })]);
}
/** Checks `doc` as it is about to be written, inside a transaction as the kit does. */
const checked = (doc: Record<string, unknown>) => t.db.tx((tx) => checkCategoryTree(doc, tx, tree));

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query(`SELECT operon_create_resource_table('test_category', 'lifecycleStatus')`);
  // root ← mid ← leaf by parentId; x lists y as its child
  await put('root', { isRoot: true, lifecycleStatus: 'Active' });
  await put('mid', { parentId: 'root', lifecycleStatus: 'Active' });
  await put('leaf', { parentId: 'mid' });
  await put('x', { category: [{ id: 'y' }] });
  await put('y');
});
afterAll(async () => t?.drop());

describe('a category', () => {
  it('is a root unless it has a parent, unless it says otherwise', () => {
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = { parentId: 'p' };
    const c: Record<string, unknown> = { isRoot: false };
    [a, b, c].forEach(deriveRoot);
    expect([a['isRoot'], b['isRoot'], c['isRoot']]).toEqual([true, false, false]);
  });

  it('contradicts itself by being its own parent or child, a parent that is a child, or a root with a parent', async () => {
    await expect(checked({ id: 'root', parentId: 'root' })).rejects.toMatchObject({ status: 422, field: 'parentId' });
    const root = checked({ id: 'n', isRoot: true, parentId: 'root' });
    await expect(root).rejects.toMatchObject({ status: 422, field: 'parentId' });
    await expect(checked({ id: 'n', isRoot: true, parentId: 'root' })).rejects.toThrow(/isRoot/);
    await expect(checked({ id: 'mid', parentId: 'root', category: [{ id: 'mid' }] })).rejects.toMatchObject({ field: 'category[0].id' });
    await expect(checked({ id: 'n', parentId: 'root', category: [{ id: 'root' }] })).rejects.toMatchObject({ field: 'category[0].id' });
  });

  it('takes no child that another category is parent of', async () => {
    await expect(checked({ id: 'y', category: [{ id: 'leaf' }] })).rejects.toMatchObject({ field: 'category[0].id' });
    await expect(checked({ id: 'mid', parentId: 'root', category: [{ id: 'leaf' }] })).resolves.toBeUndefined();
  });

  it('closes no cycle, by parentId or by listing children', async () => {
    const viaParent = checked({ id: 'root', isRoot: false, parentId: 'leaf' });
    await expect(viaParent).rejects.toMatchObject({ status: 422, field: 'parentId' });
    await expect(checked({ id: 'leaf', parentId: 'mid', category: [{ id: 'root' }] })).rejects.toThrow(/ancestor/);
    // y's parent is x through x's list: x cannot become y's child
    await expect(checked({ id: 'y', category: [{ id: 'x' }] })).rejects.toThrow(/ancestor/);
    await expect(checked({ id: 'x', parentId: 'y', category: [{ id: 'y' }] })).rejects.toMatchObject({ field: 'category[0].id' });
    // without its list, x may hang below y
    await expect(checked({ id: 'x', parentId: 'y' })).resolves.toBeUndefined();
    // moving a branch elsewhere is fine
    await expect(checked({ id: 'leaf', parentId: 'root' })).resolves.toBeUndefined();
  });

  it('has sub-categories by parentId and by its own list', async () => {
    expect((await subCategories({ id: 'root' }, t.db, tree)).map((c) => c.id)).toEqual(['mid']);
    expect((await subCategories({ id: 'x', category: [{ id: 'y' }] }, t.db, tree)).map((c) => c.id)).toEqual(['y']);
    expect(await subCategories({ id: 'mid' }, t.db, tree, ['Active'])).toEqual([]);
  });

  it('is retired only once its sub-categories are no longer in use', async () => {
    const retire = (id: string) => checkCategoryRetirement({ id, name: id, lifecycleStatus: 'Retired' }, { op: 'update', before: { lifecycleStatus: 'Active' } }, t.db, tree);
    await expect(retire('root')).rejects.toMatchObject({ status: 422, field: 'lifecycleStatus' });
    await expect(retire('root')).rejects.toThrow(/'MID' \(mid\)/);
    await expect(retire('mid')).resolves.toBeUndefined();
    // only a move into Retired is checked
    await expect(checkCategoryRetirement({ id: 'root', lifecycleStatus: 'Active' }, { op: 'update', before: { lifecycleStatus: 'In test' } }, t.db, tree)).resolves.toBeUndefined();
  });

  it('is not deleted from under the sub-categories naming it as parent', async () => {
    await expect(refuseDeleteWithSubCategories({ id: 'mid', name: 'MID' }, t.db, tree)).rejects.toThrow(/leaf/);
    // a listed child keeps no pointer to it
    await expect(refuseDeleteWithSubCategories({ id: 'x', name: 'X', category: [{ id: 'y' }] }, t.db, tree)).resolves.toBeUndefined();
  });

  it('listed by a catalog that lists roots only must have no parent', async () => {
    await expect(checkCatalogRoots({ category: [{ id: 'root' }, { id: 'elsewhere' }] }, t.db, tree.table)).resolves.toBeUndefined();
    await expect(checkCatalogRoots({ category: [{ id: 'root' }, { id: 'mid' }] }, t.db, tree.table)).rejects.toMatchObject({ status: 422, field: 'category[1].id' });
  });
});
