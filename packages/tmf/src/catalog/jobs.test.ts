import { describe, expect, it } from 'vitest';
import { candidateCatalogStructure, categoryUses, dependencyUses, exportScope, jobLifecycle, pathTo, refsTo, remap, upToInUse, usedFirst, type IdMap } from './jobs.ts';

const BASE = '/tmf-api/resourceCatalog/v4';
const COLLECTIONS = ['resourceCatalog', 'resourceSpecification'];

describe('what an export job exports', () => {
  it('is everything, a collection or one entity, named by a path with or without host and base path', () => {
    expect(exportScope(undefined, BASE, COLLECTIONS)).toEqual({ kind: 'all' });
    expect(exportScope(BASE, BASE, COLLECTIONS)).toEqual({ kind: 'all' });
    expect(exportScope('resourceSpecification', BASE, COLLECTIONS)).toEqual({ kind: 'collection', resource: 'resourceSpecification' });
    expect(exportScope(`https://h.example.com${BASE}/resourceCatalog/a%20b`, BASE, COLLECTIONS)).toEqual({ kind: 'entity', resource: 'resourceCatalog', id: 'a b' });
  });

  it('is refused for anything else, naming path', () => {
    for (const p of ['resourceOrder', 'resourceCatalog/a/b']) {
      expect(() => exportScope(p, BASE, COLLECTIONS)).toThrow(expect.objectContaining({ status: 400, field: 'path' }));
    }
  });
});

describe('references in an imported document', () => {
  const ids: IdMap = new Map([['s1', { id: 'new-1', href: 'https://h/x/new-1' }]]);
  const keys = new Set(['spec', 'rel', 'category']);

  it('are rewritten to the new ids, hrefs too when given', () => {
    expect(remap({ spec: { id: 's1', href: 'old' }, rel: [{ id: 's1', name: 'n' }], parentId: 's1' }, ids, new Set(), keys)).toEqual({
      spec: { id: 'new-1', href: 'https://h/x/new-1' }, rel: [{ id: 'new-1', name: 'n' }], parentId: 'new-1',
    });
  });

  it('are left out while what they name is not created yet, and kept when they name something else', () => {
    expect(remap({ rel: [{ id: 'later' }, { id: 'elsewhere' }], parentId: 'later', spec: { id: 'elsewhere' } }, ids, new Set(['later']), keys)).toEqual({
      rel: [{ id: 'elsewhere' }], spec: { id: 'elsewhere' },
    });
  });

  it('are only objects under the reference attributes: a string or another attribute is data', () => {
    expect(remap({ category: 'L2Network', other: { id: 's1' } }, ids, new Set(['s1']), keys)).toEqual({ category: 'L2Network', other: { id: 's1' } });
  });
});

describe('the way an imported entity goes to its status', () => {
  it('is the shortest along the catalog lifecycle', () => {
    expect(pathTo('In design', 'In design')).toEqual([]);
    expect(pathTo('In design', 'Launched')).toEqual(['In test', 'Active', 'Launched']);
    expect(pathTo('In design', 'Obsolete')).toEqual(['In test', 'Active', 'Retired', 'Obsolete']);
    expect(pathTo('In study', 'Rejected')).toEqual(['Rejected']);
    expect(() => pathTo('In design', 'Sold')).toThrow(expect.objectContaining({ field: 'lifecycleStatus' }));
    expect(() => pathTo('Obsolete', 'Active')).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('is walked up to its last in-use state first, and to the end once its users have', () => {
    expect(upToInUse(['In test', 'Active', 'Retired', 'Obsolete'])).toEqual(['In test', 'Active']);
    expect(upToInUse(['In test', 'Active', 'Launched'])).toEqual(['In test', 'Active', 'Launched']);
    expect(upToInUse(['In test'])).toEqual(['In test']);
  });
});

describe('the order entities are put in use', () => {
  const key = (s: string) => s;
  it('puts what is used first, and otherwise keeps the order of the document', () => {
    expect(usedFirst(['offer', 'price', 'spec', 'other'], key, [{ user: 'offer', used: 'spec' }, { user: 'offer', used: 'price' }])).toEqual(['price', 'spec', 'offer', 'other']);
    expect(usedFirst(['bundle', 'a', 'b'], key, [{ user: 'bundle', used: 'b' }, { user: 'b', used: 'a' }])).toEqual(['a', 'b', 'bundle']);
  });

  it('keeps entities of a cycle, and ignores edges to entities it does not have', () => {
    expect(usedFirst(['x', 'y', 'z'], key, [{ user: 'x', used: 'y' }, { user: 'y', used: 'x' }, { user: 'z', used: 'nowhere' }])).toEqual(['z', 'x', 'y']);
  });

  it('follows categories, dependencies and candidates', () => {
    expect(categoryUses('cat', { id: 'c', parentId: 'p', category: [{ id: 'k' }] }, 'category')).toEqual([
      { user: { resource: 'cat', id: 'c' }, used: { resource: 'cat', id: 'p' } },
      { user: { resource: 'cat', id: 'k' }, used: { resource: 'cat', id: 'c' } },
    ]);
    expect(categoryUses('cat', { parentId: 'p' }, 'category')).toEqual([]);
    expect(dependencyUses('spec', { id: 's', rel: [{ id: 'd', relationshipType: 'dependency' }, { id: 'x', relationshipType: 'exclusivity' }] }, 'rel')).toEqual([
      { user: { resource: 'spec', id: 's' }, used: { resource: 'spec', id: 'd' } },
    ]);
    expect(refsTo('spec', [{ id: 'a' }, { name: 'n' }])).toEqual([{ resource: 'spec', id: 'a' }]);
    const { uses, referenceKeys, categoryResource } = candidateCatalogStructure('service', { category: 't_category', candidate: 't_candidate' });
    expect(uses('serviceCandidate', { id: 'c', serviceSpecification: { id: 's' } })).toEqual([
      { user: { resource: 'serviceCandidate', id: 'c' }, used: { resource: 'serviceSpecification', id: 's' } },
    ]);
    expect(uses('serviceSpecification', { id: 's', serviceSpecRelationship: [{ id: 't', relationshipType: 'dependency' }] })).toHaveLength(1);
    expect(uses('serviceCatalog', { id: 'k', category: [{ id: 'x' }] })).toEqual([]);
    expect([referenceKeys, categoryResource]).toEqual([['category', 'serviceCandidate', 'serviceSpecification', 'serviceSpecRelationship'], 'serviceCategory']);
  });
});

describe('a job', () => {
  it('runs to Succeeded or Failed and stays there', () => {
    expect(jobLifecycle.canMove('Running', 'Succeeded')).toBe(true);
    expect(jobLifecycle.canMove('Running', 'Failed')).toBe(true);
    expect(jobLifecycle.canMove('Succeeded', 'Running')).toBe(false);
    expect(jobLifecycle.isTerminal('Failed')).toBe(true);
    expect(() => jobLifecycle.assertDeletable('Running')).not.toThrow();
  });
});
