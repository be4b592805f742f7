/**
 * Product Catalog component (TMF620): the product specifications, offerings
 * and prices an operator sells, organised in catalogs and categories, each
 * following the catalog lifecycle from design to launch and retirement.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { productCatalogApi } from './api.ts';
import { jobRoutes } from './jobs.ts';

export { productCatalogApi } from './api.ts';
export { exportJob, importJob } from './jobs.ts';
export {
  catalog, category, productOffering, productOfferingPrice, productSpecification,
  catalogEntityLifecycle, categoryLifecycle, productOfferingLifecycle, productOfferingPriceLifecycle, productSpecificationLifecycle,
} from './resources.ts';
export { PRICE_TYPES, PERIOD_TYPES } from './rules.ts';

export const productCatalogComponent = defineComponent({
  name: 'product-catalog',
  title: 'Product Catalog Management',
  description: 'Product specifications, offerings and prices, in catalogs and categories: what the operator sells, from design to launch and retirement.',
  exposes: [productCatalogApi],
  dependsOn: [],
  subscribes: [],
  etomTasks: ['develop-detailed-product-specifications', 'launch-new-products', 'manage-product-exit'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    jobRoutes(app, runtime);
  },
});
