/**
 * Running a qualification: from its first state to inProgress, through the
 * port a flow provides, to done with the answers, or terminatedWithError with
 * the reason. Synchronously in the request (instantSyncQualification) or just
 * after it, by an in-process subscriber to the qualification's create event.
 */
import { clock, isOperonError, type RequestContext } from '@operon/kernel';
import type { RelayEvent, Tx } from '@operon/store';
import type { ComponentRuntime, Doc, Ports, ResourceService } from '@operon/tmf';
import type {
  CheckServiceQualificationDocument, CheckServiceQualificationItemAnswer, ItemNotEvaluated, ProductOfferingQualificationDocument,
  ProductOfferingQualificationItemAnswer, QueryServiceQualificationDocument,
} from './ports.ts';
import { productOfferingQualificationApi, serviceQualificationApi } from './resources.ts';
import type { QualificationResult } from './schemas.ts';

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** What the port answered, in the component's terms. */
interface Answer {
  items?: readonly Doc[];
  expirationDate?: string;
}

/** One kind of qualification: how its port is asked and how the answer is written into it. */
export interface QualificationKind {
  api: string;
  resource: string;
  type: string;
  /** The state it is created in (acknowledged in TMF679, accepted in TMF645). */
  initial: string;
  /** The attribute holding the items, for kinds whose items carry a state. */
  itemsField?: string;
  portName: 'productOfferingQualifier' | 'serviceQualifier';
  ask(ports: Ports, doc: Doc, ctx: RequestContext): Promise<Answer>;
  /** The answered document (state included). */
  answer(doc: Doc, answer: Answer): Doc;
}

const notEvaluated = (o: object): o is ItemNotEvaluated => 'terminationError' in o;

/** qualified when every item is, alternate when some are and none is unqualified, unqualified otherwise. */
function overall(results: (string | undefined)[]): QualificationResult {
  if (results.length === 0 || results.some((r) => r !== 'qualified' && r !== 'alternate')) return 'unqualified';
  return results.includes('alternate') ? 'alternate' : 'qualified';
}

interface ItemRules {
  resultField: 'qualificationItemResult' | 'qualificationResult';
  alternatesField: 'alternateProductOfferingProposal' | 'alternateServiceProposal';
  extra: readonly string[];
}

/** An item with its answer, as the request's flags allow: no reasons or alternatives when they were declined. */
function answerItem(item: Doc, o: Record<string, unknown> | undefined, flags: Doc, rules: ItemRules): Doc {
  const out: Doc = { ...item };
  if (o === undefined) {
    return { ...out, state: 'terminatedWithError', terminationError: [{ value: `the qualifier gave no answer for item ${String(item['id'])}` }] };
  }
  if (notEvaluated(o)) return { ...out, state: 'terminatedWithError', terminationError: o.terminationError.map((e) => ({ ...e })) };
  let result = o[rules.resultField] as string;
  const reasons = list(o['eligibilityUnavailabilityReason']);
  if (reasons.length > 0 && flags['provideUnavailabilityReason'] !== false) out['eligibilityUnavailabilityReason'] = reasons;
  const alternates = list(o[rules.alternatesField]);
  if (result === 'alternate') {
    // an alternative nobody may hear about, or none at all, leaves the item simply unavailable
    if (flags['provideAlternative'] === false || alternates.length === 0) result = 'unqualified';
    else out[rules.alternatesField] = alternates;
  }
  for (const k of rules.extra) if (o[k] !== undefined) out[k] = o[k];
  return { ...out, state: 'done', [rules.resultField]: result };
}

/** Items in request order, then the ones the qualifier added. */
function answerItems(doc: Doc, field: string, answers: readonly Doc[], rules: ItemRules, added: (o: Doc) => Doc): Doc[] {
  const byId = new Map(answers.map((o) => [String(o['id']), o]));
  const out = list(doc[field]).map((item) => {
    const o = byId.get(String(item['id']));
    byId.delete(String(item['id']));
    return answerItem(item, o, doc, rules);
  });
  for (const o of byId.values()) out.push(answerItem(added(o), o, doc, rules));
  return out;
}

