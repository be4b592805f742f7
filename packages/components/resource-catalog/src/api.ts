import { defineApi } from '@operon/tmf';
import { exportJob, importJob } from './jobs.ts';
import { API, resourceCatalog, resourceCandidate, resourceCategory, resourceSpecification } from './resources.ts';

export const resourceCatalogApi = defineApi({
  ...API,
  resources: [resourceCatalog, resourceCategory, resourceCandidate, resourceSpecification, exportJob, importJob],
});
