import { OperonError, badRequest, clock, cloneJson, defineLifecycle, newId, unprocessable, type Lifecycle, type RequestContext } from '@operon/kernel';
import { assertValid, checkTimePeriods, defineApi, isCurrent, normaliseDates, type ChangeInfo, type Doc, type ResourceDefinition } from '@operon/tmf';
import type { QuoteDocument, QuotePricer } from './ports.ts';
import { applyPricing, itemsOf } from './pricing.ts';
import { Quote, type QuoteState } from './schemas.ts';

export const BASE_PATH = '/tmf-api/quoteManagement/v4';
export const API_NAME = 'quoteManagement';
export const TABLE = 'quote';

/** How long a quote holds when nobody says otherwise (and the prices hold at least that long). */
export const DEFAULT_VALIDITY_DAYS = 30;

/**
 * The TMF648 quote state machine. A quote is prepared inProgress, may wait
 * (pending: an internal approval, information from the customer), is approved
 * by the seller (priced, and sent to the customer), then accepted or rejected
 * by the customer. The seller rejects what it will not offer, and cancels
 * what is withdrawn, up to acceptance. Accepted, rejected and cancelled are final.
 */
export const quoteLifecycle: Lifecycle<QuoteState> = defineLifecycle<QuoteState>({
  name: 'Quote',
  field: 'state',
  initial: 'inProgress',
  transitions: {
    inProgress: ['pending', 'approved', 'rejected', 'cancelled'],
    pending: ['inProgress', 'approved', 'rejected', 'cancelled'],
    approved: ['accepted', 'rejected', 'cancelled'],
    accepted: [],
    rejected: [],
    cancelled: [],
  },
  // an approved or accepted quote is a commercial commitment: it stays on record
  deletable: ['inProgress', 'pending', 'rejected', 'cancelled'],
});

/** States in which the quote is still being prepared: its items may change, and are priced again when they do. */
export const EDITABLE_STATES: readonly QuoteState[] = ['inProgress', 'pending'];
/** States that answer the request: the quote's completion date is stamped on reaching one. */
const ANSWERED_STATES: readonly string[] = ['approved', 'rejected', 'cancelled'];
/** What may still change once a quote is no longer being prepared (items' states follow the quote's). */
const CHANGEABLE_WHEN_FROZEN = new Set(['state', 'note', 'authorization', 'description', 'externalId', 'category', 'effectiveQuoteCompletionDate', 'expectedQuoteCompletionDate', 'quoteItem']);
/** The moves a customer or partner (a credential confined to one party) makes: answering an approved quote. */
const CUSTOMER_MOVES: Readonly<Record<string, readonly string[]>> = { approved: ['accepted', 'rejected'] };

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const DAY_MS = 86_400_000;

// --- the pricer, per request ----------------------------------------------------------------------

/**
 * The pricer a write is priced with, passed to the definition's hooks through
 * the request context (the kit's hooks do not see the ports): `null` when no
 * flow provides one, so that the quote is recorded unpriced rather than priced
 * by invention.
 */
const pricers = new WeakMap<RequestContext, QuotePricer | null>();

/** A copy of `ctx` under which quotes are priced by `pricer` (none: left unpriced). */
export function pricingWith(ctx: RequestContext, pricer: QuotePricer | undefined): RequestContext {
  const c = { ...ctx };
  pricers.set(c, pricer ?? null);
  return c;
}

// --- items ---------------------------------------------------------------------------------------

/** Items without an id are numbered; ids are unique across the quote, sub-items included. */
function numberItems(doc: Doc): void {
  const all = itemsOf(doc);
  const taken = new Set(all.map(({ item }) => item['id']).filter((id) => typeof id === 'string'));
  let next = 1;
  for (const { item } of all) {
    if (item['id'] !== undefined) continue;
    while (taken.has(String(next))) next++;
    const id = String(next);
    item['id'] = id;
    taken.add(id);
  }
}

/** TMF648 requires an id on every note; one is given when the client leaves it out. */
function identifyNotes(doc: Doc): void {
  const lists = [doc['note'], ...itemsOf(doc).map(({ item }) => item['note'])];
  for (const notes of lists) if (Array.isArray(notes)) for (const n of notes) if (isObject(n) && n['id'] === undefined) n['id'] = newId();
}

/** The items' states follow the quote's. */
function followState(doc: Doc): void {
  for (const { item } of itemsOf(doc)) item['state'] = doc['state'];
}

/** Prices and states of items are the server's: a client may not write them on create. */
export function refuseServerItemAttributes(doc: Doc): void {
  for (const { item, path } of itemsOf(doc)) {
    for (const f of ['state', 'quoteItemPrice']) if (item[f] !== undefined) throw badRequest(`'${path}.${f}' is set by the server and cannot be given`, `${path}.${f}`);
  }
}

