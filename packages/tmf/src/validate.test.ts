import { Ajv } from 'ajv';
import { Type, type TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { assertValid, shareRepeatedSchemas } from './validate.ts';

// a TMF-like document type: shared reference types, and items and products nested by depth
const Ref = Type.Object({ id: Type.String(), href: Type.Optional(Type.String()), '@referredType': Type.Optional(Type.String()) });
const Characteristic = Type.Object({ name: Type.String(), value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]) });
const Price = Type.Object({ unit: Type.String({ minLength: 3, maxLength: 3 }), value: Type.Number({ minimum: 0 }) });

function product(depth: number): TSchema {
  const nested = depth > 0 ? product(depth - 1) : undefined;
  return Type.Object({
    id: Type.Optional(Type.String()),
    startDate: Type.Optional(Type.String({ format: 'date-time' })),
    characteristic: Type.Optional(Type.Array(Characteristic)),
    price: Type.Optional(Type.Array(Price)),
    relatedParty: Type.Optional(Type.Array(Ref)),
    product: Type.Optional(nested ? Type.Array(nested) : Type.Array(Type.Object({}), { maxItems: 0 })),
    relationship: Type.Optional(nested ? Type.Array(Type.Object({ type: Type.String(), product: nested })) : Type.Array(Type.Object({}), { maxItems: 0 })),
  });
}
const Product = product(2);
function item(depth: number): TSchema {
  return Type.Object({
    id: Type.String(),
    action: Type.Union(['add', 'modify', 'delete', 'noChange'].map((a) => Type.Literal(a))),
    product: Type.Optional(Product),
    offering: Type.Optional(Ref),
    item: Type.Optional(depth > 0 ? Type.Array(item(depth - 1)) : Type.Array(Type.Object({}), { maxItems: 0 })),
  });
}
const Order = Type.Object({
  id: Type.Optional(Type.String()),
  state: Type.Optional(Type.Union(['acknowledged', 'inProgress', 'completed'].map((s) => Type.Literal(s)))),
  relatedParty: Type.Optional(Type.Array(Ref)),
  billingAccount: Type.Optional(Ref),
  item: Type.Array(item(3), { minItems: 1 }),
});

const good = {
  id: 'o1', state: 'inProgress', relatedParty: [{ id: 'p1' }], billingAccount: { id: 'b1' },
  item: [{
    id: '01', action: 'add', offering: { id: 'off' },
    product: { characteristic: [{ name: 'speed', value: '1G' }], price: [{ unit: 'EUR', value: 30 }], product: [{ id: 'child', relatedParty: [{ id: 'p2' }] }] },
    item: [{ id: '02', action: 'noChange', item: [{ id: '03', action: 'delete', product: { id: 'x', relationship: [{ type: 'bundled', product: { id: 'y' } }] } }] }],
  }],
};

/** Variants of the good document, each wrong in one place, at every depth the schema nests. */
const bad: Array<[string, unknown]> = [
  ['no items', { ...good, item: [] }],
  ['unknown state', { ...good, state: 'done' }],
  ['party without id', { ...good, relatedParty: [{ href: 'x' }] }],
  ['item action', { ...good, item: [{ ...good.item[0], action: 'upgrade' }] }],
  ['characteristic value', { ...good, item: [{ ...good.item[0], product: { characteristic: [{ name: 'speed', value: { x: 1 } }] } }] }],
  ['price unit', { ...good, item: [{ ...good.item[0], product: { price: [{ unit: 'EURO', value: 1 }] } }] }],
  ['negative price', { ...good, item: [{ ...good.item[0], product: { price: [{ unit: 'EUR', value: -1 }] } }] }],
  ['nested product party', { ...good, item: [{ ...good.item[0], product: { product: [{ relatedParty: [{}] }] } }] }],
  ['relationship product deep', { ...good, item: [{ id: '01', action: 'add', product: { relationship: [{ type: 't', product: { relationship: [{ type: 'u', product: { price: [{ unit: 'EUR' }] } }] } }] } }] }],
  ['products nested too deep', { ...good, item: [{ id: '01', action: 'add', product: { product: [{ product: [{ product: [{ id: 'z' }] }] }] } }] }],
  ['sub-item action', { ...good, item: [{ id: '01', action: 'add', item: [{ id: '02', action: 'x' }] }] }],
  ['sub-sub-item offering', { ...good, item: [{ id: '01', action: 'add', item: [{ id: '02', action: 'add', item: [{ id: '03', action: 'add', offering: { name: 'n' } }] }] }] }],
  ['items nested too deep', { ...good, item: [{ id: '1', action: 'add', item: [{ id: '2', action: 'add', item: [{ id: '3', action: 'add', item: [{ id: '4', action: 'add', item: [{ id: '5', action: 'add' }] }] }] }] }] }],
];

describe('sharing repeated sub-schemas for validation', () => {
  it('makes the schema much smaller, with every repeated composite schema written once', () => {
    const shared = shareRepeatedSchemas(Order) as { $defs?: Record<string, unknown> };
    expect(Object.keys(shared.$defs ?? {}).length).toBeGreaterThan(3);
    expect(JSON.stringify(shared).length).toBeLessThan(JSON.stringify(Order).length / 3);
    // the input is left as it was: TypeBox schemas are shared by every route
    expect(JSON.stringify(Order)).not.toContain('$ref');
  });

  it('accepts and refuses exactly what the schema written out in full does, with the same first error', () => {
    const ajv = () => new Ajv({ strict: false, validateSchema: false, formats: { 'date-time': true } });
    const full = ajv().compile(Order as object);
    const shared = ajv().compile(shareRepeatedSchemas(Order));
    expect(full(good)).toBe(true);
    expect(shared(good)).toBe(true);
    for (const [what, doc] of bad) {
      expect(full(doc), what).toBe(false);
      expect(shared(doc), what).toBe(false);
      const [a, b] = [full.errors![0]!, shared.errors![0]!];
      expect({ at: b.instancePath, keyword: b.keyword, params: b.params }, what).toEqual({ at: a.instancePath, keyword: a.keyword, params: a.params });
    }
  });

  it('keeps the 400 of assertValid naming the attribute at depth', () => {
    expect(() => assertValid(Order, good, 'invalid Order')).not.toThrow();
    expect(() => assertValid(Order, bad[10]![1], 'invalid Order')).toThrow(/invalid Order: item\[0\]\.item\[0\]\.action/);
    expect(() => assertValid(Order, bad[4]![1], 'invalid Order')).toThrow(/item\[0\]\.product\.characteristic\[0\]\.value/);
  });

  it('follows a schema that refers to itself without looping', () => {
    const node: Record<string, unknown> = { type: 'object', properties: { name: { type: 'string' } } };
    (node['properties'] as Record<string, unknown>)['child'] = node;
    const shared = shareRepeatedSchemas({ type: 'object', properties: { root: node } });
    const v = new Ajv({ strict: false, validateSchema: false }).compile(shared);
    expect(v({ root: { name: 'a', child: { name: 'b', child: { name: 'c' } } } })).toBe(true);
    expect(v({ root: { child: { child: { name: 3 } } } })).toBe(false);
  });
});
