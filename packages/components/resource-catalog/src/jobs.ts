import { candidateCatalogStructure, catalogJobs } from '@operon/tmf';
import { API, TABLES, resourceCatalogResources } from './resources.ts';
import { ExportJob, ImportJob } from './schemas.ts';

/** Import and export of resource catalog content: the kit's catalog jobs, configured for this API. */
const jobs = catalogJobs({
  api: API,
  documentType: 'ResourceCatalogDocument',
  resources: resourceCatalogResources,
  tables: TABLES,
  schemas: { ImportJob, ExportJob },
  ...candidateCatalogStructure('resource', TABLES),
  // TMF634 defines importJobCreateEvent, importJobStateChangeEvent and the same for exportJob
  events: ['Create', 'StateChange'],
});

export const { exportJob, importJob } = jobs;
export const jobRoutes = jobs.routes;
