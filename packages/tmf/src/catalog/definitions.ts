import { unprocessable, type Lifecycle, type RequestContext } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import type { TObject } from 'typebox';
import type { ChangeInfo, Doc, ResourceDefinition } from '../resource.ts';
import { checkCatalogRoots, checkCategoryRetirement, checkCategoryTree, deriveRoot, refuseDeleteWithSubCategories, type CategoryTree } from './categories.ts';
import { assertUnused, checkLocalDependencies, mustBeInUse, specificationsById, usersOfSpecification } from './in-use.ts';
import { checkTimePeriods } from '../rules.ts';
import { isObject, str } from './json.ts';
import { becomesInUse, changedAny, enters, isInUse, isLocal } from './values.ts';

/*
 * The resource definitions every catalog has in the same form: catalog,
 * category and candidate, and the specification of the catalogs of candidates. Each API passes its names, table, schema and the
 * few things that differ.
 */

export interface CatalogEntityOptions {
  name: string;
  type: string;
  table: string;
  schema: TObject;
  lifecycle: Lifecycle;
  /** TMF633 and TMF634 define one ChangeEvent for state and attribute changes alike. */
  changeEvents?: 'separate' | 'combined';
  /** Attributes that never change after create (e.g. `@type`). */
  immutable?: readonly string[];
  /** Kept in memory between reads (ResourceDefinition.cached). */
  cached?: boolean;
}

function base(o: CatalogEntityOptions): ResourceDefinition {
  return {
    name: o.name,
    type: o.type,
    table: o.table,
    schema: o.schema,
    lifecycle: o.lifecycle,
    lastUpdate: 'lastUpdate',
    ...(o.changeEvents ? { changeEvents: o.changeEvents } : {}),
    ...(o.immutable ? { immutable: o.immutable } : {}),
    ...(o.cached ? { cached: true } : {}),
  };
}

export interface CatalogOptions extends CatalogEntityOptions {
  /** Table of the categories when the specification says a catalog lists root categories only (TMF620, TMF634). */
  rootCategoriesIn?: string;
}

/** A catalog: valid periods, and (where the specification says so) root categories only. */
export function catalogDefinition(o: CatalogOptions): ResourceDefinition {
  const roots = o.rootCategoriesIn;
  return {
    ...base(o),
    async validate(doc, change, _ctx, q) {
      checkTimePeriods(doc);
      if (roots !== undefined && changedAny(doc, change.before, ['category'])) await checkCatalogRoots(doc, q, roots);
    },
  };
}

export interface CategoryOptions extends CatalogEntityOptions {
  /** Attribute listing the child categories: `subCategory` (TMF620) or `category` (TMF633, TMF634). */
  childrenKey: string;
}

/** A category: a root unless it has a parent, in a tree without cycles, never retired over active children nor deleted from under them. */
export function categoryDefinition(o: CategoryOptions): ResourceDefinition {
  const tree: CategoryTree = { table: o.table, childrenKey: o.childrenKey };
  return {
    ...base(o),
    onCreate(doc) {
      deriveRoot(doc);
    },
    async validate(doc, change, _ctx, q) {
      checkTimePeriods(doc);
      if (changedAny(doc, change.before, ['parentId', tree.childrenKey, 'isRoot'])) await checkCategoryTree(doc, q, tree);
      await checkCategoryRetirement(doc, change, q, tree);
    },
    async beforeDelete(doc, _ctx, q) {
      await refuseDeleteWithSubCategories(doc, q, tree);
    },
  };
}

export interface CandidateOptions extends CatalogEntityOptions {
  /** The specification a candidate publishes. */
  specification: {
    /** Attribute of the candidate referring to it, e.g. `serviceSpecification`. */
    key: string;
    table: string;
    /** e.g. `service specification` */
    kind: string;
    /** Base path of the API: references into it are checked, others trusted. */
    basePath: string;
  };
}

/** A candidate is put in use only with a specification that is in use (when it is held here). */
export function candidateDefinition(o: CandidateOptions): ResourceDefinition {
  const s = o.specification;
  return {
    ...base(o),
    async validate(doc, change, ctx, q) {
      checkTimePeriods(doc);
      if (!isInUse(doc) || !(becomesInUse(doc, change) || changedAny(doc, change.before, [s.key]))) return;
      const spec = doc[s.key];
      // a candidate exists to publish a specification: one without is not ready for use
      if (!isObject(spec)) throw unprocessable(`a candidate needs a ${s.key} before it can be Active or Launched`, s.key);
      if (!isLocal(spec, ctx, s.basePath)) return;
      const id = str(spec['id']) ?? '';
      const found = await specificationsById(q, s.table, [id], true);
      mustBeInUse(found.get(id), id, `${s.key}.id`, s.kind, `candidate '${String(doc['name'])}' makes it available`);
    },
  };
}

export interface SpecificationOptions extends CatalogEntityOptions {
  /** Subclasses a specification may be of (its `@type`); theirs get the base type as `@baseType`. */
  subclasses: readonly string[];
  /** e.g. `service specification` */
  kind: string;
  /** Attribute listing the relationships to other specifications of this API. */
  relationshipKey: string;
  /** Attributes whose change re-checks the dependencies of a specification in use. */
  dependencyKeys: readonly string[];
  basePath: string;
  /** The candidates that publish a specification. */
  candidate: { table: string; kind: string; specificationKey: string };
  /** The specification's own rules, on every write. */
  check(doc: Doc): void;
  /** Further rules on every write (e.g. layering across specifications). */
  checkMore?(doc: Doc, change: ChangeInfo, ctx: RequestContext, q: Queryable): Promise<void>;
  /** What else must be in use before the specification is (e.g. specifications of another API). */
  dependsOnMore?(doc: Doc, ctx: RequestContext, q: Queryable): Promise<void>;
  /** Who else relies on the specification (e.g. known from another API's events), described for an error. */
  moreUsers?(doc: Doc, q: Queryable): Promise<string[]>;
}

/**
 * A specification of a catalog of candidates (TMF633, TMF634): keeps its class, is put in use
 * only once the local specifications it depends on are, and is neither retired nor deleted
 * while a candidate or specification in use relies on it.
 */
export function specificationDefinition(o: SpecificationOptions): ResourceDefinition {
  const users = async (doc: Doc, q: Queryable) => [
    ...(await usersOfSpecification(String(doc['id']), q, { specification: { table: o.table, kind: o.kind, relationshipKey: o.relationshipKey }, candidate: o.candidate })),
    ...((await o.moreUsers?.(doc, q)) ?? []),
  ];
  return {
    ...base(o),
    // a specification turned into another class would silently break everything built from it
    immutable: o.immutable ?? ['@type'],
    onCreate(doc) {
      const type = doc['@type'];
      if (typeof type === 'string' && o.subclasses.includes(type)) doc['@baseType'] ??= o.type;
    },
    async validate(doc, change, ctx, q) {
      o.check(doc);
      await o.checkMore?.(doc, change, ctx, q);
      if (isInUse(doc) && (becomesInUse(doc, change) || changedAny(doc, change.before, o.dependencyKeys))) {
        await checkLocalDependencies(doc, ctx, q, { table: o.table, kind: o.kind, relationshipKey: o.relationshipKey, basePath: o.basePath });
        await o.dependsOnMore?.(doc, ctx, q);
      }
      if (enters(doc, change, 'Retired')) assertUnused(doc, await users(doc, q), o.kind, 'retired');
    },
    async beforeDelete(doc, _ctx, q) {
      assertUnused(doc, await users(doc, q), o.kind, 'deleted');
    },
  };
}
