/**
 * Quote component (TMF648): quotes for products — their items (add, modify,
 * delete an existing product), prices from the catalog through the
 * `quotePricer` port (recurring and one-time, with taxes, and their totals),
 * validity, and the quote state machine from inProgress to accepted.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import './ports.ts';
import { Quoting } from './quoting.ts';
import { quoteManagementApi } from './resources.ts';
import { quoteRoutes } from './routes.ts';

export type * from './ports.ts';
export { API_NAME, BASE_PATH, DEFAULT_VALIDITY_DAYS, EDITABLE_STATES, quote, quoteLifecycle, quoteManagementApi, unpricedItems } from './resources.ts';
export { Quoting, type CreatedQuote } from './quoting.ts';
export { itemPrice, totals } from './pricing.ts';
export { ITEM_ACTIONS, PRICE_TYPES, QUOTE_STATES, Quote, QuoteItem, QuotePrice, type PriceType, type QuoteItemAction, type QuoteState } from './schemas.ts';

export const quoteComponent = defineComponent({
  name: 'quote',
  title: 'Quote Management',
  description: 'Quotes for products: items, prices and totals from the catalog (through the quotePricer port), validity, and the quote state machine from inProgress to approved, accepted, rejected or cancelled.',
  exposes: [quoteManagementApi],
  // what quotes refer to: offerings and prices, parties, billing accounts, qualifications, existing products, agreements
  dependsOn: ['TMF620', 'TMF632', 'TMF666', 'TMF679', 'TMF637', 'TMF651'],
  subscribes: [],
  etomTasks: ['negotiate-sales-contract'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    quoteRoutes(app, new Quoting(runtime));
  },
});
