import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { badRequest } from '@operon/kernel';
import { normaliseDateTime } from '@operon/store';
import type { TSchema } from 'typebox';

// ajv-formats ships CommonJS; its default export is the function under ESM interop
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

// TMF schemas are large: without code optimisation and meta-schema checks (TypeBox builds valid
// schemas) they compile about 3× faster, at about a microsecond more per validation
const ajv = new Ajv({
  allErrors: false, strict: false, coerceTypes: false, useDefaults: false, removeAdditional: false,
  validateSchema: false, code: { optimize: false }, inlineRefs: false,
});
(addFormats as unknown as (a: Ajv) => void)(ajv);
// TMF specs name base64 content (attachments) by this format, which ajv-formats calls 'byte'
ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);

const compiled = new WeakMap<object, ValidateFunction>();

// keywords whose value is a schema, a list of schemas, or a map of names to schemas
const SCHEMA_VALUED = new Set(['items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const isComposite = (n: Record<string, unknown>) => 'properties' in n || 'items' in n || 'anyOf' in n || 'oneOf' in n || 'allOf' in n;

/**
 * The schema with every composite sub-schema that occurs more than once (the
 * same object: TMF types reuse theirs, and nested items and products repeat
 * whole subtrees) moved to `$defs` and referred to. ajv inlines a schema as
 * often as it occurs: TMF622's order, with its items and products nested a few
 * levels, compiles to megabytes of code in most of a second, in functions too
 * large for V8 to optimise. Shared, it compiles in a tenth of the time and
 * validates faster. What is valid and the errors reported do not change.
 */
export function shareRepeatedSchemas(root: object): object {
  const seen = new Map<object, number>();
  const count = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(count);
    const times = seen.get(n) ?? 0;
    seen.set(n, times + 1);
    if (times > 0) return;
    for (const [k, v] of Object.entries(n)) {
      if (SCHEMA_VALUED.has(k) || SCHEMA_LISTS.has(k)) count(v);
      else if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') Object.values(v).forEach(count);
    }
  };
  count(root);
  const defs: Record<string, unknown> = {};
  const names = new Map<object, string>();
  const rewrite = (n: unknown): unknown => {
    if (!n || typeof n !== 'object') return n;
    if (Array.isArray(n)) return n.map(rewrite);
    const node = n as Record<string, unknown>;
    if ((seen.get(node) ?? 0) < 2 || !isComposite(node)) return copy(node);
    let name = names.get(node);
    if (!name) {
      name = `s${names.size}`;
      names.set(node, name);
      defs[name] = copy(node);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const copy = (node: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      // an $id below the root would change what '#' means inside it
      if (k === '$id' && node !== root) continue;
      if (SCHEMA_VALUED.has(k) || SCHEMA_LISTS.has(k)) out[k] = rewrite(v);
      else if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, rewrite(s)]));
      else out[k] = v;
    }
    return out;
  };
  const shared = copy(root as Record<string, unknown>);
  if (names.size > 0) shared['$defs'] = { ...(shared['$defs'] as object | undefined), ...defs };
  return shared;
}

function fieldOf(e: ErrorObject): string {
  const base = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  const missing = (e.params as { missingProperty?: string }).missingProperty;
  if (missing) return base ? `${base}.${missing}` : missing;
  return base;
}

/** Validates `value` against a TypeBox schema; the first problem becomes a 400 naming the attribute. */
export function assertValid(schema: TSchema, value: unknown, what: string): void {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(shareRepeatedSchemas(schema));
    compiled.set(schema, fn);
  }
  if (fn(value)) return;
  const e = fn.errors![0]!;
  const field = fieldOf(e);
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'enum') message += `: ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`;
  if (e.keyword === 'required') message = 'is required';
  throw badRequest(`${what}: ${field || 'body'} ${message}`, field);
}

type JsonSchemaNode = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
};

const holdsDates = new WeakMap<object, boolean>();

/** Whether any `date-time` attribute sits at or below this schema node (cached: schemas do not change). */
function hasDates(node: JsonSchemaNode): boolean {
  const known = holdsDates.get(node);
  if (known !== undefined) return known;
  holdsDates.set(node, false); // guards against cycles while computing
  const children = [
    ...Object.values(node.properties ?? {}),
    ...(node.items ? [node.items] : []),
    ...(node.anyOf ?? []),
    ...(node.oneOf ?? []),
    ...(node.allOf ?? []),
  ];
  const result = node.format === 'date-time' || children.some(hasDates);
  holdsDates.set(node, result);
  return result;
}

/**
 * Rewrites every `date-time` attribute to UTC with milliseconds, so that stored
 * values compare correctly as strings in filters and sorts. Values that are not
 * valid date-times are left for the validator to reject.
 */
export function normaliseDates(schema: TSchema, value: unknown): unknown {
  const node = schema as JsonSchemaNode;
  if (!hasDates(node)) return value;
  if (typeof value === 'string') {
    const dateSchemas = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])];
    if (dateSchemas.some((n) => n.format === 'date-time')) return normaliseDateTime(value) ?? value;
    return value;
  }
  if (Array.isArray(value)) return node.items ? value.map((v) => normaliseDates(node.items as TSchema, v)) : value;
  if (value && typeof value === 'object') {
    const props = { ...(node.properties ?? {}) };
    for (const sub of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) Object.assign(props, sub.properties ?? {});
    if (Object.keys(props).length === 0) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = props[k] ? normaliseDates(props[k] as TSchema, v) : v;
    return out;
  }
  return value;
}
