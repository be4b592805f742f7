import { describe, expect, it } from 'vitest';
import { cloneJson, equalJson } from './json.ts';

describe('cloneJson', () => {
  it('copies a document deeply: changing the copy leaves the original as it was', () => {
    const doc = { id: 'a', n: 1.5, ok: true, none: null, items: [{ x: [1, 2, { y: 'z' }] }], at: new Date('2026-01-02T03:04:05.000Z') };
    const c = cloneJson(doc);
    expect(c).toEqual(doc);
    expect(c.at).toBeInstanceOf(Date);
    c.items[0]!.x.push(3);
    (c.items[0]!.x[2] as { y: string }).y = 'changed';
    c.at.setUTCFullYear(2000);
    expect(doc.items[0]!.x).toEqual([1, 2, { y: 'z' }]);
    expect(doc.at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(c.items).not.toBe(doc.items);
  });

  it('keeps scalars, empty containers and attributes set to undefined as structuredClone does', () => {
    for (const v of ['s', 0, false, null, undefined, [], {}]) expect(cloneJson(v)).toEqual(structuredClone(v));
    const withUndefined = cloneJson({ a: undefined, b: [undefined] });
    expect(Object.keys(withUndefined)).toEqual(['a', 'b']);
    expect(withUndefined.a).toBeUndefined();
    expect(withUndefined.b).toEqual([undefined]);
  });
});

describe('equalJson', () => {
  it('is equality of the values written as JSON, whatever the order of attributes', () => {
    const pairs: [unknown, unknown, boolean][] = [
      [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
      [{ a: 1, b: undefined }, { a: 1 }, true],
      [{ a: 1 }, { a: 1, b: null }, false],
      [{ a: [1, 2] }, { a: [2, 1] }, false],
      [{ a: [1] }, { a: { 0: 1 } }, false],
      [{ a: '1' }, { a: 1 }, false],
      [{ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } }, false],
      [null, null, true],
      [undefined, undefined, true],
      [undefined, null, false],
      [[], [], true],
      [{}, [], false],
      [new Date(5), new Date(5), true],
      [new Date(5), new Date(6), false],
    ];
    for (const [a, b, equal] of pairs) {
      expect(equalJson(a, b)).toBe(equal);
      expect(equalJson(b, a)).toBe(equal);
    }
  });
});
