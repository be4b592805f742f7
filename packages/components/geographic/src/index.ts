/**
 * Geographic component (TMF673, TMF674): the operator's address referential,
 * address validation against it, and the sites customers and the operator
 * occupy. Every address and site names the access area that serves it
 * (`accessArea`, an Operon extension), which qualification uses to check free
 * network capacity where a customer is.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { geographicAddressApi, geographicSiteApi, SITE_STATUS_CHANGE_EVENT } from './resources.ts';
import { geographicRoutes } from './routes.ts';

export {
  geographicAddressApi, geographicSiteApi, geographicAddress, geographicAddressValidation, geographicSite,
  validationLifecycle, matchAddress, accessAreaOf, type AddressMatch, SITE_STATUS_CHANGE_EVENT, ADDRESS_BASE_PATH, SITE_BASE_PATH,
} from './resources.ts';
export { REFERENTIAL_AREA } from './routes.ts';
export { ACCESS_AREA_PATTERN, type TaskState, type ValidationResult } from './schemas.ts';
export { addressKey, normaliseText, type AddressKey } from './matching.ts';

export const geographicComponent = defineComponent({
  name: 'geographic',
  title: 'Geographic Address and Site Management',
  description: 'The address referential with the access area serving each address, address validation (exact and near matches), and geographic sites.',
  exposes: [geographicAddressApi, geographicSiteApi],
  dependsOn: [],
  subscribes: [],
  publishesExtra: [SITE_STATUS_CHANGE_EVENT],
  // validating the customer's address against the referential, and naming the area that serves it, is the
  // first step of checking what can be delivered there
  etomTasks: ['qualify-and-educate-customer'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    geographicRoutes(app, runtime);
  },
});
