import { describe, expect, it } from 'vitest';
import { defineLifecycle } from './lifecycle.ts';
import { OperonError } from './errors.ts';
import { newId } from './ids.ts';

const lc = defineLifecycle({
  name: 'Test',
  field: 'state',
  initial: 'a',
  creatable: ['a', 'b'],
  transitions: { a: ['b'], b: ['c', 'a'], c: [] },
  deletable: ['a', 'c'],
});

describe('lifecycle', () => {
  it('allows listed transitions and staying put', () => {
    expect(lc.canMove('a', 'b')).toBe(true);
    expect(lc.canMove('b', 'b')).toBe(true);
    expect(() => lc.assertMove('b', 'c')).not.toThrow();
  });
  it('refuses forbidden jumps with 422 and names the allowed ones', () => {
    try {
      lc.assertMove('a', 'c');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OperonError);
      expect((e as OperonError).status).toBe(422);
      expect((e as OperonError).message).toContain("allowed from 'a': b");
    }
  });
  it('refuses unknown states with 400', () => {
    expect(() => lc.assertMove('a', 'zz')).toThrow(/not a valid state/);
  });
  it('knows terminal, creatable and deletable states', () => {
    expect(lc.isTerminal('c')).toBe(true);
    expect(() => lc.assertCreatable('c')).toThrow(OperonError);
    expect(() => lc.assertDeletable('b')).toThrow(/cannot be deleted/);
    expect(() => lc.assertDeletable('c')).not.toThrow();
  });
  it('rejects a table that names an unknown state', () => {
    expect(() => defineLifecycle({ name: 'Bad', field: 's', initial: 'a', transitions: { a: ['x' as 'a'] } })).toThrow(/unknown state/);
  });
});

describe('newId', () => {
  it('is a sortable UUIDv7', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
