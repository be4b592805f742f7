/**
 * Qualification component (TMF679, TMF645): whether product offerings can be
 * sold, and services delivered, in a given context (place, channel, party).
 * The component runs the task lifecycle and records the answers; what the
 * answer is comes from the `productOfferingQualifier` and `serviceQualifier`
 * ports, which the Lead-to-Cash flow provides from the catalogs and the
 * resource pools. Without them a qualification ends terminatedWithError, with
 * the reason, never with an invented answer.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import './ports.ts';
import { evaluationSubscriber } from './evaluate.ts';
import { productOfferingQualificationApi, serviceQualificationApi } from './resources.ts';
import { qualificationRoutes } from './routes.ts';

export type * from './ports.ts';
export {
  productOfferingQualificationApi, serviceQualificationApi, productOfferingQualification, checkServiceQualification, queryServiceQualification,
  productOfferingQualificationLifecycle, checkServiceQualificationLifecycle, queryServiceQualificationLifecycle,
} from './resources.ts';
export { evaluate, poqKind, checkKind, queryKind, type QualificationKind } from './evaluate.ts';
export type { PoqState, QualificationResult, ServiceQualificationState } from './schemas.ts';

export const qualificationComponent = defineComponent({
  name: 'qualification',
  title: 'Product Offering and Service Qualification',
  description: 'Product offering qualifications (commercial eligibility) and service qualifications (technical feasibility, check and query), answered through the qualifier ports.',
  exposes: [productOfferingQualificationApi, serviceQualificationApi],
  dependsOn: ['TMF620', 'TMF633', 'TMF673'],
  // its own create events: a qualification asked as a task is evaluated just after it is created
  subscribes: ['ProductOfferingQualificationCreateEvent', 'CheckServiceQualificationCreateEvent', 'QueryServiceQualificationCreateEvent'],
  etomTasks: ['qualify-and-educate-customer', 'determine-customer-order-feasibility'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    qualificationRoutes(app, runtime);
  },
  async start(runtime) {
    await runtime.relay.subscribe(evaluationSubscriber(runtime));
  },
});