/** What a quote says about its items, whatever its state: ids, relationships, what each action needs. */
export function checkItems(doc: Doc): void {
  const all = itemsOf(doc);
  if (all.length === 0) throw unprocessable('a quote needs at least one quote item', 'quoteItem');
  const ids = new Set<string>();
  for (const { item, path } of all) {
    const id = String(item['id']);
    if (ids.has(id)) throw unprocessable(`item id '${id}' is used twice in the quote`, `${path}.id`);
    ids.add(id);
  }
  for (const { item, path } of all) {
    const product = isObject(item['product']) ? item['product'] : undefined;
    const offering = isObject(item['productOffering']) ? item['productOffering'] : isObject(product?.['productOffering']) ? product['productOffering'] : undefined;
    if (item['action'] === 'add' && str(offering?.['id']) === undefined) {
      throw unprocessable(`an item that adds a product names the product offering quoted`, `${path}.productOffering.id`);
    }
    if (item['action'] !== 'add' && str(product?.['id']) === undefined) {
      throw unprocessable(`an item with action '${String(item['action'])}' names the existing product it is about`, `${path}.product.id`);
    }
    (Array.isArray(item['quoteItemRelationship']) ? item['quoteItemRelationship'] : []).forEach((r, i) => {
      const target = isObject(r) ? String(r['id']) : '';
      if (target === String(item['id'])) throw unprocessable('an item cannot be related to itself', `${path}.quoteItemRelationship[${i}].id`);
      if (!ids.has(target)) throw unprocessable(`no item '${target}' in this quote`, `${path}.quoteItemRelationship[${i}].id`);
    });
  }
}

/** The items without their server-set parts, to tell whether a change touches what is quoted. */
function itemsAsQuoted(doc: Doc): unknown {
  const strip = (list: unknown): unknown =>
    (Array.isArray(list) ? list : []).map((item) => {
      if (!isObject(item)) return item;
      const { state: _state, quoteItemPrice: _price, quoteItem: sub, ...rest } = item;
      return sub === undefined ? rest : { ...rest, quoteItem: strip(sub) };
    });
  return strip(doc['quoteItem']);
}

/** Every item's prices, by path: the server's, and compared to refuse a client's own. */
function pricesOf(doc: Doc): unknown {
  return itemsOf(doc).map(({ item, path }) => [path, item['quoteItemPrice']]);
}

/** The document is valid enough to be shown to a pricer: schema and item rules (the kit checks all again after). */
function checkBeforePricing(doc: Doc): void {
  const known = new Set([...Object.keys(Quote.properties), 'id', 'href']);
  if (typeof doc['@schemaLocation'] !== 'string') {
    for (const k of Object.keys(doc)) if (!known.has(k)) throw badRequest(`invalid Quote: '${k}' is not an attribute of Quote`, k);
  }
  assertValid(Quote, normaliseDates(Quote, cloneJson(doc)), 'invalid Quote');
  checkItems(doc);
}

// --- pricing and validity --------------------------------------------------------------------------

/**
 * Prices the quote with the request's pricer and keeps its validity within
 * what the prices allow. Without a pricer the items are left unpriced.
 */
async function price(doc: Doc, ctx: RequestContext): Promise<void> {
  const pricer = pricers.get(ctx);
  if (!pricer) {
    for (const { item } of itemsOf(doc)) delete item['quoteItemPrice'];
    delete doc['quoteTotalPrice'];
    return;
  }
  const pricing = await pricer.price(cloneJson(doc) as QuoteDocument, ctx);
  applyPricing(doc, pricing);
  if (pricing.expectedQuoteCompletionDate !== undefined) doc['expectedQuoteCompletionDate'] = pricing.expectedQuoteCompletionDate;
  const until = pricing.validUntil !== undefined ? Date.parse(pricing.validUntil) : NaN;
  const validFor = isObject(doc['validFor']) ? doc['validFor'] : undefined;
  const end = validFor && typeof validFor['endDateTime'] === 'string' ? Date.parse(validFor['endDateTime']) : Infinity;
  // a quote cannot promise prices beyond the date they hold until
  if (validFor && !Number.isNaN(until) && until < end) validFor['endDateTime'] = new Date(until).toISOString();
}

/** Validity from the quote's date for the default period, unless the requester gave one. */
function defaultValidity(doc: Doc): void {
  const start = String(doc['quoteDate']);
  if (doc['validFor'] === undefined) {
    doc['validFor'] = { startDateTime: start, endDateTime: new Date(Date.parse(start) + DEFAULT_VALIDITY_DAYS * DAY_MS).toISOString() };
  } else if (isObject(doc['validFor']) && doc['validFor']['startDateTime'] === undefined) {
    doc['validFor']['startDateTime'] = start;
  }
}