/** Done, unless nothing could be evaluated at all. */
function finish(doc: Doc, field: string, answered: Doc[], resultField: string, answer: Answer): Doc {
  const evaluated = answered.filter((i) => i['state'] === 'done');
  const terminated = answered.length > 0 && evaluated.length === 0;
  const out: Doc = { ...doc, [field]: answered, state: terminated ? 'terminatedWithError' : 'done', effectiveQualificationDate: clock.iso() };
  // a qualification that answered nothing has no result, as when the qualifier refused the question
  if (terminated) out['terminationError'] = [{ value: 'no item could be evaluated; see each item\'s terminationError' }];
  else out['qualificationResult'] = overall(answered.map((i) => (i['state'] === 'done' ? String(i[resultField]) : undefined)));
  if (answer.expirationDate !== undefined) out['expirationDate'] = answer.expirationDate;
  return out;
}

export const poqKind: QualificationKind = {
  api: productOfferingQualificationApi.name,
  resource: 'productOfferingQualification',
  type: 'ProductOfferingQualification',
  initial: 'acknowledged',
  itemsField: 'productOfferingQualificationItem',
  portName: 'productOfferingQualifier',
  async ask(ports, doc, ctx) {
    const r = await ports.get('productOfferingQualifier').evaluate(doc as unknown as ProductOfferingQualificationDocument, ctx);
    return { items: r.items.map((i: ProductOfferingQualificationItemAnswer | ItemNotEvaluated) => ({ ...i })), ...(r.expirationDate !== undefined ? { expirationDate: r.expirationDate } : {}) };
  },
  answer(doc, answer) {
    const rules: ItemRules = { resultField: 'qualificationItemResult', alternatesField: 'alternateProductOfferingProposal', extra: [] };
    const added = (o: Doc): Doc => ({
      id: o['id'],
      ...(o['productOffering'] !== undefined ? { productOffering: o['productOffering'] } : {}),
      ...(o['product'] !== undefined ? { product: o['product'] } : {}),
    });
    let answered = answerItems(doc, 'productOfferingQualificationItem', answer.items ?? [], rules, added);
    if (doc['provideOnlyAvailable'] === true) answered = answered.filter((i) => i['qualificationItemResult'] !== 'unqualified');
    return finish(doc, 'productOfferingQualificationItem', answered, 'qualificationItemResult', answer);
  },
};

export const checkKind: QualificationKind = {
  api: serviceQualificationApi.name,
  resource: 'checkServiceQualification',
  type: 'CheckServiceQualification',
  initial: 'accepted',
  itemsField: 'serviceQualificationItem',
  portName: 'serviceQualifier',
  async ask(ports, doc, ctx) {
    const r = await ports.get('serviceQualifier').check(doc as unknown as CheckServiceQualificationDocument, ctx);
    return { items: r.items.map((i: CheckServiceQualificationItemAnswer | ItemNotEvaluated) => ({ ...i })), ...(r.expirationDate !== undefined ? { expirationDate: r.expirationDate } : {}) };
  },
  answer(doc, answer) {
    const rules: ItemRules = { resultField: 'qualificationResult', alternatesField: 'alternateServiceProposal', extra: ['expectedServiceAvailabilityDate', 'expirationDate'] };
    // a check answers the services asked about, nothing else
    const asked = new Set(list(doc['serviceQualificationItem']).map((i) => String(i['id'])));
    const answers = (answer.items ?? []).filter((o) => asked.has(String(o['id'])));
    const answered = answerItems(doc, 'serviceQualificationItem', answers, rules, (o) => o);
    return finish(doc, 'serviceQualificationItem', answered, 'qualificationResult', answer);
  },
};

export const queryKind: QualificationKind = {
  api: serviceQualificationApi.name,
  resource: 'queryServiceQualification',
  type: 'QueryServiceQualification',
  initial: 'accepted',
  portName: 'serviceQualifier',
  async ask(ports, doc, ctx) {
    const r = await ports.get('serviceQualifier').query(doc as unknown as QueryServiceQualificationDocument, ctx);
    return { items: r.items.map((i) => ({ ...i })), ...(r.expirationDate !== undefined ? { expirationDate: r.expirationDate } : {}) };
  },
  answer(doc, answer) {
    const found = (answer.items ?? []).map((item, i) => ({ ...item, id: item['id'] ?? String(i + 1) }));
    return {
      ...doc,
      serviceQualificationItem: found,
      state: 'done',
      effectiveQualificationDate: clock.iso(),
      ...(answer.expirationDate !== undefined ? { expirationDate: answer.expirationDate } : {}),
    };
  },
};

