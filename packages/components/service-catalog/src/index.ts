/**
 * Service Catalog component (TMF633): the service specifications that orders
 * are decomposed by — customer-facing specifications realised by
 * resource-facing ones, which in turn need resource specifications — with
 * their characteristics and features, and the candidates, categories and
 * catalogs that publish them. Follows what the Resource Catalog (TMF634)
 * says of resource specifications through its events.
 */
import { fileURLToPath } from 'node:url';
import type { RelayEvent } from '@operon/store';
import { catalogJson, defineComponent, type ComponentRuntime } from '@operon/tmf';
import { serviceCatalogApi } from './api.ts';
import { jobRoutes } from './jobs.ts';
import { TABLES } from './resources.ts';

export { serviceCatalogApi } from './api.ts';
export { exportJob, importJob } from './jobs.ts';
export {
  BASE_PATH, SPECIFICATION_TYPES, serviceCatalog, serviceCategory, serviceCandidate, serviceSpecification,
  serviceCatalogLifecycle, serviceCategoryLifecycle, serviceCandidateLifecycle, serviceSpecificationLifecycle,
} from './resources.ts';

const { isObject, str } = catalogJson;

const RESOURCE_SPECIFICATION_EVENTS = [
  'ResourceSpecificationCreateEvent',
  'ResourceSpecificationChangeEvent',
  'ResourceSpecificationDeleteEvent',
] as const;

/** Keeps our record of a resource specification in step with the Resource Catalog; idempotent. */
async function recordResourceSpecification(runtime: ComponentRuntime, e: RelayEvent): Promise<void> {
  if (e.api !== 'resourceCatalog') return;
  const event = e.payload['event'];
  const spec = isObject(event) && isObject(event['resourceSpecification']) ? event['resourceSpecification'] : undefined;
  const deleted = e.eventType === 'ResourceSpecificationDeleteEvent';
  await runtime.db.query(
    `INSERT INTO ${TABLES.knownResourceSpec} (id, name, lifecycle_status, deleted, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, lifecycle_status = excluded.lifecycle_status, deleted = excluded.deleted, updated_at = now()`,
    [e.resourceId, str(spec?.['name']) ?? null, str(spec?.['lifecycleStatus']) ?? null, deleted],
  );
}

export const serviceCatalogComponent = defineComponent({
  name: 'service-catalog',
  title: 'Service Catalog Management',
  description:
    'Service specifications (customer- and resource-facing) with characteristics, features, service and resource dependencies; service candidates, categories and catalogs, under the catalog lifecycle.',
  exposes: [serviceCatalogApi],
  dependsOn: ['TMF634'],
  subscribes: [...RESOURCE_SPECIFICATION_EVENTS],
  etomTasks: ['develop-detailed-service-specifications', 'design-service-capabilities'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    jobRoutes(app, runtime);
  },
  async start(runtime) {
    await runtime.relay.subscribe({
      name: 'service-catalog.resource-specifications',
      // a projection: catch up on every specification event still kept
      from: 'beginning',
      eventTypes: RESOURCE_SPECIFICATION_EVENTS,
      handle: (e) => recordResourceSpecification(runtime, e),
    });
  },
});
