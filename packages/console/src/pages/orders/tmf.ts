/**
 * What the order, capture, inventory and dashboard pages read of Operon's
 * public APIs: the paths, the shapes of the documents as far as the pages use
 * them, and small formatting helpers. TMF documents carry many more attributes;
 * only those shown are typed.
 */
import type { RunSummary as WorkflowRunSummary, RunView as WorkflowRunView } from '@operon/workflow';
import type { Jsonified } from '../../api.ts';

export type Doc = Record<string, unknown>;

export const API = {
  productOrder: '/tmf-api/productOrderingManagement/v4/productOrder',
  cancelProductOrder: '/tmf-api/productOrderingManagement/v4/cancelProductOrder',
  serviceOrder: '/tmf-api/serviceOrdering/v4/serviceOrder',
  resourceOrder: '/tmf-api/resourceOrderingManagement/v4/resourceOrder',
  product: '/tmf-api/productInventory/v4/product',
  service: '/tmf-api/serviceInventory/v4/service',
  resource: '/tmf-api/resourceInventoryManagement/v4/resource',
  customer: '/tmf-api/customerManagement/v4/customer',
  individual: '/tmf-api/party/v4/individual',
  organization: '/tmf-api/party/v4/organization',
  billingAccount: '/tmf-api/accountManagement/v4/billingAccount',
  geographicAddress: '/tmf-api/geographicAddressManagement/v4/geographicAddress',
  addressValidation: '/tmf-api/geographicAddressManagement/v4/geographicAddressValidation',
  qualification: '/tmf-api/productOfferingQualification/v4/productOfferingQualification',
  productOffering: '/tmf-api/productCatalogManagement/v4/productOffering',
  productSpecification: '/tmf-api/productCatalogManagement/v4/productSpecification',
  quote: '/tmf-api/quoteManagement/v4/quote',
  runs: '/ops/workflow/runs',
  kpi: '/ops/kpi/lead-to-cash',
} as const;

export interface Ref {
  id: string;
  href?: string;
  name?: string;
  role?: string;
  '@referredType'?: string;
}

export interface Characteristic {
  name: string;
  value: unknown;
  valueType?: string;
}

export interface Money {
  unit: string;
  value: number;
}

export interface Price {
  name?: string;
  priceType?: string;
  recurringChargePeriod?: string;
  unitOfMeasure?: string;
  price?: { taxIncludedAmount?: Money; dutyFreeAmount?: Money; taxRate?: number };
  productOfferingPrice?: Ref;
}

export interface ProductOrderItem {
  id: string;
  action: string;
  quantity?: number;
  state?: string;
  productOffering?: Ref;
  product?: { id?: string; productCharacteristic?: Characteristic[]; place?: Ref[] } & Doc;
  itemPrice?: Price[];
  productOrderItem?: ProductOrderItem[];
}

export interface OrderNote {
  id?: string;
  name?: string;
  code?: string;
  reason?: string;
  message?: string;
  description?: string;
  status?: string;
  jeopardyType?: string;
  exception?: string;
  milestoneDate?: string;
  alertDate?: string;
  timestamp?: string;
}

export interface ProductOrder {
  id: string;
  href?: string;
  state: string;
  orderDate?: string;
  completionDate?: string;
  expectedCompletionDate?: string;
  requestedCompletionDate?: string;
  cancellationDate?: string;
  cancellationReason?: string;
  description?: string;
  externalId?: string;
  channel?: Ref[];
  relatedParty?: Ref[];
  billingAccount?: Ref;
  quote?: Ref[];
  productOrderItem: ProductOrderItem[];
  productOrderMilestone?: OrderNote[];
  productOrderJeopardyAlert?: OrderNote[];
  productOrderErrorMessage?: OrderNote[];
}

export interface CancelProductOrder {
  id: string;
  state: string;
  cancellationReason?: string;
  requestedCancellationDate?: string;
  effectiveCancellationDate?: string;
  productOrder: Ref;
}

export interface ServiceOrderItem {
  id: string;
  action?: string;
  state?: string;
  service?: { id?: string; name?: string; serviceSpecification?: Ref } & Doc;
}

export interface ServiceOrder {
  id: string;
  state: string;
  externalId?: string;
  orderDate?: string;
  completionDate?: string;
  serviceOrderItem?: ServiceOrderItem[];
}

export interface ResourceOrderItem {
  id: string;
  action?: string;
  state?: string;
  resourceSpecification?: Ref;
  resource?: Ref;
}

export interface ResourceOrder {
  id: string;
  state: string;
  externalId?: string;
  orderDate?: string;
  completionDate?: string;
  orderItem?: ResourceOrderItem[];
}

/** GET /ops/workflow/runs: the engine's run summaries. */
export type RunSummary = Jsonified<WorkflowRunSummary>;
/** GET /ops/workflow/runs/{id}: one run with its tasks. */
export type RunView = Jsonified<WorkflowRunView>;
export type RunTask = RunView['tasks'][number];

/** Order states a cancellation may still be asked in (TMF622 order state machine). */
export const CANCELLABLE_STATES: readonly string[] = ['acknowledged', 'inProgress', 'pending', 'held'];

export const ORDER_STATES: readonly string[] = [
  'acknowledged', 'inProgress', 'pending', 'held', 'assessingCancellation', 'pendingCancellation',
  'completed', 'partial', 'failed', 'cancelled', 'rejected',
];

/** The customer of an order: the party with role customer, else the first. */
export function customerOf(parties: readonly Ref[] | undefined): Ref | undefined {
  return parties?.find((p) => p.role?.toLowerCase() === 'customer') ?? parties?.[0];
}

export function money(m: Money | undefined): string {
  if (!m || typeof m.value !== 'number') return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.unit }).format(m.value);
  } catch {
    return `${m.value.toFixed(2)} ${m.unit}`;
  }
}

/** A price as a person reads it: 39.99 € / month, 2.00 € per GB. */
export function priceText(p: Price): string {
  const amount = money(p.price?.taxIncludedAmount ?? p.price?.dutyFreeAmount);
  if (p.priceType === 'recurring') return `${amount} / ${p.recurringChargePeriod ?? 'period'}`;
  if (p.priceType === 'usage') return `${amount} per ${p.unitOfMeasure ?? 'unit'}`;
  return `${amount} once`;
}

export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  const h = Math.floor(ms / 3_600_000);
  return h < 48 ? `${h} h ${Math.round((ms % 3_600_000) / 60_000)} min` : `${Math.round(h / 24)} days`;
}

export function charText(c: Characteristic): string {
  const v = typeof c.value === 'object' && c.value !== null ? JSON.stringify(c.value) : String(c.value);
  return `${c.name}: ${v}`;
}

/** The last path segment of an id, short enough for a graph node. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

export const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
