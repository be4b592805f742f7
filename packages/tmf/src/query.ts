import { badRequest } from '@operon/kernel';
import type { Filter, FilterOp, ListQuery, SortKey } from '@operon/store';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 1000;

const RESERVED = new Set(['fields', 'sort', 'offset', 'limit', 'depth', 'expand']);
const OPS = new Set<FilterOp>(['eq', 'gt', 'gte', 'lt', 'lte']);
const SEGMENT = /^[@A-Za-z_$][\w$@-]*$/;

export interface ParsedListQuery extends ListQuery {
  fields?: string[][];
}

function one(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw badRequest(`query parameter '${name}' given more than once`, name);
  return String(v);
}

function nonNegativeInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw badRequest(`query parameter '${name}' must be a non-negative integer, got '${v}'`, name);
  // beyond 2^53 the number is no longer exact, and PostgreSQL refuses what exceeds a bigint
  if (!Number.isSafeInteger(Number(v))) throw badRequest(`query parameter '${name}' is too large`, name);
  return Number(v);
}

function pathOf(key: string, param: string): string[] {
  const path = key.split('.');
  for (const seg of path) {
    if (!SEGMENT.test(seg)) throw badRequest(`'${param}' is not a valid attribute path`, param);
  }
  return path;
}

/**
 * Reads the TMF630 list parameters: `fields`, `sort`, `offset`, `limit` and
 * attribute filters (`a=v`, `a=v1,v2`, `a.b=v`, `a.gt=v` …). `known` names the
 * top-level attributes a filter or sort may start with; anything else is a 400,
 * so a misspelt filter never silently returns everything.
 */
export function parseListQuery(query: Record<string, unknown>, known: ReadonlySet<string>): ParsedListQuery {
  const offset = nonNegativeInt(one(query['offset'], 'offset'), 'offset', 0);
  const limit = nonNegativeInt(one(query['limit'], 'limit'), 'limit', DEFAULT_LIMIT);
  if (limit === 0 || limit > MAX_LIMIT) throw badRequest(`query parameter 'limit' must be between 1 and ${MAX_LIMIT}`, 'limit');

  const checkKnown = (path: string[], param: string) => {
    if (!known.has(path[0]!)) throw badRequest(`'${path[0]}' is not an attribute of this resource`, param);
  };

  const sort: SortKey[] = [];
  const sortParam = one(query['sort'], 'sort');
  if (sortParam) {
    for (const raw of sortParam.split(',')) {
      const key = raw.trim();
      if (!key) continue;
      const desc = key.startsWith('-');
      const path = pathOf(key.replace(/^[-+]/, ''), 'sort');
      checkKnown(path, 'sort');
      sort.push({ path, desc });
    }
  }

  let fields: string[][] | undefined;
  const fieldsParam = one(query['fields'], 'fields');
  if (fieldsParam !== undefined && fieldsParam.trim() !== '') {
    fields = fieldsParam
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => pathOf(f, 'fields'));
  }

  const filters: Filter[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (RESERVED.has(key)) continue;
    const segs = pathOf(key, key);
    let op: FilterOp = 'eq';
    const last = segs[segs.length - 1]!;
    if (segs.length > 1 && OPS.has(last as FilterOp)) {
      op = last as FilterOp;
      segs.pop();
    }
    checkKnown(segs, key);
    const rawValues = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    // repeated parameters AND together; commas inside one parameter OR together
    for (const rv of rawValues) {
      const values = rv.split(',').map((v) => v.trim()).filter((v) => v !== '');
      if (values.length === 0) throw badRequest(`filter '${key}' has no value`, key);
      if (op !== 'eq' && values.length > 1) throw badRequest(`filter '${key}' takes a single value`, key);
      filters.push({ path: segs, op, values });
    }
  }
  return { filters, sort, offset, limit, ...(fields ? { fields } : {}) };
}

const ALWAYS = ['id', 'href', '@type'];

/** Keeps only the requested attributes (plus id, href and @type), nested paths included. */
export function project<T extends Record<string, unknown>>(doc: T, fields: string[][] | undefined): Partial<T> {
  if (!fields) return doc;
  const out: Record<string, unknown> = {};
  for (const k of ALWAYS) if (k in doc) out[k] = doc[k];
  for (const path of fields) copyPath(doc, out, path);
  return out as Partial<T>;
}

function copyPath(src: unknown, dst: Record<string, unknown>, path: string[]): void {
  if (!src || typeof src !== 'object') return;
  const [head, ...rest] = path;
  const value = (src as Record<string, unknown>)[head!];
  if (value === undefined) return;
  if (rest.length === 0) {
    dst[head!] = value;
    return;
  }
  if (Array.isArray(value)) {
    const prev = (dst[head!] as Record<string, unknown>[] | undefined) ?? value.map(() => ({}));
    value.forEach((v, i) => copyPath(v, prev[i]!, rest));
    dst[head!] = prev;
  } else if (value && typeof value === 'object') {
    const prev = (dst[head!] as Record<string, unknown> | undefined) ?? {};
    copyPath(value, prev, rest);
    dst[head!] = prev;
  }
}
