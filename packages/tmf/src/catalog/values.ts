import type { RequestContext } from '@operon/kernel';
import type { ChangeInfo, Doc } from '../resource.ts';
import { sameJson, str } from './json.ts';

/** States in which a catalog entity is in use: others may rely on it, sell it or publish it. */
export const IN_USE: readonly string[] = ['Active', 'Launched'];

export const statusOf = (d: Doc | undefined): string | undefined => str(d?.['lifecycleStatus']);
export const isInUse = (d: Doc | undefined): boolean => IN_USE.includes(statusOf(d) ?? '');

/** True when one of `keys` differs between the two versions (always on create). */
export function changedAny(doc: Doc, before: Doc | undefined, keys: readonly string[]): boolean {
  return before === undefined || keys.some((k) => !sameJson(doc[k], before[k]));
}

/** True when the change puts the entity in use from a state that was not. */
export const becomesInUse = (doc: Doc, change: ChangeInfo): boolean => isInUse(doc) && !isInUse(change.before);

/** True when the change moves the entity to `state`. */
export const enters = (doc: Doc, change: ChangeInfo, state: string): boolean => statusOf(doc) === state && statusOf(change.before) !== state;

/**
 * A reference is local when it carries no hyperlink or one into `apiPath` on
 * this server; any other hyperlink points at a federated catalog, which is
 * trusted rather than checked.
 */
export function isLocal(ref: Doc, ctx: RequestContext, apiPath: string): boolean {
  const href = str(ref['href']);
  return href === undefined || href.startsWith(`${ctx.baseUrl}${apiPath}/`);
}

/**
 * Relationship types that name an alternative rather than something needed
 * (TMF633 and TMF634 list dependency, substitution, exclusivity and
 * migration); every other type, custom ones included, is a dependency.
 */
const NOT_DEPENDENCY = new Set(['exclusivity', 'substitution', 'migration']);

export const isDependency = (relationshipType: unknown): boolean =>
  typeof relationshipType !== 'string' || !NOT_DEPENDENCY.has(relationshipType.trim().toLowerCase());

/** `kind 'name' (id)`, how rules name an entity in an error. */
export const describeEntity = (kind: string, row: { id: string; name: string | null | undefined }): string => `${kind} '${row.name ?? ''}' (${row.id})`;

/** A reference to an entity as clients read it. */
export interface CatalogReference {
  id: string;
  href?: string;
  name?: string;
  [attribute: string]: unknown;
}

/** A catalog entity as clients read it: what every one has; other attributes are unknown until looked at. */
export interface CatalogEntity extends CatalogReference {
  href: string;
  name: string;
  '@type': string;
  '@baseType'?: string;
  lifecycleStatus: string;
  lastUpdate: string;
  description?: string;
  version?: string;
}
