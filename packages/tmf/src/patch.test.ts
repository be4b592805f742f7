import { describe, expect, it } from 'vitest';
import { OperonError } from '@operon/kernel';
import { jsonPatch, mergePatch } from './patch.ts';

function refusal(f: () => unknown): OperonError {
  try {
    f();
  } catch (e) {
    if (e instanceof OperonError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('JSON Patch', () => {
  it('applies the RFC 6902 operations to a copy', () => {
    const doc = { name: 'a', tags: ['x'], nested: { n: 1 } };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/tags/-', value: 'y' },
      { op: 'replace', path: '/nested/n', value: 2 },
      { op: 'copy', from: '/name', path: '/alias' },
      { op: 'remove', path: '/name' },
      { op: 'test', path: '/alias', value: 'a' },
    ]);
    expect(out).toEqual({ tags: ['x', 'y'], nested: { n: 2 }, alias: 'a' });
    expect(doc).toEqual({ name: 'a', tags: ['x'], nested: { n: 1 } });
  });

  it('never reaches Object.prototype through __proto__ or constructor.prototype', () => {
    for (const path of ['/__proto__/polluted', '/__proto__', '/a/__proto__/polluted']) {
      expect(refusal(() => jsonPatch({ a: {} }, [{ op: 'add', path, value: true }])).status, path).toBe(400);
    }
    for (const path of ['/constructor/prototype/polluted', '/toString/x']) {
      expect(refusal(() => jsonPatch({}, [{ op: 'add', path, value: true }])).status, path).toBe(400);
    }
    expect(refusal(() => jsonPatch({}, [{ op: 'copy', from: '/constructor', path: '/x' }])).status).toBe(400);
    expect(refusal(() => jsonPatch({}, [{ op: 'remove', path: '/toString' }])).status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a failed test is a conflict', () => {
    expect(refusal(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).status).toBe(409);
  });
});

describe('merge patch', () => {
  it('merges objects, removes with null, replaces the rest', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: null, e: 3 }, d: [2] })).toEqual({ a: { c: 2, e: 3 }, d: [2] });
  });
});
