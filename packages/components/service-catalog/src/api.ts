import { defineApi } from '@operon/tmf';
import { exportJob, importJob } from './jobs.ts';
import { API, serviceCatalog, serviceCandidate, serviceCategory, serviceSpecification } from './resources.ts';

export const serviceCatalogApi = defineApi({
  ...API,
  resources: [serviceCatalog, serviceCategory, serviceCandidate, serviceSpecification, exportJob, importJob],
});
