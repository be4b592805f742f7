/**
 * What the three ordering APIs share — TMF622 product orders, TMF641 service
 * orders, TMF652 resource orders: the order and item state machines, the rules
 * that keep an order's state consistent with its items, the dates the server
 * stamps, cancellation requests, milestones, jeopardy alerts and error
 * messages, and the operations a flow moves orders with. Each ordering
 * component describes its layout (an OrderKind) and gets the rest from here.
 */
import { OperonError, badRequest, clock, cloneJson, conflict, defineLifecycle, newId, unprocessable, type Lifecycle, type RequestContext } from '@operon/kernel';
import type { Database, Queryable, Tx } from '@operon/store';
import { Type, type TObject, type TSchema } from 'typebox';
import type { ComponentManifest, ComponentRuntime } from '../component.ts';
import { envelope } from '../events.ts';
import { etagOf, type Doc, type ResourceDefinition, type ResourceService, type Versioned } from '../resource.ts';
import { ErrorBody } from '../schemas.ts';
import { assertValid, normaliseDates } from '../validate.ts';

// --- states --------------------------------------------------------------------------------------

/** Order states of TMF622, TMF641 and TMF652 (the same eleven in all three). */
export const ORDER_STATES = [
  'acknowledged', 'rejected', 'pending', 'held', 'inProgress', 'cancelled', 'completed', 'failed', 'partial',
  'assessingCancellation', 'pendingCancellation',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** Item states: TMF641 has all of these, TMF622 and TMF652 all but `partial`. */
export const ORDER_ITEM_STATES = [
  'acknowledged', 'rejected', 'pending', 'held', 'inProgress', 'cancelled', 'completed', 'failed', 'partial',
  'assessingCancellation', 'pendingCancellation',
] as const;
export type OrderItemState = (typeof ORDER_ITEM_STATES)[number];

/** States in which an order is closed: a record, no longer worked on. */
export const CLOSED_ORDER_STATES: readonly OrderState[] = ['rejected', 'cancelled', 'completed', 'failed', 'partial'];
/** States from which a cancellation may be requested. */
export const CANCELLABLE_ORDER_STATES: readonly OrderState[] = ['acknowledged', 'pending', 'held', 'inProgress'];
const CANCELLING: readonly string[] = ['assessingCancellation', 'pendingCancellation'];
/** Item states that end an item's part in the order. */
const ITEM_CLOSED: readonly string[] = ['completed', 'partial', 'failed', 'cancelled', 'rejected'];
const DELIVERED: readonly string[] = ['completed', 'partial'];

/**
 * The order state machine (TMF622/641/652 user guides): acknowledged on
 * receipt, then rejected or in progress; in progress it may wait (pending) or
 * be stopped by an issue (held), and ends completed, partial or failed. A
 * cancellation is assessed (the order returns to where it was if refused),
 * then carried out (pendingCancellation) and the order ends cancelled.
 * Only closed orders may be deleted: an open one is still being delivered.
 */
export function orderLifecycle(name: string): Lifecycle<OrderState> {
  return defineLifecycle<OrderState>({
    name,
    field: 'state',
    initial: 'acknowledged',
    transitions: {
      acknowledged: ['inProgress', 'rejected', 'assessingCancellation'],
      inProgress: ['pending', 'held', 'completed', 'partial', 'failed', 'assessingCancellation'],
      pending: ['inProgress', 'assessingCancellation'],
      held: ['inProgress', 'assessingCancellation'],
      assessingCancellation: ['pendingCancellation', 'acknowledged', 'inProgress', 'pending', 'held'],
      pendingCancellation: ['cancelled'],
      rejected: [],
      cancelled: [],
      completed: [],
      failed: [],
      partial: [],
    },
    deletable: CLOSED_ORDER_STATES,
  });
}

const ITEM_TRANSITIONS: Record<OrderItemState, readonly OrderItemState[]> = {
  acknowledged: ['inProgress', 'pending', 'held', 'rejected', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled'],
  pending: ['inProgress', 'held', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled'],
  held: ['inProgress', 'pending', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled'],
  inProgress: ['pending', 'held', 'completed', 'partial', 'failed', 'assessingCancellation', 'pendingCancellation', 'cancelled'],
  assessingCancellation: ['acknowledged', 'pending', 'held', 'inProgress', 'pendingCancellation', 'cancelled'],
  pendingCancellation: ['cancelled', 'failed'],
  // what an item delivered is undone when its order fails as a whole or is cancelled
  completed: ['failed', 'pendingCancellation'],
  partial: ['failed', 'pendingCancellation'],
  rejected: [],
  failed: [],
  cancelled: [],
};

/** The item state machine, restricted to the states the API's item enumeration has. */
export function orderItemLifecycle(name: string, states: readonly OrderItemState[]): Lifecycle<OrderItemState> {
  const transitions = Object.fromEntries(states.map((s) => [s, ITEM_TRANSITIONS[s].filter((t) => states.includes(t))]));
  return defineLifecycle<OrderItemState>({
    name,
    field: 'state',
    initial: 'acknowledged',
    // keyed by the API's states only: a state missing from its enumeration is not a state of its items
    transitions: transitions as unknown as Record<OrderItemState, readonly OrderItemState[]>,
  });
}

/**
 * A cancellation request is a task: received (`acknowledged`, `accepted` in
 * TMF641), carried out (inProgress), and done — or terminatedWithError when the
 * order could not be cancelled.
 */
export function cancelRequestLifecycle(name: string, initial: 'acknowledged' | 'accepted'): Lifecycle<string> {
  return defineLifecycle<string>({
    name,
    field: 'state',
    initial,
    transitions: { [initial]: ['inProgress', 'done', 'terminatedWithError'], inProgress: ['done', 'terminatedWithError'], done: [], terminatedWithError: [] },
  });
}

// --- configuration ---------------------------------------------------------------------------------

/** How one ordering API lays out its order. */
export interface OrderKind {
  /** e.g. `ProductOrder` */
  type: string;
  /** Collection name, e.g. `productOrder` */
  name: string;
  /** Attribute holding the items, e.g. `productOrderItem` */
  items: string;
  /** Attribute of an item holding its sub-items, when items nest */
  subItems?: string;
  /** Item attribute naming what the item acts on: `product`, `service`, `resource` */
  subject: string;
  /** The items of the same order an item's relationships name, with where they are named */
  relatedItems(item: Doc): Array<{ id: string; field: string }>;
  /**
   * The items of the same order this item waits for (its dependency
   * relationships): it completes only after they have. Without it, items are
   * independent.
   */
  dependsOn?(item: Doc): string[];
  itemStates: readonly OrderItemState[];
  /** TMF622 leaves item states out of create (`server`); TMF641 and TMF652 accept them, the first state only (`initial`) */
  itemStateOnCreate: 'server' | 'initial';
  /** TMF652 items may come without an id: the server numbers them */
  numberItems?: boolean;
  /** Stamped when processing starts (TMF641, TMF652) */
  startDate?: string;
  /** The order carries cancellationDate and cancellationReason (TMF622, TMF641) */
  cancellationAttributes: boolean;
  /** Stamp orderDate here: clients may give it (TMF652), so it is not the kit's `created` */
  stampOrderDate?: boolean;
  milestone?: { attribute: string; eventType: string; type: string };
  jeopardy?: { attribute: string; eventType: string; type: string };
  errorMessage?: { attribute: string; eventType?: string; type: string };
  /** Items carry their own error messages too (TMF641 `serviceOrderItem.errorMessage`) */
  itemErrorMessage?: { attribute: string; type: string };
  /** Event announcing that the order waits for information (TMF641/652 `…InformationRequiredEvent`) */
  informationRequired?: string;
  /** How a milestone, alert or error message names an item of the order */
  itemRef?(orderId: string, orderHref: string, itemId: string): Doc;
  /**
   * Attributes an order must have although the schema leaves them optional:
   * those the API's conformance profile makes mandatory (TMF622: relatedParty).
   */
  mandatory?: readonly string[];
}

/** How one ordering API lays out its cancellation request. */
export interface CancelKind {
  type: string;
  name: string;
  /** Attribute naming the order to cancel, e.g. `productOrder` */
  order: string;
  initial: 'acknowledged' | 'accepted';
  /** TMF641 records why a cancellation failed (`errorMessage`) */
  errorMessage?: string;
  /**
   * The request carries its order's parties (an extension), so that a party
   * confined to its own documents sees the requests about its own orders.
   */
  copyParties?: boolean;
}

export interface OrderingConfig {
  /** API name (events, permission area) */
  api: string;
  /** Table of the orders, for the checks cancellation requests make */
  orderTable: string;
  order: OrderKind;
  cancel: CancelKind;
}

/**
 * Item relationship types by which an item waits for another: TMF641 and
 * TMF652 examples say dependsOn, TMF622 says reliesOn.
 */
export const ITEM_DEPENDENCY = /^(dependsOn|dependentOn|dependency|reliesOn)$/i;

// --- small helpers -------------------------------------------------------------------------------

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What the server adds to a document being created, beyond what the client
 * sent: passed to the definitions' onCreate through the request context, so
 * that the kit still validates, stores, audits and announces the whole.
 */
const serverSet = new WeakMap<RequestContext, (draft: Doc) => void>();

/** A copy of `ctx` under which `complete` fills the document the kit creates. */
export function completingWith(ctx: RequestContext, complete: (draft: Doc) => void): RequestContext {
  const c = { ...ctx };
  serverSet.set(c, complete);
  return c;
}

export interface ItemAt {
  item: Doc;
  /** e.g. `productOrderItem[0].productOrderItem[1]` */
  path: string;
  top: boolean;
}

/** Every item of an order, sub-items included, depth first. */
export function itemsOf(kind: OrderKind, doc: Doc): ItemAt[] {
  const out: ItemAt[] = [];
  const walk = (list: unknown, path: string, top: boolean) => {
    arrayOf(list).forEach((item, i) => {
      if (!isObject(item)) return;
      const at = `${path}[${i}]`;
      out.push({ item, path: at, top });
      if (kind.subItems) walk(item[kind.subItems], `${at}.${kind.subItems}`, false);
    });
  };
  walk(doc[kind.items], kind.items, true);
  return out;
}

function stateOf(v: unknown): string {
  return isObject(v) && typeof v['state'] === 'string' ? v['state'] : 'acknowledged';
}

// --- document rules --------------------------------------------------------------------------------

/**
 * Rules on the order as a document: item ids unique within the order (item
 * relationships and the state operations name items by id), relationships
 * naming items of the order, and modify/delete items naming what they act on
 * (whether it exists is the capture validator's business).
 */
export function checkOrderDocument(kind: OrderKind, doc: Doc): void {
  for (const a of kind.mandatory ?? []) {
    const v = doc[a];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
      throw badRequest(`'${a}' is mandatory in a ${kind.type}${Array.isArray(v) ? ' and may not be empty' : ''}`, a);
    }
  }
  const items = itemsOf(kind, doc);
  const seen = new Map<string, string>();
  for (const { item, path } of items) {
    const id = item['id'];
    if (typeof id !== 'string') continue;
    const first = seen.get(id);
    if (first !== undefined) throw unprocessable(`${path}.id: '${id}' is already the id of ${first}; item ids are unique within an order`, `${path}.id`);
    seen.set(id, path);
  }
  for (const { item, path } of items) {
    for (const r of kind.relatedItems(item)) {
      if (!seen.has(r.id)) throw unprocessable(`${path}.${r.field} names item '${r.id}', which is not an item of this order`, `${path}.${r.field}`);
    }
    const action = item['action'];
    if (action === 'modify' || action === 'delete') {
      const subject = item[kind.subject];
      if (!isObject(subject) || typeof subject['id'] !== 'string' || subject['id'] === '') {
        throw unprocessable(`${path}: a '${action}' item must name the existing ${kind.subject} it acts on (${kind.subject}.id)`, `${path}.${kind.subject}.id`);
      }
    }
  }
}

/** Item states given on create: refused where the server sets them, else only the first state. */
function checkItemStatesOnCreate(kind: OrderKind, doc: Doc): void {
  for (const { item, path } of itemsOf(kind, doc)) {
    if (!('state' in item)) continue;
    if (kind.itemStateOnCreate === 'server') throw badRequest(`'${path}.state' is set by the server and cannot be given on create`, `${path}.state`);
    if (item['state'] !== 'acknowledged') {
      throw unprocessable(`${path}.state: an order item starts 'acknowledged', not '${String(item['state'])}'`, `${path}.state`);
    }
  }
}

/**
 * The same checks the kit makes on create, made before anything else looks at
 * the order (the capture validator is asked only about well-formed orders).
 */
export function checkCreateInput(svc: Pick<ResourceService, 'def' | 'known'>, kind: OrderKind | undefined, input: unknown): Doc {
  const type = svc.def.type;
  if (!isObject(input)) throw badRequest(`the body of a ${type} must be a JSON object`);
  for (const f of ['id', 'href', ...(svc.def.readOnly ?? [])]) {
    if (f in input) throw badRequest(`'${f}' is set by the server and cannot be given on create`, f);
  }
  if (typeof input['@schemaLocation'] !== 'string') {
    for (const k of Object.keys(input)) if (!svc.known.has(k)) throw badRequest(`invalid ${type}: '${k}' is not an attribute of ${type}`, k);
  }
  const doc = normaliseDates(svc.def.schema, cloneJson(input)) as Doc;
  assertValid(svc.def.schema, doc, `invalid ${type}`);
  if (kind) {
    checkItemStatesOnCreate(kind, doc);
    checkOrderDocument(kind, doc);
  }
  return doc;
}

/** The rules tying an order's state to its items' states. */
function checkItemsAgainstOrder(kind: OrderKind, doc: Doc): void {
  const state = String(doc['state']);
  const all = itemsOf(kind, doc);
  for (const { item, path } of all) {
    const s = stateOf(item);
    if (CANCELLING.includes(s) && !CANCELLING.includes(state)) {
      throw new OperonError('unprocessable', `${path}.state: an item is '${s}' only while its order is being cancelled, and the order is '${state}'`, { field: `${path}.state`, code: 'inconsistentItems' });
    }
  }
  const top = all.filter((i) => i.top).map((i) => stateOf(i.item));
  if (top.length === 0) return;
  const every = (states: readonly string[]) => top.every((s) => states.includes(s));
  const some = (states: readonly string[]) => top.some((s) => states.includes(s));
  let rule: string | undefined;
  switch (state) {
    case 'acknowledged':
      if (!every(['acknowledged'])) rule = 'every item acknowledged';
      break;
    case 'rejected':
      if (!every(['rejected'])) rule = 'every item rejected';
      break;
    case 'completed':
      if (!every(['completed'])) rule = 'every item completed';
      break;
    case 'partial':
      if (!(every(ITEM_CLOSED) && some(DELIVERED) && !every(['completed']))) rule = 'every item closed, some delivered and some not';
      break;
    case 'failed':
      if (!(every(ITEM_CLOSED) && !some(DELIVERED) && some(['failed']))) rule = 'every item closed, none delivered and at least one failed';
      break;
    case 'cancelled':
      if (!(every(ITEM_CLOSED) && !some(DELIVERED))) rule = 'every item closed and none delivered';
      break;
    default:
  }
  if (rule) {
    throw new OperonError('unprocessable', `a ${kind.type} is '${state}' only with ${rule}; its items are ${top.join(', ')}`, { field: 'state', code: 'inconsistentItems' });
  }
}

/** Item transitions along the item state machine; the set of items is fixed once the order is placed. */
function checkItemChanges(kind: OrderKind, itemLc: Lifecycle<OrderItemState>, before: Doc, after: Doc): void {
  const was = new Map(itemsOf(kind, before).map((i) => [String(i.item['id']), i]));
  const now = itemsOf(kind, after);
  const ids = now.map((i) => String(i.item['id']));
  if (ids.length !== was.size || ids.some((id) => !was.has(id))) {
    throw unprocessable(`items cannot be added to or removed from a ${kind.type} once it is placed (was: ${[...was.keys()].join(', ')}; now: ${ids.join(', ')})`, kind.items);
  }
  const stateById = new Map(now.map((i) => [String(i.item['id']), stateOf(i.item)]));
  for (const { item, path } of now) {
    const from = stateOf(was.get(String(item['id']))!.item);
    const to = stateOf(item);
    if (from === to) continue;
    try {
      itemLc.assertMove(from, to);
    } catch (e) {
      if (!(e instanceof OperonError)) throw e;
      throw new OperonError(e.kind, `${path}.state: ${e.message}`, { field: `${path}.state`, code: e.code });
    }
    if (to === 'completed' && kind.dependsOn) {
      const waiting = kind.dependsOn(item).filter((d) => stateById.get(d) !== 'completed');
      if (waiting.length > 0) {
        throw new OperonError('unprocessable', `${path}.state: item '${String(item['id'])}' depends on item(s) ${waiting.map((d) => `'${d}' (${stateById.get(d) ?? 'missing'})`).join(', ')}, which must be completed first`, { field: `${path}.state`, code: 'dependencyNotCompleted' });
      }
    }
  }
}

/**
 * The items that can be worked on now: open (not closed, not being cancelled)
 * and with every item they depend on completed. A flow starts these, and asks
 * again as items complete.
 */
export function readyItems(kind: OrderKind, doc: Doc): string[] {
  const all = itemsOf(kind, doc);
  const stateById = new Map(all.map((i) => [String(i.item['id']), stateOf(i.item)]));
  return all
    .filter(({ item }) => !ITEM_CLOSED.includes(stateOf(item)) && !CANCELLING.includes(stateOf(item)))
    .filter(({ item }) => (kind.dependsOn?.(item) ?? []).every((d) => stateById.get(d) === 'completed'))
    .map(({ item }) => String(item['id']));
}

function stampItems(kind: OrderKind, doc: Doc, state: OrderItemState): void {
  if (kind.numberItems) {
    const items = itemsOf(kind, doc);
    const taken = new Set(items.map((i) => i.item['id']).filter((id) => typeof id === 'string'));
    let n = 0;
    for (const { item } of items) {
      if (typeof item['id'] === 'string') continue;
      do n++; while (taken.has(String(n)));
      item['id'] = String(n);
    }
  }
  for (const { item } of itemsOf(kind, doc)) item['state'] = state;
}

/**
 * Hooks of an order's resource definition: the server's part of creation
 * (item states, dates), the dates stamped as the state moves, and the rules
 * every change must keep.
 */
export function orderHooks(kind: OrderKind, itemLc: Lifecycle<OrderItemState>): Pick<ResourceDefinition, 'onCreate' | 'onUpdate' | 'validate'> {
  return {
    onCreate(draft, ctx) {
      if (kind.itemStateOnCreate === 'server') checkItemStatesOnCreate(kind, draft);
      const now = clock.iso();
      if (kind.stampOrderDate) draft['orderDate'] ??= now;
      if (draft['expectedCompletionDate'] === undefined && typeof draft['requestedCompletionDate'] === 'string') {
        draft['expectedCompletionDate'] = draft['requestedCompletionDate'];
      }
      serverSet.get(ctx)?.(draft);
      if (kind.itemStateOnCreate === 'initial') checkItemStatesOnCreate(kind, draft);
      const state = String(draft['state']);
      stampItems(kind, draft, state === 'rejected' ? 'rejected' : 'acknowledged');
      // closed on arrival (rejected at capture): closed when placed
      if ((CLOSED_ORDER_STATES as readonly string[]).includes(state)) draft['completionDate'] ??= typeof draft['orderDate'] === 'string' ? draft['orderDate'] : now;
    },
    onUpdate(next, before) {
      const from = before['state'];
      const to = next['state'];
      if (from === to) return;
      const now = clock.iso();
      if (to === 'inProgress' && kind.startDate && next[kind.startDate] === undefined) next[kind.startDate] = now;
      if ((CLOSED_ORDER_STATES as readonly unknown[]).includes(to)) next['completionDate'] ??= now;
      // the date the order really was cancelled, whatever was asked for
      if (to === 'cancelled' && kind.cancellationAttributes) next['cancellationDate'] = now;
    },
    validate(doc, change) {
      checkOrderDocument(kind, doc);
      if (change.op === 'update' && change.before) {
        const before = change.before;
        const closed = String(before['state']);
        if ((CLOSED_ORDER_STATES as readonly string[]).includes(closed)) {
          const changed = Object.keys({ ...before, ...doc }).filter((k) => k !== 'note' && !sameJson(before[k], doc[k]));
          if (changed.length > 0) {
            throw unprocessable(`the ${kind.type} is closed ('${closed}'): only its notes may still change, not '${changed[0]}'`, changed[0]);
          }
        }
        checkItemChanges(kind, itemLc, before, doc);
      }
      checkItemsAgainstOrder(kind, doc);
    },
  };
}

/** Hooks of a cancellation request's resource definition. */
export function cancelHooks(config: OrderingConfig): Pick<ResourceDefinition, 'onCreate' | 'onUpdate' | 'validate'> {
  return {
    onCreate(draft, ctx) {
      serverSet.get(ctx)?.(draft);
    },
    onUpdate(next, before) {
      if (next['state'] === 'done' && before['state'] !== 'done') next['effectiveCancellationDate'] ??= clock.iso();
    },
    async validate(doc, change, _ctx, q) {
      if (change.op !== 'update' || doc['state'] === change.before?.['state'] || doc['state'] !== 'done') return;
      const ref = doc[config.cancel.order];
      const id = isObject(ref) ? String(ref['id']) : '';
      const r = await q.query<{ state: string | null }>(`SELECT doc->>'state' AS state FROM ${config.orderTable} WHERE id = $1`, [id]);
      const state = r.rows[0]?.state;
      if (state !== 'cancelled') {
        throw new OperonError('unprocessable', `a ${config.cancel.type} is done only once its ${config.order.type} is cancelled, and ${id} is '${state ?? 'missing'}'`, { field: 'state', code: 'inconsistentOrder' });
      }
    },
  };
}

// --- operations for flows -------------------------------------------------------------------------

export interface MilestoneInput {
  id?: string;
  name: string;
  description?: string;
  message?: string;
  status?: string;
  milestoneDate?: string;
  /** Ids of the items the milestone is about */
  itemIds?: readonly string[];
}

export interface JeopardyAlertInput {
  id?: string;
  name: string;
  jeopardyType?: string;
  exception?: string;
  message?: string;
  alertDate?: string;
  itemIds?: readonly string[];
}

export interface ErrorMessageInput {
  code?: string;
  reason: string;
  message?: string;
  status?: string;
  referenceError?: string;
  itemIds?: readonly string[];
}

/**
 * The operations a flow moves orders and cancellation requests with. Each
 * takes an optional transaction, so that it commits together with the flow's
 * own work; every change goes through the resource service (lifecycle, rules,
 * events, audit). Plain `orders.update`/`orders.transition` work too; these
 * add the item bookkeeping and the extra events.
 */
export class OrderOperations<O extends Doc = Doc, C extends Doc = Doc> {
  readonly orders: ResourceService<O>;
  readonly cancellations: ResourceService<C>;
  protected readonly db: Database;

  constructor(readonly config: OrderingConfig, runtime: Pick<ComponentRuntime, 'db' | 'services'>) {
    const api = runtime.services.get(config.api);
    const orders = api?.get(config.order.name);
    const cancellations = api?.get(config.cancel.name);
    if (!orders || !cancellations) throw new Error(`the ${config.api} API is not mounted in this runtime`);
    this.orders = orders as unknown as ResourceService<O>;
    this.cancellations = cancellations as unknown as ResourceService<C>;
    this.db = runtime.db;
  }

  protected within<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.db.tx(fn);
  }

  /** Creates an order as POST does (the kit's create with the server's additions). */
  create(input: unknown, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    return this.orders.create(input, ctx, tx);
  }

  /** Moves the order (when `state` is given) and the named items together, in one change. */
  moveItems(id: string, items: Readonly<Record<string, OrderItemState>>, ctx: RequestContext, opts: { state?: OrderState; changes?: Doc } = {}, tx?: Tx): Promise<Versioned<O>> {
    const kind = this.config.order;
    return this.orders.update(id, (doc) => {
      const found = new Map(itemsOf(kind, doc).map((i) => [String(i.item['id']), i.item]));
      for (const [itemId, state] of Object.entries(items)) {
        const item = found.get(itemId);
        if (!item) throw unprocessable(`${kind.type} ${id} has no item '${itemId}'`, kind.items);
        item['state'] = state;
      }
      return { ...doc, ...opts.changes, ...(opts.state ? { state: opts.state } : {}) } as O;
    }, ctx, tx);
  }

  /** Ids of the items that can be worked on now (see readyItems). */
  async readyItems(id: string, tx?: Tx): Promise<string[]> {
    return readyItems(this.config.order, (await this.orders.retrieve(id, tx)).doc);
  }

  /** Starts processing: the order and its acknowledged items go inProgress. */
  start(id: string, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    return this.orders.update(id, (doc) => {
      for (const { item } of itemsOf(this.config.order, doc)) if (stateOf(item) === 'acknowledged') item['state'] = 'inProgress';
      return { ...doc, state: 'inProgress' } as O;
    }, ctx, tx);
  }

  /** Moves the order to `state` (and merges `changes`), along the order state machine. */
  transition(id: string, state: OrderState, ctx: RequestContext, changes: Doc = {}, tx?: Tx): Promise<Versioned<O>> {
    return this.orders.transition(id, state, ctx, changes, tx);
  }

  /**
   * Closes an order whose items are all closed: completed when every item
   * was, partial when some were, failed when none was.
   */
  close(id: string, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    const kind = this.config.order;
    return this.orders.update(id, (doc) => {
      const top = itemsOf(kind, doc).filter((i) => i.top).map((i) => stateOf(i.item));
      const open = top.filter((s) => !ITEM_CLOSED.includes(s));
      if (open.length > 0) throw unprocessable(`${kind.type} ${id} still has items in progress (${open.join(', ')}); close them first`, kind.items);
      const state: OrderState = top.every((s) => s === 'completed') ? 'completed' : top.some((s) => DELIVERED.includes(s)) ? 'partial' : 'failed';
      return { ...doc, state } as O;
    }, ctx, tx);
  }

  /**
   * Ends the order in failure: its open items fail, and so do delivered ones
   * unless `keepDelivered` (items independent of each other: the order is then
   * partial when some were delivered). The error is recorded on the order when
   * the API has a place for it, else as a note.
   */
  fail(id: string, error: ErrorMessageInput, ctx: RequestContext, opts: { keepDelivered?: boolean } = {}, tx?: Tx): Promise<Versioned<O>> {
    const kind = this.config.order;
    return this.within(tx, async (t) => {
      const current = await this.orders.retrieve(id, t);
      if (['acknowledged', 'pending', 'held'].includes(String(current.doc['state']))) await this.orders.transition(id, 'inProgress', ctx, {}, t);
      const r = await this.orders.update(id, (doc) => {
        for (const { item } of itemsOf(kind, doc)) {
          const s = stateOf(item);
          if (!ITEM_CLOSED.includes(s) || (!opts.keepDelivered && DELIVERED.includes(s))) item['state'] = 'failed';
        }
        const top = itemsOf(kind, doc).filter((i) => i.top).map((i) => stateOf(i.item));
        const state: OrderState = top.some((s) => DELIVERED.includes(s)) ? 'partial' : 'failed';
        return this.withError({ ...doc, state } as O, error, ctx);
      }, ctx, t);
      this.emitExtra(t, ctx, kind.errorMessage?.eventType, r.doc, 'error recorded');
      return r;
    });
  }

  /** Records an error on the order (TMF622 productOrderErrorMessage, TMF641 errorMessage; a note elsewhere). */
  addErrorMessage(id: string, error: ErrorMessageInput, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    return this.within(tx, async (t) => {
      const r = await this.orders.update(id, (doc) => this.withError(doc, error, ctx), ctx, t);
      this.emitExtra(t, ctx, this.config.order.errorMessage?.eventType, r.doc, 'error recorded');
      return r;
    });
  }

  /** Records a milestone (a new one, or a new version of one with the same id) and announces it. */
  addMilestone(id: string, milestone: MilestoneInput, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    const m = this.config.order.milestone;
    if (!m) throw new Error(`${this.config.order.type} has no milestones`);
    const { itemIds, ...rest } = milestone;
    return this.within(tx, async (t) => {
      const r = await this.orders.update(id, (doc) => upsert(doc, m.attribute, {
        ...rest, id: rest.id ?? newId(), milestoneDate: rest.milestoneDate ?? clock.iso(), '@type': m.type, ...this.refs(doc, itemIds, ctx),
      }), ctx, t);
      this.emitExtra(t, ctx, m.eventType, r.doc, `milestone ${milestone.name}`);
      return r;
    });
  }

  /** Raises a jeopardy alert (a new one, or a new version of one with the same id) and announces it. */
  addJeopardyAlert(id: string, alert: JeopardyAlertInput, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    const j = this.config.order.jeopardy;
    if (!j) throw new Error(`${this.config.order.type} has no jeopardy alerts`);
    const { itemIds, ...rest } = alert;
    return this.within(tx, async (t) => {
      const r = await this.orders.update(id, (doc) => upsert(doc, j.attribute, {
        ...rest, id: rest.id ?? newId(), alertDate: rest.alertDate ?? clock.iso(), '@type': j.type, ...this.refs(doc, itemIds, ctx),
      }), ctx, t);
      this.emitExtra(t, ctx, j.eventType, r.doc, `jeopardy ${alert.name}`);
      return r;
    });
  }

  /**
   * The order cannot go on without information from its requester (e.g. a
   * missing characteristic): an order in progress is held, a note says what
   * is missing, and the API's InformationRequired event names the attribute
   * (`fieldPath`, e.g. `serviceOrderItem[0].service.serviceCharacteristic`).
   * Once the information is there, `transition(id, 'inProgress')` resumes it.
   */
  requireInformation(id: string, info: { fieldPath: string; message: string }, ctx: RequestContext, tx?: Tx): Promise<Versioned<O>> {
    const kind = this.config.order;
    return this.within(tx, async (t) => {
      const r = await this.orders.update(id, (doc) => {
        const note = { id: newId(), author: 'Operon', date: clock.iso(), text: `Information required (${info.fieldPath}): ${info.message}` };
        return { ...doc, ...(doc['state'] === 'inProgress' ? { state: 'held' } : {}), note: [...arrayOf(doc['note']), note] } as O;
      }, ctx, t);
      this.emitExtra(t, ctx, kind.informationRequired, r.doc, `information required: ${info.fieldPath}`, { fieldPath: info.fieldPath });
      return r;
    });
  }

  /**
   * Asks for an order to be cancelled (what POST on the cancellation
   * collection does): the order must still be open and not already being
   * cancelled; it goes to assessingCancellation and the request is created,
   * in one transaction. The request carries the order's parties, so that a
   * customer sees only the requests about its own orders.
   */
  async requestCancellation(input: unknown, ctx: RequestContext, tx?: Tx): Promise<Versioned<C>> {
    const { order: kind, cancel } = this.config;
    const body = checkCreateInput(this.cancellations, undefined, input);
    const ref = body[cancel.order] as Doc;
    const orderId = String(ref['id']);
    return this.within(tx, async (t) => {
      let order: Versioned<O>;
      try {
        order = await this.orders.update(orderId, (doc) => {
          const state = String(doc['state']);
          if (CANCELLING.includes(state)) throw conflict(`${kind.type} ${orderId} is already being cancelled ('${state}')`);
          if (!(CANCELLABLE_ORDER_STATES as readonly string[]).includes(state)) {
            throw new OperonError('unprocessable', `${kind.type} ${orderId} is '${state}' and can no longer be cancelled; cancellable: ${CANCELLABLE_ORDER_STATES.join(', ')}`, { field: `${cancel.order}.id`, code: 'notCancellable' });
          }
          const reason = body['cancellationReason'];
          return { ...doc, state: 'assessingCancellation', ...(kind.cancellationAttributes && typeof reason === 'string' ? { cancellationReason: reason } : {}) } as O;
        }, ctx, t);
      } catch (e) {
        // another party's order is answered like a missing one
        if (e instanceof OperonError && e.kind === 'notFound') throw unprocessable(`${cancel.order}.id '${orderId}' names no ${kind.type}`, `${cancel.order}.id`);
        throw e;
      }
      const href = this.orders.href(ctx, orderId);
      return this.cancellations.create(input, completingWith(ctx, (draft) => {
        draft[cancel.order] = { ...ref, href: typeof ref['href'] === 'string' ? ref['href'] : href };
        if (cancel.copyParties && Array.isArray(order.doc['relatedParty'])) draft['relatedParty'] = cloneJson(order.doc['relatedParty']);
      }), t);
    });
  }

  /**
   * The cancellation is going ahead: the request is in progress, the order
   * pendingCancellation, and its items that are open or were delivered (to be
   * undone) pendingCancellation.
   */
  acceptCancellation(requestId: string, ctx: RequestContext, tx?: Tx): Promise<{ order: Versioned<O>; request: Versioned<C> }> {
    return this.within(tx, async (t) => {
      const { request, orderId } = await this.requestOf(requestId, t);
      const order = await this.orders.update(orderId, (doc) => {
        for (const { item } of itemsOf(this.config.order, doc)) {
          const s = stateOf(item);
          if (!ITEM_CLOSED.includes(s) || DELIVERED.includes(s)) item['state'] = 'pendingCancellation';
        }
        return { ...doc, state: 'pendingCancellation' } as O;
      }, ctx, t);
      const moved = request.doc['state'] === 'inProgress' ? request : await this.cancellations.transition(requestId, 'inProgress', ctx, {}, t);
      return { order, request: moved };
    });
  }

  /** The order is cancelled (accepting the request first if that was not done) and the request done. */
  completeCancellation(requestId: string, ctx: RequestContext, tx?: Tx): Promise<{ order: Versioned<O>; request: Versioned<C> }> {
    return this.within(tx, async (t) => {
      const { orderId } = await this.requestOf(requestId, t);
      const current = await this.orders.retrieve(orderId, t);
      if (current.doc['state'] === 'assessingCancellation') await this.acceptCancellation(requestId, ctx, t);
      const order = await this.orders.update(orderId, (doc) => {
        for (const { item } of itemsOf(this.config.order, doc)) if (!ITEM_CLOSED.includes(stateOf(item))) item['state'] = 'cancelled';
        return { ...doc, state: 'cancelled' } as O;
      }, ctx, t);
      const request = await this.cancellations.transition(requestId, 'done', ctx, {}, t);
      return { order, request };
    });
  }

  /**
   * The order cannot be cancelled (only while it is being assessed): it goes
   * back to `resume` (by default acknowledged when nothing has started, else
   * inProgress), the request ends terminatedWithError, and the reason is kept
   * on the request where the API has a place for it, and as a note on the order.
   */
  declineCancellation(requestId: string, reason: string, ctx: RequestContext, opts: { resume?: OrderState } = {}, tx?: Tx): Promise<{ order: Versioned<O>; request: Versioned<C> }> {
    const kind = this.config.order;
    return this.within(tx, async (t) => {
      const { orderId } = await this.requestOf(requestId, t);
      const order = await this.orders.update(orderId, (doc) => {
        if (doc['state'] !== 'assessingCancellation') {
          throw new OperonError('unprocessable', `${kind.type} ${orderId} is '${String(doc['state'])}': a cancellation can be declined only while it is assessed`, { field: 'state', code: 'forbiddenTransition' });
        }
        const items = itemsOf(kind, doc);
        const started = items.some((i) => !['acknowledged', 'assessingCancellation'].includes(stateOf(i.item)));
        const resume = opts.resume ?? (started ? 'inProgress' : 'acknowledged');
        for (const { item } of items) if (stateOf(item) === 'assessingCancellation') item['state'] = resume === 'acknowledged' ? 'acknowledged' : 'inProgress';
        const note = { id: newId(), author: 'Operon', date: clock.iso(), text: `Cancellation request ${requestId} declined: ${reason}` };
        return { ...doc, state: resume, note: [...arrayOf(doc['note']), note] } as O;
      }, ctx, t);
      const errorAttr = this.config.cancel.errorMessage;
      const changes = errorAttr ? { [errorAttr]: { code: 'cancellationDeclined', reason, '@type': 'ErrorMessage' } } : {};
      const request = await this.cancellations.transition(requestId, 'terminatedWithError', ctx, changes, t);
      return { order, request };
    });
  }

  private async requestOf(requestId: string, q: Queryable): Promise<{ request: Versioned<C>; orderId: string }> {
    const request = await this.cancellations.retrieve(requestId, q);
    const ref = request.doc[this.config.cancel.order];
    return { request, orderId: isObject(ref) ? String(ref['id']) : '' };
  }

  private refs(doc: Doc, itemIds: readonly string[] | undefined, ctx: RequestContext): Doc {
    const kind = this.config.order;
    if (!itemIds?.length || !kind.itemRef) return {};
    const known = new Set(itemsOf(kind, doc).map((i) => String(i.item['id'])));
    const id = String(doc['id']);
    for (const itemId of itemIds) if (!known.has(itemId)) throw unprocessable(`${kind.type} ${id} has no item '${itemId}'`, kind.items);
    return { [kind.items]: itemIds.map((itemId) => kind.itemRef!(id, this.orders.href(ctx, id), itemId)) };
  }

  private withError<D extends Doc>(doc: D, error: ErrorMessageInput, ctx: RequestContext): D {
    const kind = this.config.order;
    const e = kind.errorMessage;
    const { itemIds, ...rest } = error;
    const timestamp = clock.iso();
    if (kind.itemErrorMessage && itemIds?.length) {
      const { attribute, type } = kind.itemErrorMessage;
      // the item's own record of what went wrong with it (the order's names the items)
      for (const { item } of itemsOf(kind, doc)) {
        if (itemIds.includes(String(item['id']))) item[attribute] = [...arrayOf(item[attribute]), { ...rest, timestamp, '@type': type }];
      }
    }
    if (!e) {
      const text = [rest.reason, rest.message].filter(Boolean).join(': ');
      return { ...doc, note: [...arrayOf(doc['note']), { id: newId(), author: 'Operon', date: timestamp, text }] };
    }
    return upsert(doc, e.attribute, { ...rest, timestamp, '@type': e.type, ...this.refs(doc, itemIds, ctx) });
  }

  /** Milestone, jeopardy and error events (beyond the kit's create/change/delete): the order as it now stands. */
  private emitExtra(t: Tx, ctx: RequestContext, eventType: string | undefined, doc: O, what: string, extra: Doc = {}): void {
    if (!eventType) return;
    const { api, order } = this.config;
    const id = String(doc['id']);
    const base = envelope({
      api, resourceType: order.type, kind: 'AttributeValueChange', resource: this.orders.present(ctx, doc),
      ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
    });
    t.emit({
      api, eventType, resourceType: order.type, resourceId: id,
      payload: { ...base, eventType, title: `${order.type} ${what}`, description: `${order.type} ${id}: ${what}`, ...extra },
    });
  }
}

/** Appends `entry`, or replaces the entry with the same id. */
function upsert<D extends Doc>(doc: D, attribute: string, entry: Doc): D {
  const list = arrayOf(doc[attribute]).filter((x) => !(isObject(x) && x['id'] !== undefined && x['id'] === entry['id']));
  return { ...doc, [attribute]: [...list, entry] };
}

// --- routes ----------------------------------------------------------------------------------------

type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];

/** The representation a POST answers with, for the documentation. */
export function outputOf(schema: TObject, description: string): TObject {
  const props: Record<string, TSchema> = { id: Type.String({ description: 'Unique identifier, set by the server' }), href: Type.String({ description: 'Hyperlink reference, set by the server' }) };
  for (const [k, v] of Object.entries(schema.properties)) props[k] = Type.Optional(v as TSchema);
  return Type.Object(props, { description });
}

const documentOnly = () => () => true;

/**
 * A POST that does more than the kit's create (capture validation, a
 * cancellation moving its order), answered exactly as the kit answers one.
 */
export function postRoute(app: App, o: {
  area: string;
  tag: string;
  url: string;
  type: string;
  body: TObject;
  response: TObject;
  summary: string;
  create(body: unknown, ctx: RequestContext): Promise<{ doc: Doc; version: number; href: string }>;
}): void {
  app.route({
    method: 'POST',
    url: o.url,
    config: { access: { area: o.area, action: 'create' } },
    validatorCompiler: documentOnly,
    schema: {
      tags: [o.tag],
      operationId: `create${o.type}`,
      summary: o.summary,
      body: o.body,
      response: { 201: o.response, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody, 500: ErrorBody },
    },
    handler: async (req, reply) => {
      const mt = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (mt !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mt}'`);
      const r = await o.create(req.body, req.ctx);
      return reply.code(201).header('Location', r.href).header('ETag', etagOf(r.version)).send(r.doc);
    },
  });
}
