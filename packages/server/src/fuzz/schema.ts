/**
 * Generators driven by a route's JSON schema (as the OpenAPI document gives
 * it): documents of the right shape, and one mutation applied at one place of
 * such a document.
 */
import fc from 'fast-check';
import { DEPTH_LIMIT, PROTO_KEYS, hostileString, hostileValue, long } from './hostile.ts';
import { DuplicateKeys, isPlainObject, setOwn, type FuzzJson, type FuzzObject } from './json.ts';

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  minItems?: number;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

/** Where a callback or URL may point without the server reaching anything: a closed port on loopback. */
export const SAFE_URIS = ['http://127.0.0.1:9/fuzz', 'https://127.0.0.1:9/fuzz/listener', 'urn:operon:fuzz', 'http://[::1]:9/x?y=1#z'];

const MAX_DEPTH = 5;

const dateTime = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().replace(/\.\d{3}Z$/, 'Z'), d.toISOString().replace('Z', '+02:00')));

const plainString = fc.oneof(
  fc.constantFrom('Fuzz', 'Operon', 'Jane Doe', 'active', 'Launched', 'In design', 'owner', 'EUR', 'email', 'x'),
  fc.string({ minLength: 1, maxLength: 12 }),
);

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

/** A value that has the schema's shape (types, required attributes, enums, formats). */
export function valueOf(schema: JsonSchema, depth = 0): fc.Arbitrary<FuzzJson> {
  if (schema.const !== undefined) return fc.constant(schema.const as FuzzJson);
  if (schema.enum?.length) return fc.constantFrom(...(schema.enum as FuzzJson[]));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueOf(s, depth)));
  if (schema.allOf?.length) return valueOf(Object.assign({}, ...schema.allOf) as JsonSchema, depth);
  const types = typesOf(schema);
  if (types.length === 0) return depth >= MAX_DEPTH ? fc.constant('x') : (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<FuzzJson>);
  return fc.oneof(...types.map((t) => valueOfType(schema, t, depth)));
}

function valueOfType(schema: JsonSchema, type: string, depth: number): fc.Arbitrary<FuzzJson> {
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return dateTime;
      if (schema.format === 'uri') return fc.constantFrom(...SAFE_URIS);
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return schema.minLength ? plainString.map((s) => s.padEnd(schema.minLength!, 'x')) : plainString;
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: 100_000 });
    case 'number':
      return fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth >= MAX_DEPTH) return fc.constant([]);
      return fc.array(schema.items ? valueOf(schema.items, depth + 1) : (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<FuzzJson>), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, 3),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      // deep down only what is required, so that documents stay small
      const keys = Object.keys(props).filter((k) => depth < MAX_DEPTH - 1 || required.has(k));
      const model: Record<string, fc.Arbitrary<FuzzJson>> = {};
      for (const k of keys) model[k] = valueOf(props[k]!, depth + 1);
      return fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) }) as fc.Arbitrary<FuzzObject>;
    }
    default:
      return fc.constant(null);
  }
}

// --- mutations --------------------------------------------------------------------------------

export type Path = readonly (string | number)[];

export type Mutation =
  | { kind: 'replace'; value: FuzzJson }
  | { kind: 'remove' }
  | { kind: 'removeRequired' }
  | { kind: 'extraKey'; key: string; value: FuzzJson }
  | { kind: 'wrapInArray' }
  | { kind: 'arrayToObject' }
  | { kind: 'duplicateKey'; value: FuzzJson }
  | { kind: 'hugeString'; length: number }
  | { kind: 'nest'; depth: number; as: 'array' | 'object' }
  | { kind: 'none' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: hostileValue.map((value): Mutation => ({ kind: 'replace', value })) },
  { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'remove' }) },
  { weight: 3, arbitrary: fc.constant<Mutation>({ kind: 'removeRequired' }) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        key: fc.oneof(
          fc.constantFrom(...PROTO_KEYS, 'fuzzUnknown', '', 'a.b', '$where', 'id', 'href', '@type', '@schemaLocation', 'lastUpdate', '\u0000', 'k\u0000', '\ud800', long(300)),
          fc.string({ maxLength: 10 }),
        ),
        value: fc.oneof(hostileValue, fc.constantFrom<FuzzJson>({ fuzzPolluted: true }, 'x', 1)),
      })
      .map(({ key, value }): Mutation => ({ kind: 'extraKey', key, value })),
  },
  { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'wrapInArray' }) },
  { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'arrayToObject' }) },
  { weight: 1, arbitrary: hostileValue.map((value): Mutation => ({ kind: 'duplicateKey', value })) },
  { weight: 2, arbitrary: fc.constantFrom(1000, 70_000, 300_000, 1_100_000).map((length): Mutation => ({ kind: 'hugeString', length })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ depth: fc.oneof(fc.integer({ min: 1, max: DEPTH_LIMIT + 3 }), fc.constantFrom(100, 20_000)), as: fc.constantFrom<'array' | 'object'>('array', 'object') })
      .map(({ depth, as }): Mutation => ({ kind: 'nest', depth, as })),
  },
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
);

