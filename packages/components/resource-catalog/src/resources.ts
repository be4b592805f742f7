import {
  IN_USE, candidateDefinition, catalogDefinition, catalogLifecycle, categoryDefinition, describeEntity, specificationDefinition, type ResourceDefinition,
} from '@operon/tmf';
import { SPECIFICATION_TYPES, checkSpecificationShape, specificationTypes } from './rules.ts';
import { ResourceCandidate, ResourceCatalog, ResourceCategory, ResourceSpecification } from './schemas.ts';

export { SPECIFICATION_TYPES } from './rules.ts';

export const BASE_PATH = '/tmf-api/resourceCatalog/v4';
/** What the API definition and the jobs share. */
export const API = { id: 'TMF634', name: 'resourceCatalog', title: 'Resource Catalog Management', version: '4.1.0', basePath: BASE_PATH } as const;

export const TABLES = {
  catalog: 'resource_catalog_catalog',
  category: 'resource_catalog_category',
  candidate: 'resource_catalog_candidate',
  specification: 'resource_catalog_specification',
  serviceSpecUse: 'resource_catalog_service_spec_use',
  importJob: 'resource_catalog_import_job',
  exportJob: 'resource_catalog_export_job',
  exportFile: 'resource_catalog_export_file',
} as const;

export const resourceCatalogLifecycle = catalogLifecycle('ResourceCatalog');
export const resourceCategoryLifecycle = catalogLifecycle('ResourceCategory');
export const resourceCandidateLifecycle = catalogLifecycle('ResourceCandidate');
export const resourceSpecificationLifecycle = catalogLifecycle('ResourceSpecification');

// the specification defines one ChangeEvent for state and attribute changes alike
const changeEvents = 'combined';
const KIND = 'resource specification';

export const resourceSpecification: ResourceDefinition = specificationDefinition({
  name: 'resourceSpecification', type: 'ResourceSpecification', changeEvents, table: TABLES.specification, cached: true, schema: ResourceSpecification,
  lifecycle: resourceSpecificationLifecycle, kind: KIND, basePath: BASE_PATH,
  subclasses: specificationTypes.filter((t) => t !== SPECIFICATION_TYPES.plain),
  relationshipKey: 'resourceSpecRelationship',
  dependencyKeys: ['resourceSpecRelationship'],
  candidate: { table: TABLES.candidate, kind: 'resource candidate', specificationKey: 'resourceSpecification' },
  check: checkSpecificationShape,
  /** Service specifications in use that need it, as the Service Catalog's events told. */
  async moreUsers(doc, q) {
    const services = await q.query<{ id: string; name: string | null }>(
      `SELECT service_spec_id AS id, service_spec_name AS name FROM ${TABLES.serviceSpecUse}
        WHERE resource_spec_id = $1 AND service_spec_status = ANY($2::text[]) ORDER BY service_spec_id LIMIT 10`,
      [String(doc['id']), IN_USE],
    );
    return services.rows.map((s) => describeEntity('service specification', s));
  },
});

export const resourceCandidate: ResourceDefinition = candidateDefinition({
  name: 'resourceCandidate', type: 'ResourceCandidate', changeEvents, table: TABLES.candidate, schema: ResourceCandidate, lifecycle: resourceCandidateLifecycle,
  specification: { key: 'resourceSpecification', table: TABLES.specification, kind: KIND, basePath: BASE_PATH },
});

export const resourceCategory: ResourceDefinition = categoryDefinition({
  name: 'resourceCategory', type: 'ResourceCategory', changeEvents, table: TABLES.category, schema: ResourceCategory, lifecycle: resourceCategoryLifecycle,
  childrenKey: 'category',
});

export const resourceCatalog: ResourceDefinition = catalogDefinition({
  name: 'resourceCatalog', type: 'ResourceCatalog', changeEvents, table: TABLES.catalog, schema: ResourceCatalog, lifecycle: resourceCatalogLifecycle,
  // "List of root categories contained in this catalog"
  rootCategoriesIn: TABLES.category,
});

/** The catalog entities, in the order an import creates them (what is referred to comes first). */
export const resourceCatalogResources: readonly ResourceDefinition[] = [resourceSpecification, resourceCandidate, resourceCategory, resourceCatalog];
