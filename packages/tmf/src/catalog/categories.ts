import { unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import type { ChangeInfo, Doc } from '../resource.ts';
import { idOf, idsOf, listOf, str } from './json.ts';
import { IN_USE, describeEntity, enters } from './values.ts';

/*
 * Category trees, as every catalog keeps them: a category names its parent
 * (`parentId`) and may list its children (`subCategory` in TMF620, `category`
 * in TMF633 and TMF634). Both kinds of link count: the tree has no cycle
 * either way, and a child has one parent.
 */

export interface CategoryTree {
  /** Table of the API's categories. */
  table: string;
  /** Attribute listing the child categories. */
  childrenKey: string;
}

/** A category created without a parent is a root; saying so lets clients find the roots with ?isRoot=true. */
export function deriveRoot(doc: Doc): void {
  doc['isRoot'] ??= doc['parentId'] === undefined;
}

const MAX_DEPTH = 1000;

/**
 * Refuses a category (as it is about to be written) that contradicts itself
 * (a root with a parent, its own parent or child, a parent that is also a
 * child), takes a child another category is parent of, or closes a cycle: it
 * walks up from the category and refuses if it reaches the category itself or
 * one of its children.
 */
export async function checkCategoryTree(doc: Doc, q: Queryable, tree: CategoryTree): Promise<void> {
  const self = String(doc['id']);
  const parentId = str(doc['parentId']);
  const key = tree.childrenKey;
  if (parentId === self) throw unprocessable('a category cannot be its own parent', 'parentId');
  if (doc['isRoot'] === true && parentId !== undefined) throw unprocessable('a root category (isRoot true) cannot have a parentId', 'parentId');
  const children = listOf(doc[key]).map((c) => idOf(c));
  children.forEach((c, i) => {
    if (c === self) throw unprocessable(`${key}[${i}]: a category cannot be its own sub-category`, `${key}[${i}].id`);
    if (c !== undefined && c === parentId) throw unprocessable(`${key}[${i}]: category ${c} is the parent of this category`, `${key}[${i}].id`);
  });
  const subs = children.filter((x): x is string => x !== undefined);

  // two changes checked side by side could each be fine and together close a cycle: one at a time
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tree.table]);

  if (subs.length) {
    const r = await q.query<{ id: string; parent: string | null }>(`SELECT id, doc->>'parentId' AS parent FROM ${tree.table} WHERE id = ANY($1::text[])`, [subs]);
    for (const row of r.rows) {
      if (row.parent !== null && row.parent !== self) {
        throw unprocessable(`category ${row.id} already has parent ${row.parent}; it cannot also be a sub-category of ${self}`, `${key}[${subs.indexOf(row.id)}].id`);
      }
    }
  }

  const forbidden = new Set([self, ...subs]);
  const visited = new Set<string>();
  let frontier = [self];
  for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
    const parents = new Set<string>();
    // this category's own parent is the one being written, not the stored one
    if (frontier.includes(self) && parentId !== undefined) parents.add(parentId);
    const others = frontier.filter((id) => id !== self);
    if (others.length) {
      const r = await q.query<{ parent: string | null }>(`SELECT doc->>'parentId' AS parent FROM ${tree.table} WHERE id = ANY($1::text[])`, [others]);
      for (const row of r.rows) if (row.parent !== null) parents.add(row.parent);
    }
    // categories listing a frontier node as a child are parents too (this one's own list excluded: it is being rewritten)
    const listing = await q.query<{ id: string }>(
      `SELECT id FROM ${tree.table} WHERE id <> $1 AND (${frontier.map((_, i) => `doc @> $${i + 2}::jsonb`).join(' OR ')})`,
      [self, ...frontier.map((id) => JSON.stringify({ [key]: [{ id }] }))],
    );
    for (const row of listing.rows) parents.add(row.id);
    for (const p of parents) {
      if (!forbidden.has(p)) continue;
      throw p === self
        ? unprocessable('this change would make the category its own ancestor: a category tree (parentId, and children listed in ' + key + ') has no cycles', parentId !== undefined ? 'parentId' : key)
        : unprocessable(`category ${p} is listed in ${key} of this category and cannot also be its ancestor (parentId)`, 'parentId');
    }
    frontier = [...parents].filter((p) => !visited.has(p));
    frontier.forEach((p) => visited.add(p));
  }
}

/** Categories below `doc`: those naming it as parent, and those it lists; only in `states` when given. */
export async function subCategories(doc: Doc, q: Queryable, tree: CategoryTree, states?: readonly string[]): Promise<{ id: string; name: string | null }[]> {
  const params: unknown[] = [String(doc['id']), idsOf(doc[tree.childrenKey])];
  if (states) params.push(states);
  const r = await q.query<{ id: string; name: string | null }>(
    `SELECT id, doc->>'name' AS name FROM ${tree.table}
      WHERE (doc->>'parentId' = $1 OR id = ANY($2::text[])) AND id <> $1 ${states ? 'AND status = ANY($3::text[])' : ''} ORDER BY id LIMIT 10`,
    params,
  );
  return r.rows;
}

/** A category is retired only once its sub-categories are no longer in use: none is left active under a retired parent. */
export async function checkCategoryRetirement(doc: Doc, change: ChangeInfo, q: Queryable, tree: CategoryTree): Promise<void> {
  if (!enters(doc, change, 'Retired')) return;
  const active = await subCategories(doc, q, tree, IN_USE);
  if (active.length > 0) {
    throw unprocessable(
      `category '${String(doc['name'])}' cannot be retired while its sub-categories ${active.map((c) => describeEntity('category', c)).join(', ')} are Active or Launched`,
      'lifecycleStatus',
    );
  }
}

/** A category with sub-categories naming it as parent is not deleted: they would be left pointing at nothing. */
export async function refuseDeleteWithSubCategories(doc: Doc, q: Queryable, tree: CategoryTree): Promise<void> {
  const children = await subCategories({ id: doc['id'] }, q, tree);
  if (children.length > 0) {
    throw unprocessable(
      `category '${String(doc['name'])}' still has sub-categories (${children.map((c) => describeEntity('category', c)).join(', ')}); move or delete them first`,
      'id',
    );
  }
}

/** The categories a catalog lists are its roots (TMF620 and TMF634 say so of `Catalog.category`). */
export async function checkCatalogRoots(doc: Doc, q: Queryable, categoryTable: string): Promise<void> {
  const ids = idsOf(doc['category']);
  if (!ids.length) return;
  const r = await q.query<{ id: string; parent: string | null }>(`SELECT id, doc->>'parentId' AS parent FROM ${categoryTable} WHERE id = ANY($1::text[])`, [ids]);
  for (const row of r.rows) {
    if (row.parent !== null) {
      throw unprocessable(`category ${row.id} is a sub-category of ${row.parent}; a catalog lists root categories only`, `category[${ids.indexOf(row.id)}].id`);
    }
  }
}
