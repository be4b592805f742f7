import type { ComponentManifest, FlowDefinition } from '@operon/tmf';
import { accountComponent } from '@operon/account';
import { activationComponent } from '@operon/activation';
import { customerComponent } from '@operon/customer';
import { geographicComponent } from '@operon/geographic';
import { leadToCashFlow } from '@operon/lead-to-cash';
import { partyComponent } from '@operon/party';
import { partyRoleComponent } from '@operon/party-role';
import { productCatalogComponent } from '@operon/product-catalog';
import { productInventoryComponent } from '@operon/product-inventory';
import { productOrderComponent } from '@operon/product-order';
import { qualificationComponent } from '@operon/qualification';
import { quoteComponent } from '@operon/quote';
import { resourceCatalogComponent } from '@operon/resource-catalog';
import { resourceInventoryComponent } from '@operon/resource-inventory';
import { resourceOrderComponent } from '@operon/resource-order';
import { serviceCatalogComponent } from '@operon/service-catalog';
import { serviceInventoryComponent } from '@operon/service-inventory';
import { serviceOrderComponent } from '@operon/service-order';

/** Every component Operon ships, in mounting order. */
export const components: readonly ComponentManifest[] = [
  partyComponent,
  customerComponent,
  partyRoleComponent,
  accountComponent,
  geographicComponent,
  resourceCatalogComponent,
  serviceCatalogComponent,
  productCatalogComponent,
  qualificationComponent,
  quoteComponent,
  productOrderComponent,
  serviceOrderComponent,
  resourceOrderComponent,
  productInventoryComponent,
  serviceInventoryComponent,
  resourceInventoryComponent,
  activationComponent,
];

/** Every flow Operon ships: the end-to-end processes that compose the components. */
export const flows: readonly FlowDefinition[] = [leadToCashFlow];
