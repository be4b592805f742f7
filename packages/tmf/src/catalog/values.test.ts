import { describe, expect, it } from 'vitest';
import { becomesInUse, changedAny, describeEntity, enters, isDependency, isInUse, isLocal } from './values.ts';
import { idsOf, listOf } from './json.ts';

const ctx = { baseUrl: 'https://operon.example.com', correlationId: 'test' };

describe('catalog values', () => {
  it('Active and Launched are in use', () => {
    expect(['In design', 'In test', 'Active', 'Launched', 'Retired'].map((s) => isInUse({ lifecycleStatus: s }))).toEqual([false, false, true, true, false]);
    expect(becomesInUse({ lifecycleStatus: 'Active' }, { op: 'update', before: { lifecycleStatus: 'In test' } })).toBe(true);
    expect(becomesInUse({ lifecycleStatus: 'Launched' }, { op: 'update', before: { lifecycleStatus: 'Active' } })).toBe(false);
    expect(becomesInUse({ lifecycleStatus: 'Active' }, { op: 'create' })).toBe(true);
    expect(enters({ lifecycleStatus: 'Retired' }, { op: 'update', before: { lifecycleStatus: 'Launched' } }, 'Retired')).toBe(true);
    expect(enters({ lifecycleStatus: 'Retired' }, { op: 'update', before: { lifecycleStatus: 'Retired' } }, 'Retired')).toBe(false);
  });

  it('tells what changed, everything on create', () => {
    expect(changedAny({ a: [1] }, { a: [1] }, ['a'])).toBe(false);
    expect(changedAny({ a: [1] }, { a: [2] }, ['a'])).toBe(true);
    expect(changedAny({ a: 1 }, undefined, ['a'])).toBe(true);
  });

  it('counts every relationship as a dependency but alternatives', () => {
    expect(['dependency', 'requires', undefined, ' Exclusivity ', 'substitution', 'migration'].map(isDependency)).toEqual([true, true, true, false, false, false]);
  });

  it('takes references without a hyperlink, or one into the API on this server, as local', () => {
    const path = '/tmf-api/serviceCatalogManagement/v4';
    expect(isLocal({ id: 'a' }, ctx, path)).toBe(true);
    expect(isLocal({ id: 'a', href: `${ctx.baseUrl}${path}/serviceSpecification/a` }, ctx, path)).toBe(true);
    expect(isLocal({ id: 'a', href: `https://partner.example.com${path}/serviceSpecification/a` }, ctx, path)).toBe(false);
  });

  it('reads references and names entities in errors', () => {
    expect(idsOf([{ id: 'a' }, { name: 'no id' }, 'x', { id: 'b' }])).toEqual(['a', 'b']);
    expect(idsOf({ id: 'c' })).toEqual(['c']);
    expect(listOf([{ a: 1 }, 2, null])).toEqual([{ a: 1 }]);
    expect(describeEntity('category', { id: '7', name: 'Fibre' })).toBe("category 'Fibre' (7)");
  });
});
