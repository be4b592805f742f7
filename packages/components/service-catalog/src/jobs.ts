import { candidateCatalogStructure, catalogJobs } from '@operon/tmf';
import { API, TABLES, serviceCatalogResources } from './resources.ts';
import { ExportJob, ImportJob } from './schemas.ts';

/** Import and export of service catalog content: the kit's catalog jobs, configured for this API. */
const jobs = catalogJobs({
  api: API,
  documentType: 'ServiceCatalogDocument',
  resources: serviceCatalogResources,
  tables: TABLES,
  schemas: { ImportJob, ExportJob },
  ...candidateCatalogStructure('service', TABLES),
  // TMF633 v4.0 defines no events for jobs
});

export const { exportJob, importJob } = jobs;
export const jobRoutes = jobs.routes;
