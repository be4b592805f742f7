/**
 * Product Inventory component (TMF637): the products customers hold — what
 * was sold (offering, specification, characteristics, prices, billing account)
 * and what realizes it (services and resources) — through their lifecycle from
 * ordered to active, suspended and terminated.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { productInventoryApi } from './resources.ts';

export { API_NAME, BASE_PATH, canonicalStatus, product, productInventoryApi, productLifecycle } from './resources.ts';
export { ABORTED, PRODUCT_STATUSES, type ProductStatus } from './schemas.ts';

export const productInventoryComponent = defineComponent({
  name: 'product-inventory',
  title: 'Product Inventory Management',
  description: 'Products held by customers: offering, characteristics, prices and billing account, the services and resources realizing them, and their lifecycle from ordered to terminated.',
  exposes: [productInventoryApi],
  // references stay federated: parties (TMF632), accounts (TMF666), the catalog (TMF620), orders (TMF622), services and resources (TMF638, TMF639)
  dependsOn: ['TMF632', 'TMF666', 'TMF620', 'TMF622', 'TMF638', 'TMF639'],
  subscribes: [],
  etomTasks: ['complete-customer-order'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
