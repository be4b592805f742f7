import { unprocessable, type RequestContext } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import type { Doc } from '../resource.ts';
import { listOf, str } from './json.ts';
import { IN_USE, describeEntity, isDependency, isLocal } from './values.ts';

/*
 * "In use" rules of a catalog: what something Active or Launched relies on
 * (a specification a candidate publishes or an offering sells, a
 * specification another depends on) is not retired or deleted under it, and
 * nothing is put in use on top of what is not.
 */

export interface NamedRow {
  id: string;
  name: string | null;
}

/**
 * Entities of `table` in one of `states` whose document contains one of
 * `containment` (JSON containment, so any depth of lists): who still uses something.
 */
export async function usersOf(q: Queryable, table: string, states: readonly string[], containment: readonly Doc[], limit = 10): Promise<NamedRow[]> {
  if (containment.length === 0) return [];
  const alts = containment.map((_, i) => `doc @> $${i + 3}::jsonb`).join(' OR ');
  const r = await q.query<NamedRow>(
    `SELECT id, doc->>'name' AS name FROM ${table} WHERE status = ANY($1::text[]) AND (${alts}) ORDER BY id LIMIT $2`,
    [states, limit, ...containment.map((c) => JSON.stringify(c))],
  );
  return r.rows;
}

/** Refuses with the users named, e.g. "product offering price 7 is still used by launched product offering 'Fibre' (9)". */
export function refuseIfUsed(users: readonly NamedRow[], what: string, by: string, field?: string): void {
  if (users.length === 0) return;
  throw unprocessable(
    `${what} is still used by ${users.map((u) => describeEntity(by, u)).join(', ')}; retire or change ${users.length > 1 ? 'them' : 'it'} first`,
    field,
  );
}

/** Where an API keeps its specifications and how it names them in errors. */
export interface SpecificationTable {
  table: string;
  /** e.g. `service specification` */
  kind: string;
}

export interface SpecRow extends NamedRow {
  status: string | null;
  type: string | null;
}

/**
 * Local specifications by id. With `lock`, rows are share-locked in id order
 * so that a dependency cannot be retired while something is being put in use
 * on top of it.
 */
export async function specificationsById(q: Queryable, table: string, ids: readonly string[], lock: boolean): Promise<Map<string, SpecRow>> {
  if (ids.length === 0) return new Map();
  const r = await q.query<SpecRow>(
    `SELECT id, doc->>'name' AS name, status, doc->>'@type' AS type FROM ${table} WHERE id = ANY($1::text[]) ORDER BY id${lock ? ' FOR SHARE' : ''}`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((row) => [row.id, row]));
}

/** A specification something is about to rely on must exist here and be Active or Launched. */
export function mustBeInUse(row: { id: string; name: string | null; status: string | null } | undefined, id: string, field: string, kind: string, why: string): void {
  if (!row) throw unprocessable(`${kind} ${id} does not exist in this catalog; ${why}`, field);
  if (!IN_USE.includes(row.status ?? '')) {
    throw unprocessable(`${describeEntity(kind, row)} is ${row.status ?? 'without status'}; it must be Active or Launched first (${why})`, field);
  }
}

export interface DependencyOptions extends SpecificationTable {
  /** Attribute listing the relationships to other specifications of this API. */
  relationshipKey: string;
  /** Base path of the API: references into it are local, others federated. */
  basePath: string;
}

/** Every local specification this one depends on (by a dependency relationship) must be in use before this one can be. */
export async function checkLocalDependencies(doc: Doc, ctx: RequestContext, q: Queryable, o: DependencyOptions): Promise<void> {
  const why = `'${String(doc['name'])}' depends on it`;
  const rels = listOf(doc[o.relationshipKey])
    .map((r, i) => ({ r, i, id: str(r['id']) }))
    .filter((x): x is { r: Doc; i: number; id: string } => x.id !== undefined && isDependency(x.r['relationshipType']) && isLocal(x.r, ctx, o.basePath));
  const found = await specificationsById(q, o.table, rels.map((x) => x.id), true);
  for (const { i, id } of rels) mustBeInUse(found.get(id), id, `${o.relationshipKey}[${i}].id`, o.kind, why);
}

export interface SpecificationUsers {
  specification: Omit<DependencyOptions, 'basePath'>;
  candidate: { table: string; kind: string; /** Attribute of a candidate referring to its specification. */ specificationKey: string };
}

/** Candidates and specifications in use that rely on the specification `id`, described for an error. */
export async function usersOfSpecification(id: string, q: Queryable, o: SpecificationUsers): Promise<string[]> {
  const candidates = await q.query<NamedRow>(
    `SELECT id, doc->>'name' AS name FROM ${o.candidate.table} WHERE doc->'${o.candidate.specificationKey}'->>'id' = $1 AND status = ANY($2::text[]) ORDER BY id LIMIT 10`,
    [id, IN_USE],
  );
  const key = o.specification.relationshipKey;
  const specs = await q.query<NamedRow & { rels: unknown }>(
    `SELECT id, doc->>'name' AS name, doc->'${key}' AS rels FROM ${o.specification.table}
      WHERE doc @> $1::jsonb AND status = ANY($2::text[]) AND id <> $3 ORDER BY id`,
    [JSON.stringify({ [key]: [{ id }] }), IN_USE, id],
  );
  const dependents = specs.rows.filter((s) => listOf(s.rels).some((r) => r['id'] === id && isDependency(r['relationshipType'])));
  return [...candidates.rows.map((c) => describeEntity(o.candidate.kind, c)), ...dependents.map((s) => describeEntity(o.specification.kind, s))];
}

/** Refuses to retire or delete a specification that `users` (Active or Launched) rely on. */
export function assertUnused(doc: Doc, users: readonly string[], kind: string, action: 'retired' | 'deleted'): void {
  if (users.length === 0) return;
  const one = users.length === 1;
  throw unprocessable(
    `${kind} '${String(doc['name'])}' cannot be ${action}: ${users.join(', ')} ${one ? 'relies' : 'rely'} on it and ${one ? 'is' : 'are'} Active or Launched`,
    'lifecycleStatus',
  );
}
