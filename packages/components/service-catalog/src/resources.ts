import { unprocessable, type RequestContext } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import {
  IN_USE, candidateDefinition, catalogDefinition, catalogJson, catalogLifecycle, categoryDefinition, changedAny, describeEntity, isLocal,
  specificationDefinition, type Doc, type ResourceDefinition,
} from '@operon/tmf';
import { SPECIFICATION_TYPES, checkLayering, checkSpecificationShape } from './rules.ts';
import { ServiceCandidate, ServiceCatalog, ServiceCategory, ServiceSpecification } from './schemas.ts';

export { SPECIFICATION_TYPES } from './rules.ts';

const { listOf, str } = catalogJson;

export const BASE_PATH = '/tmf-api/serviceCatalogManagement/v4';
/** What the API definition and the jobs share. */
export const API = { id: 'TMF633', name: 'serviceCatalogManagement', title: 'Service Catalog Management', version: '4.0.0', basePath: BASE_PATH } as const;
/** Where resource specifications live when the Resource Catalog runs on the same server. */
const RESOURCE_CATALOG_PATH = '/tmf-api/resourceCatalog/v4';

export const TABLES = {
  catalog: 'service_catalog_catalog',
  category: 'service_catalog_category',
  candidate: 'service_catalog_candidate',
  specification: 'service_catalog_specification',
  knownResourceSpec: 'service_catalog_known_resource_spec',
  importJob: 'service_catalog_import_job',
  exportJob: 'service_catalog_export_job',
  exportFile: 'service_catalog_export_file',
} as const;

export const serviceCatalogLifecycle = catalogLifecycle('ServiceCatalog');
export const serviceCategoryLifecycle = catalogLifecycle('ServiceCategory');
export const serviceCandidateLifecycle = catalogLifecycle('ServiceCandidate');
export const serviceSpecificationLifecycle = catalogLifecycle('ServiceSpecification');

// the specification defines one ChangeEvent for state and attribute changes alike
const changeEvents = 'combined';
const KIND = 'service specification';

/**
 * The resource specifications a specification needs must be in use before it is; they are known
 * from the Resource Catalog's events, and ones we never heard of may live elsewhere.
 */
async function checkResourceDependencies(doc: Doc, ctx: RequestContext, q: Queryable): Promise<void> {
  const what = `'${String(doc['name'])}' depends on it`;
  const refs = listOf(doc['resourceSpecification'])
    .map((r, i) => ({ r, i, id: str(r['id']) }))
    .filter((x): x is { r: Doc; i: number; id: string } => x.id !== undefined && isLocal(x.r, ctx, RESOURCE_CATALOG_PATH));
  if (refs.length === 0) return;
  const known = await q.query<{ id: string; name: string | null; lifecycle_status: string | null; deleted: boolean }>(
    `SELECT id, name, lifecycle_status, deleted FROM ${TABLES.knownResourceSpec} WHERE id = ANY($1::text[])`,
    [refs.map((x) => x.id)],
  );
  const byId = new Map(known.rows.map((row) => [row.id, row]));
  for (const { i, id } of refs) {
    const row = byId.get(id);
    if (!row) continue;
    const field = `resourceSpecification[${i}].id`;
    if (row.deleted) throw unprocessable(`resource specification ${id} was deleted from the resource catalog; ${what}`, field);
    if (!IN_USE.includes(row.lifecycle_status ?? '')) {
      // known from the Resource Catalog's events: a promotion committed a moment ago may not have arrived yet
      throw unprocessable(
        `${describeEntity('resource specification', row)} is ${row.lifecycle_status ?? 'without status'} as far as the service catalog has heard; it must be Active or Launched first (${what}; a change made a moment ago arrives within a second)`,
        field,
      );
    }
  }
}

export const serviceSpecification: ResourceDefinition = specificationDefinition({
  name: 'serviceSpecification', type: 'ServiceSpecification', changeEvents, table: TABLES.specification, cached: true, schema: ServiceSpecification,
  lifecycle: serviceSpecificationLifecycle, kind: KIND, basePath: BASE_PATH,
  subclasses: [SPECIFICATION_TYPES.customerFacing, SPECIFICATION_TYPES.resourceFacing],
  relationshipKey: 'serviceSpecRelationship',
  dependencyKeys: ['serviceSpecRelationship', 'resourceSpecification'],
  candidate: { table: TABLES.candidate, kind: 'service candidate', specificationKey: 'serviceSpecification' },
  check: checkSpecificationShape,
  async checkMore(doc, change, ctx, q) {
    if (changedAny(doc, change.before, ['serviceSpecRelationship'])) await checkLayering(doc, ctx, q, TABLES.specification, BASE_PATH);
  },
  dependsOnMore: checkResourceDependencies,
});

export const serviceCandidate: ResourceDefinition = candidateDefinition({
  name: 'serviceCandidate', type: 'ServiceCandidate', changeEvents, table: TABLES.candidate, schema: ServiceCandidate, lifecycle: serviceCandidateLifecycle,
  specification: { key: 'serviceSpecification', table: TABLES.specification, kind: KIND, basePath: BASE_PATH },
});

export const serviceCategory: ResourceDefinition = categoryDefinition({
  name: 'serviceCategory', type: 'ServiceCategory', changeEvents, table: TABLES.category, schema: ServiceCategory, lifecycle: serviceCategoryLifecycle,
  childrenKey: 'category',
});

// "List of service categories associated with this catalog": unlike TMF620 and TMF634, not only roots
export const serviceCatalog: ResourceDefinition = catalogDefinition({
  name: 'serviceCatalog', type: 'ServiceCatalog', changeEvents, table: TABLES.catalog, schema: ServiceCatalog, lifecycle: serviceCatalogLifecycle,
});

/** The catalog entities, in the order an import creates them (what is referred to comes first). */
export const serviceCatalogResources: readonly ResourceDefinition[] = [serviceSpecification, serviceCandidate, serviceCategory, serviceCatalog];