/** Whether every item that adds or changes a product has a price (a quote is approved only then). */
export function unpricedItems(doc: Doc): string[] {
  return itemsOf(doc)
    .filter(({ item }) => (item['action'] === 'add' || item['action'] === 'modify') && !(Array.isArray(item['quoteItemPrice']) && item['quoteItemPrice'].length > 0))
    .map(({ path }) => path);
}

// --- the resource ----------------------------------------------------------------------------------

function checkMove(doc: Doc, change: ChangeInfo, ctx: RequestContext): void {
  const before = change.before;
  if (change.op !== 'update' || !before) return;
  const from = String(before['state']);
  const to = String(doc['state']);
  // a customer or partner answers an approved quote; preparing, approving and withdrawing are the seller's
  if (ctx.principal?.partyId !== undefined && from !== to && !(CUSTOMER_MOVES[from] ?? []).includes(to)) {
    throw new OperonError('forbidden', `the seller moves a quote from '${from}' to '${to}'; a customer may only accept or reject an approved quote`, { field: 'state' });
  }
  if (!EDITABLE_STATES.includes(from as QuoteState)) {
    const changed = Object.keys({ ...before, ...doc }).find((k) => !CHANGEABLE_WHEN_FROZEN.has(k) && !sameJson(before[k], doc[k]));
    if (changed !== undefined || !sameJson(itemsAsQuoted(before), itemsAsQuoted(doc))) {
      throw unprocessable(`the quote is ${from}: what it quotes can no longer change ('${changed ?? 'quoteItem'}')`, changed ?? 'quoteItem');
    }
  }
  if (from === to) return;
  const validFor = doc['validFor'];
  if (to === 'approved') {
    const unpriced = unpricedItems(doc);
    if (unpriced.length > 0) throw unprocessable(`a quote is approved only once every item is priced; ${unpriced.join(', ')} has no price`, `${unpriced[0]}.quoteItemPrice`);
    if (!isCurrent(validFor, clock.now())) throw unprocessable('a quote is approved only within its validity period', 'validFor');
  }
  if (to === 'accepted' && !isCurrent(validFor, clock.now())) {
    const end = isObject(validFor) ? String(validFor['endDateTime'] ?? '') : '';
    throw unprocessable(`the quote is not valid now${end ? ` (valid until ${end})` : ''}: it can no longer be accepted`, 'validFor');
  }
}

export const quote: ResourceDefinition = {
  name: 'quote',
  type: 'Quote',
  table: TABLE,
  schema: Quote,
  lifecycle: quoteLifecycle,
  // a customer or partner sees and answers only the quotes naming it
  partyPaths: ['relatedParty.id'],
  created: 'quoteDate',
  indexed: ['externalId'],
  // TMF648 sets the quote's date on creation (Quote_Create has no quoteDate)
  readOnly: ['quoteDate', 'effectiveQuoteCompletionDate', 'expectedQuoteCompletionDate', 'quoteTotalPrice'],
  immutable: ['instantSyncQuote'],
  // created and changed through routes.ts, which price the quote; listed, read and deleted by the kit
  operations: ['list', 'retrieve', 'delete'],
  async onCreate(doc, ctx) {
    refuseServerItemAttributes(doc);
    numberItems(doc);
    identifyNotes(doc);
    doc['version'] ??= '1';
    defaultValidity(doc);
    followState(doc);
    checkBeforePricing(doc);
    await price(doc, ctx);
  },
  async onUpdate(doc, before, ctx) {
    numberItems(doc);
    identifyNotes(doc);
    followState(doc);
    if (String(before['state']) !== String(doc['state']) && ANSWERED_STATES.includes(String(doc['state']))) {
      doc['effectiveQuoteCompletionDate'] ??= clock.iso();
    }
    const requoted = !sameJson(itemsAsQuoted(before), itemsAsQuoted(doc));
    // a quote being prepared is priced again whenever what it quotes changes
    if (requoted && EDITABLE_STATES.includes(String(before['state']) as QuoteState)) {
      checkBeforePricing(doc);
      await price(doc, ctx);
    } else if (!requoted && !sameJson(pricesOf(before), pricesOf(doc))) {
      const at = itemsOf(doc).find(({ item }) => !sameJson(item['quoteItemPrice'], itemsOf(before).find((b) => b.item['id'] === item['id'])?.item['quoteItemPrice']));
      throw badRequest(`'quoteItemPrice' is set by the server from the catalog's prices and cannot be modified`, `${at?.path ?? 'quoteItem'}.quoteItemPrice`);
    }
  },
  validate(doc, change, ctx) {
    checkTimePeriods(doc['validFor'], 'validFor');
    checkItems(doc);
    checkMove(doc, change, ctx);
  },
};

export const quoteManagementApi = defineApi({
  id: 'TMF648',
  name: API_NAME,
  title: 'Quote Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [quote],
});
