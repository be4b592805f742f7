import { defineApi } from '@operon/tmf';
import { exportJob, importJob } from './jobs.ts';
import { API, catalog, category, productOffering, productOfferingPrice, productSpecification } from './resources.ts';

export const productCatalogApi = defineApi({
  ...API,
  resources: [catalog, category, productOffering, productOfferingPrice, productSpecification, exportJob, importJob],
});
