/**
 * What qualification needs from the rest of Operon: someone who knows whether
 * an offering can be sold, or a service delivered, in a given context. The
 * Lead-to-Cash flow provides both from the catalogs and the resource pools
 * (free capacity in the access area serving the place).
 */
import type { Static } from 'typebox';
import type { RequestContext } from '@operon/kernel';
import type {
  CheckServiceQualification, EligibilityUnavailabilityReason, ProductOfferingQualification, PoqState,
  QualificationResult, QueryServiceQualification, ServiceQualificationItem, ServiceQualificationState, TerminationError,
} from './schemas.ts';

type Served = { id: string; href?: string; '@type'?: string };
type Value = Record<string, unknown>;

export type ProductOfferingQualificationDocument = Omit<Static<typeof ProductOfferingQualification>, 'state'> & Served & { state: PoqState };
export type CheckServiceQualificationDocument = Omit<Static<typeof CheckServiceQualification>, 'state'> & Served & { state: ServiceQualificationState };
export type QueryServiceQualificationDocument = Omit<Static<typeof QueryServiceQualification>, 'state'> & Served & { state: ServiceQualificationState };

export type EligibilityUnavailabilityReasonValue = Static<typeof EligibilityUnavailabilityReason>;
export type TerminationErrorValue = Static<typeof TerminationError>;
export type ServiceQualificationItemValue = Static<typeof ServiceQualificationItem>;

/** An item the qualifier could not evaluate (e.g. incomplete information): it ends terminatedWithError. */
export interface ItemNotEvaluated {
  id: string;
  terminationError: readonly TerminationErrorValue[];
}

/** The answer for one item of a product offering qualification. */
export interface ProductOfferingQualificationItemAnswer {
  /** The item's id; an id the request does not have adds an item (e.g. an offering found in the requested category). */
  id: string;
  qualificationItemResult: QualificationResult;
  /** Why it is not available (kept unless the request says provideUnavailabilityReason: false). */
  eligibilityUnavailabilityReason?: readonly EligibilityUnavailabilityReasonValue[];
  /** What could be sold instead (TMF679 AlternateProductOfferingProposal); an `alternate` result needs at least one. */
  alternateProductOfferingProposal?: readonly Value[];
  /** For an added item: the offering (TMF679 ProductOfferingRef) and product it is about. */
  productOffering?: { id: string; href?: string; name?: string };
  product?: Value;
}

export interface ProductOfferingQualificationEvaluation {
  items: readonly (ProductOfferingQualificationItemAnswer | ItemNotEvaluated)[];
  /** Until when the answer holds (becomes the qualification's expirationDate). */
  expirationDate?: string;
}

export interface ProductOfferingQualifier {
  /**
   * Evaluates every item of `poq` (its place, channel, category and related
   * parties give the context). Throwing an OperonError ends the qualification
   * terminatedWithError with its message; any other error is retried.
   */
  evaluate(poq: ProductOfferingQualificationDocument, ctx: RequestContext): Promise<ProductOfferingQualificationEvaluation>;
}

/** The answer for one item of a check service qualification. */
export interface CheckServiceQualificationItemAnswer {
  id: string;
  qualificationResult: QualificationResult;
  eligibilityUnavailabilityReason?: readonly EligibilityUnavailabilityReasonValue[];
  /** What could be delivered instead (TMF645 AlternateServiceProposal); an `alternate` result needs at least one. */
  alternateServiceProposal?: readonly Value[];
  /** When the service can be available (TMF645 expectedServiceAvailabilityDate). */
  expectedServiceAvailabilityDate?: string;
  /** Until when this item's answer holds. */
  expirationDate?: string;
}

export interface CheckServiceQualificationEvaluation {
  items: readonly (CheckServiceQualificationItemAnswer | ItemNotEvaluated)[];
  expirationDate?: string;
}

export interface QueryServiceQualificationEvaluation {
  /** The services available for the search criteria (ids are given by the component when missing). */
  items: readonly ServiceQualificationItemValue[];
  expirationDate?: string;
}

export interface ServiceQualifier {
  /** Whether each configured service of `qualification` can be delivered; errors as for `evaluate`. */
  check(qualification: CheckServiceQualificationDocument, ctx: RequestContext): Promise<CheckServiceQualificationEvaluation>;
  /** The services that can be delivered for `qualification.searchCriteria`. */
  query(qualification: QueryServiceQualificationDocument, ctx: RequestContext): Promise<QueryServiceQualificationEvaluation>;
}

declare module '@operon/tmf' {
  interface OperonPorts {
    productOfferingQualifier: ProductOfferingQualifier;
    serviceQualifier: ServiceQualifier;
  }
}