export const KINDS: readonly QualificationKind[] = [poqKind, checkKind, queryKind];

/** The qualification ended without an answer: the reason on the task and on each of its items. */
function terminated(kind: QualificationKind, doc: Doc, reason: string): Doc {
  const error = [{ value: reason }];
  const out: Doc = { ...doc, state: 'terminatedWithError', terminationError: error, effectiveQualificationDate: clock.iso() };
  if (kind.itemsField) out[kind.itemsField] = list(doc[kind.itemsField]).map((i) => ({ ...i, state: 'terminatedWithError', terminationError: error }));
  return out;
}

function withItemsState(kind: QualificationKind, doc: Doc, state: string): Doc {
  if (!kind.itemsField) return { ...doc, state };
  return { ...doc, state, [kind.itemsField]: list(doc[kind.itemsField]).map((i) => ({ ...i, state })) };
}

export function serviceOf(runtime: ComponentRuntime, kind: QualificationKind): ResourceService {
  return runtime.services.get(kind.api)!.get(kind.resource)!;
}

/**
 * Takes a qualification from its first state (or from inProgress, when an
 * earlier attempt stopped half-way) to done or terminatedWithError. Errors the
 * port throws as OperonError end it terminatedWithError; any other error is
 * thrown, for the caller to retry (the subscriber) or report (the request).
 */
export async function evaluate(runtime: ComponentRuntime, kind: QualificationKind, id: string, ctx: RequestContext, tx?: Tx): Promise<Doc> {
  const svc = serviceOf(runtime, kind);
  let doc = (await svc.retrieve(id, tx)).doc;
  if (doc['state'] === kind.initial) doc = (await svc.update(id, (d) => withItemsState(kind, d, 'inProgress'), ctx, tx)).doc;
  if (doc['state'] !== 'inProgress') return doc;
  if (!runtime.ports.has(kind.portName)) {
    const reason = `no ${kind.portName} is available (no flow provides the '${kind.portName}' port), so Operon cannot evaluate this qualification`;
    return (await svc.update(id, (d) => terminated(kind, d, reason), ctx, tx)).doc;
  }
  let answer: Answer;
  try {
    answer = await kind.ask(runtime.ports, doc, ctx);
  } catch (e) {
    if (!isOperonError(e)) throw e;
    return (await svc.update(id, (d) => terminated(kind, d, `the ${kind.portName} could not evaluate it: ${e.message}`), ctx, tx)).doc;
  }
  try {
    return (await svc.update(id, (d) => kind.answer(d, answer), ctx, tx)).doc;
  } catch (e) {
    // an answer that does not fit the resource is the qualifier's fault, not the requester's
    if (!isOperonError(e) || e.kind === 'notFound') throw e;
    return (await svc.update(id, (d) => terminated(kind, d, `the ${kind.portName} gave an answer that cannot be recorded: ${e.message}`), ctx, tx)).doc;
  }
}

/** The in-process subscriber that evaluates qualifications created as tasks (not instantSyncQualification). */
export function evaluationSubscriber(runtime: ComponentRuntime) {
  const byEvent = new Map(KINDS.map((k) => [`${k.type}CreateEvent`, k]));
  return {
    name: 'qualification-evaluation',
    eventTypes: [...byEvent.keys()],
    async handle(event: RelayEvent): Promise<void> {
      const kind = byEvent.get(event.eventType);
      if (!kind) return;
      try {
        await evaluate(runtime, kind, event.resourceId, runtime.systemContext);
      } catch (e) {
        // deleted before it could be evaluated: nothing to do
        if (isOperonError(e) && e.kind === 'notFound') return;
        throw e;
      }
    },
  };
}

