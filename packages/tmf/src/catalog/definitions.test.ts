import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import { ResourceService } from '../resource.ts';
import { catalogLifecycle } from '../lifecycles.ts';
import { candidateDefinition, catalogDefinition, categoryDefinition } from './definitions.ts';

const ctx = { baseUrl: 'https://operon.example.com', correlationId: 'test' };
const api = { name: 'testCatalog', basePath: '/tmf-api/testCatalog/v4' };
const loose = Type.Object({ name: Type.String(), lifecycleStatus: Type.Optional(Type.String()) }, { additionalProperties: true });
const ref = Type.Object({ id: Type.String(), href: Type.Optional(Type.String()) });
const lifecycle = catalogLifecycle('Test');
const schema = (extra: Record<string, ReturnType<typeof Type.Optional>>) => Type.Object({ ...loose.properties, ...extra });

let t: TestDatabase;
let catalogs: ResourceService;
let categories: ResourceService;
let candidates: ResourceService;
let specs: ResourceService;

beforeAll(async () => {
  t = await createTestDatabase();
  for (const table of ['t_catalog', 't_category', 't_candidate', 't_spec']) await t.db.query(`SELECT operon_create_resource_table($1, 'lifecycleStatus')`, [table]);
  const validFor = Type.Optional(Type.Object({ startDateTime: Type.Optional(Type.String()), endDateTime: Type.Optional(Type.String()) }));
  const category = Type.Optional(Type.Array(ref));
  catalogs = new ResourceService(catalogDefinition({ name: 'catalog', type: 'Catalog', table: 't_catalog', schema: schema({ category, validFor }), lifecycle, rootCategoriesIn: 't_category' }), api, t.db);
  categories = new ResourceService(
    categoryDefinition({
      name: 'category', type: 'Category', table: 't_category', lifecycle, childrenKey: 'category', changeEvents: 'combined',
      schema: schema({ category, parentId: Type.Optional(Type.String()), isRoot: Type.Optional(Type.Boolean()) }),
    }),
    api,
    t.db,
  );
  candidates = new ResourceService(
    candidateDefinition({
      name: 'candidate', type: 'Candidate', table: 't_candidate', lifecycle, schema: schema({ specification: Type.Optional(ref) }),
      specification: { key: 'specification', table: 't_spec', kind: 'test specification', basePath: api.basePath },
    }),
    api,
    t.db,
  );
  specs = new ResourceService({ name: 'spec', type: 'Spec', table: 't_spec', schema: loose, lifecycle, lastUpdate: 'lastUpdate' }, api, t.db);
});
afterAll(async () => t?.drop());

const walk = async (svc: ResourceService, id: string, ...states: string[]) => {
  for (const s of states) await svc.transition(id, s, ctx);
};

describe('catalog resource definitions', () => {
  it('a category is a root unless it has a parent, and keeps its tree whole', async () => {
    const root = (await categories.create({ name: 'Root' }, ctx)).doc;
    const child = (await categories.create({ name: 'Child', parentId: root['id'] }, ctx)).doc;
    expect([root['isRoot'], child['isRoot'], root['lastUpdate']]).toEqual([true, false, expect.any(String)]);
    await expect(categories.update(String(root['id']), (d) => ({ ...d, isRoot: false, parentId: child['id'] }), ctx)).rejects.toMatchObject({ field: 'parentId' });
    await walk(categories, String(root['id']), 'In test', 'Active');
    await walk(categories, String(child['id']), 'In test', 'Active');
    await expect(categories.transition(String(root['id']), 'Retired', ctx)).rejects.toMatchObject({ field: 'lifecycleStatus' });
    await expect(categories.remove(String(root['id']), ctx)).rejects.toMatchObject({ status: 422 });
    expect(categories.eventTypes()).toEqual(['CategoryCreateEvent', 'CategoryChangeEvent', 'CategoryDeleteEvent']);

    // a catalog listing roots only takes the root, and refuses a period ending before it starts
    await expect(catalogs.create({ name: 'C', category: [{ id: child['id'] }] }, ctx)).rejects.toMatchObject({ field: 'category[0].id' });
    await expect(catalogs.create({ name: 'C', category: [{ id: root['id'] }] }, ctx)).resolves.toBeDefined();
    await expect(catalogs.create({ name: 'C', validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }, ctx)).rejects.toMatchObject({ field: 'validFor.endDateTime' });
  });

  it('a candidate is put in use only with a specification in use, or one held elsewhere', async () => {
    const spec = (await specs.create({ name: 'Spec' }, ctx)).doc;
    const bare = (await candidates.create({ name: 'Bare' }, ctx)).doc;
    await walk(candidates, String(bare['id']), 'In test');
    await expect(candidates.transition(String(bare['id']), 'Active', ctx)).rejects.toMatchObject({ field: 'specification' });
    const cand = (await candidates.create({ name: 'Cand', specification: { id: spec['id'] } }, ctx)).doc;
    await walk(candidates, String(cand['id']), 'In test');
    await expect(candidates.transition(String(cand['id']), 'Active', ctx)).rejects.toMatchObject({ field: 'specification.id' });
    await walk(specs, String(spec['id']), 'In test', 'Active');
    await expect(candidates.transition(String(cand['id']), 'Active', ctx)).resolves.toBeDefined();
    const remote = (await candidates.create({ name: 'Remote', specification: { id: 'r', href: 'https://partner.example.com/tmf-api/testCatalog/v4/spec/r' } }, ctx)).doc;
    await walk(candidates, String(remote['id']), 'In test', 'Active');
  });
});