/** Every place of a value (the root included), up to `max` of them, shallow first. */
export function placesOf(value: FuzzJson, max = 300): Path[] {
  const out: Path[] = [];
  const queue: [FuzzJson, Path][] = [[value, []]];
  while (queue.length && out.length < max) {
    const [v, p] = queue.shift()!;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => queue.push([x, [...p, i]]));
    else if (isPlainObject(v)) for (const k of Object.keys(v)) queue.push([v[k]!, [...p, k]]);
  }
  return out;
}

function clone(v: FuzzJson): FuzzJson {
  if (Array.isArray(v)) return v.map(clone);
  if (isPlainObject(v)) {
    const o: FuzzObject = {};
    for (const k of Object.keys(v)) setOwn(o, k, clone(v[k]!));
    return o;
  }
  return v;
}

/** The schema of the place at `path`, when the schema says. */
function schemaAt(schema: JsonSchema | undefined, path: Path): JsonSchema | undefined {
  let s = schema;
  for (const seg of path) {
    if (!s) return undefined;
    const alt = s.anyOf ?? s.oneOf;
    if (alt) s = alt.find((a) => (typeof seg === 'number' ? a.items : a.properties?.[seg])) ?? alt[0];
    s = typeof seg === 'number' ? s?.items : s?.properties?.[seg];
  }
  return s;
}

function nestedAround(leaf: FuzzJson, depth: number, as: 'array' | 'object'): FuzzJson {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = as === 'array' ? [v] : { a: v };
  return v;
}

/** `value` with `m` applied at `path`; the schema says which attributes are required. */
export function applyMutation(value: FuzzJson, path: Path, m: Mutation, schema?: JsonSchema): FuzzJson {
  const root = clone(value);
  const transform = (node: FuzzJson): FuzzJson | undefined => {
    switch (m.kind) {
      case 'replace':
        return m.value;
      case 'remove':
        return undefined;
      case 'removeRequired': {
        if (!isPlainObject(node)) return undefined;
        const s = schemaAt(schema, path);
        const req = (s?.required ?? []).filter((k) => k in node);
        const victim = req[0] ?? Object.keys(node)[0];
        if (victim !== undefined) delete node[victim];
        return node;
      }
      case 'extraKey':
        if (isPlainObject(node)) {
          setOwn(node, m.key, m.value);
          return node;
        }
        return { [m.key]: m.value };
      case 'wrapInArray':
        return [node];
      case 'arrayToObject':
        if (Array.isArray(node)) return Object.fromEntries(node.map((x, i) => [String(i), x])) as FuzzObject;
        return isPlainObject(node) ? [node] : { value: node };
      case 'duplicateKey': {
        const entries = isPlainObject(node) ? Object.keys(node).map((k) => [k, node[k]!] as const) : [];
        const key = entries[0]?.[0] ?? 'name';
        return new DuplicateKeys([...entries, [key, m.value]]);
      }
      case 'hugeString':
        return long(m.length);
      case 'nest':
        return nestedAround(node, m.depth, m.as);
      case 'none':
        return node;
    }
  };
  if (path.length === 0) return transform(root) ?? null;
  let parent: FuzzJson = root;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string | number, FuzzJson>)[seg]!;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') {
    const next = transform(parent[last]!);
    if (next === undefined) parent.splice(last, 1);
    else parent[last] = next;
  } else if (isPlainObject(parent)) {
    const next = transform(parent[last as string]!);
    if (next === undefined) delete parent[last as string];
    else setOwn(parent, String(last), next);
  }
  return root;
}

/** A value of the shape, then at most one mutation at one of its places. */
export function mutated(base: fc.Arbitrary<FuzzJson>, schema?: JsonSchema): fc.Arbitrary<{ value: FuzzJson; note: string }> {
  return fc.record({ base, place: fc.nat(), m: mutation }).map(({ base: b, place, m }) => {
    const places = placesOf(b);
    const path = places[place % places.length]!;
    return { value: applyMutation(b, path, m, schema), note: `${m.kind}${'key' in m ? `(${JSON.stringify(m.key).slice(0, 40)})` : ''} at /${path.join('/')}` };
  });
}

/** A hostile string, for schema-less places that take text. */
export { hostileString };
