/**
 * Resource Catalog component (TMF634): the resource specifications that
 * resource orders are decomposed into — logical, physical and resource
 * function specifications with their characteristics, features and
 * relationships (a chassis holding cards, a port needing a VLAN) — and the
 * candidates, categories and catalogs that publish them. Follows which
 * service specifications of the Service Catalog (TMF633) need them, through
 * its events, so that nothing in use is retired.
 */
import { fileURLToPath } from 'node:url';
import type { RelayEvent } from '@operon/store';
import { catalogJson, defineComponent, type ComponentRuntime } from '@operon/tmf';
import { resourceCatalogApi } from './api.ts';
import { jobRoutes } from './jobs.ts';
import { TABLES } from './resources.ts';

export { resourceCatalogApi } from './api.ts';
export { exportJob, importJob } from './jobs.ts';
export {
  BASE_PATH, SPECIFICATION_TYPES, resourceCatalog, resourceCategory, resourceCandidate, resourceSpecification,
  resourceCatalogLifecycle, resourceCategoryLifecycle, resourceCandidateLifecycle, resourceSpecificationLifecycle,
} from './resources.ts';

const { idsOf, isObject, str } = catalogJson;

const SERVICE_SPECIFICATION_EVENTS = [
  'ServiceSpecificationCreateEvent',
  'ServiceSpecificationChangeEvent',
  'ServiceSpecificationDeleteEvent',
] as const;

/** Longest id recorded as needed: a B-tree entry holds about 2.7 kB, so no specification of ours has a longer one. */
const MAX_KEY_BYTES = 2_000;

/** Records which of our specifications a service specification needs, as it now stands; idempotent. */
async function recordServiceSpecification(runtime: ComponentRuntime, e: RelayEvent): Promise<void> {
  if (e.api !== 'serviceCatalogManagement') return;
  const event = e.payload['event'];
  const spec = isObject(event) && isObject(event['serviceSpecification']) ? event['serviceSpecification'] : undefined;
  // an id longer than a key of our specifications can be names none of ours, and would not fit the index
  const needs = e.eventType === 'ServiceSpecificationDeleteEvent' || !spec
    ? []
    : [...new Set(idsOf(spec['resourceSpecification']))].filter((id) => Buffer.byteLength(id) <= MAX_KEY_BYTES);
  await runtime.db.tx(async (tx) => {
    await tx.query(`DELETE FROM ${TABLES.serviceSpecUse} WHERE service_spec_id = $1`, [e.resourceId]);
    if (needs.length === 0) return;
    await tx.query(
      `INSERT INTO ${TABLES.serviceSpecUse} (service_spec_id, resource_spec_id, service_spec_name, service_spec_status)
       SELECT $1, unnest($2::text[]), $3, $4`,
      [e.resourceId, needs, str(spec?.['name']) ?? null, str(spec?.['lifecycleStatus']) ?? null],
    );
  });
}

export const resourceCatalogComponent = defineComponent({
  name: 'resource-catalog',
  title: 'Resource Catalog Management',
  description:
    'Resource specifications (logical, physical, resource function) with characteristics, features and relationships; resource candidates, categories and catalogs, under the catalog lifecycle.',
  exposes: [resourceCatalogApi],
  dependsOn: [],
  subscribes: [...SERVICE_SPECIFICATION_EVENTS],
  etomTasks: ['manage-resource-capability-delivery'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    jobRoutes(app, runtime);
  },
  async start(runtime) {
    await runtime.relay.subscribe({
      name: 'resource-catalog.service-specifications',
      // a projection: catch up on every specification event still kept
      from: 'beginning',
      eventTypes: SERVICE_SPECIFICATION_EVENTS,
      handle: (e) => recordServiceSpecification(runtime, e),
    });
  },
});
