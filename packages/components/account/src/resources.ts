import { clock, conflict, defineLifecycle, unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { checkTimePeriods, defineApi, isCurrent, type ChangeInfo, type Doc, type ResourceDefinition } from '@operon/tmf';
import { changedAttributes, checkAccount, checkBillStructure, checkCycle } from './rules.ts';
import {
  BillFormat, BillPresentationMedia, BillingAccount, BillingCycleSpecification, FinancialAccount,
  PartyAccount, SettlementAccount, type AccountState,
} from './schemas.ts';

/**
 * The account lifecycle: an account is usually opened Active (or Pending while
 * it is being set up, e.g. awaiting a credit check), may be Suspended (for
 * non-payment, fraud, at the customer's request) and resumed, and is finally
 * Closed, for good: its final bill and collections still need it as it was.
 * Only accounts never used (Pending) or already Closed may be deleted.
 */
export function accountLifecycle(name: string) {
  return defineLifecycle<AccountState>({
    name,
    field: 'state',
    initial: 'Active',
    creatable: ['Pending', 'Active'],
    transitions: {
      Pending: ['Active', 'Closed'],
      Active: ['Suspended', 'Closed'],
      Suspended: ['Active', 'Closed'],
      Closed: [],
    },
    deletable: ['Pending', 'Closed'],
  });
}

export const partyAccountLifecycle = accountLifecycle('PartyAccount');
export const billingAccountLifecycle = accountLifecycle('BillingAccount');
export const settlementAccountLifecycle = accountLifecycle('SettlementAccount');
export const financialAccountLifecycle = accountLifecycle('FinancialAccount');

export const TABLES = {
  partyAccount: 'account_party',
  billingAccount: 'account_billing',
  settlementAccount: 'account_settlement',
  financialAccount: 'account_financial',
  billingCycleSpecification: 'account_billing_cycle_spec',
  billFormat: 'account_bill_format',
  billPresentationMedia: 'account_bill_presentation_media',
} as const;

/** Tables of the accounts that carry a bill structure and a financial account. */
const PARTY_ACCOUNT_TABLES = [TABLES.partyAccount, TABLES.billingAccount, TABLES.settlementAccount];

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const refId = (v: unknown): string | undefined => (isObject(v) && typeof v['id'] === 'string' ? v['id'] : undefined);

/** Number of party accounts matching `where` (with `$1` bound to `id`). */
async function countAccounts(q: Queryable, where: string, id: string): Promise<number> {
  const sql = PARTY_ACCOUNT_TABLES.map((t) => `(SELECT count(*) FROM ${t} WHERE ${where})`).join(' + ');
  const r = await q.query<{ n: number }>(`SELECT (${sql})::int AS n`, [id]);
  return r.rows[0]?.n ?? 0;
}

/**
 * Reads a resource this transaction refers to and holds it (FOR SHARE) until
 * commit, so that it cannot be closed or deleted under the new reference.
 */
async function holdReferred(q: Queryable, table: string, id: string): Promise<Doc | undefined> {
  const r = await q.query<{ doc: Doc }>(`SELECT doc FROM ${table} WHERE id = $1 FOR SHARE`, [id]);
  return r.rows[0]?.doc;
}

/** What a closed account still takes: its final balances, payment status and collection contacts. */
const CLOSED_CHANGES = new Set(['accountBalance', 'paymentStatus', 'contact', 'lastModified']);

function checkClosedFrozen(doc: Doc, change: ChangeInfo): void {
  if (change.op !== 'update' || change.before?.['state'] !== 'Closed') return;
  const frozen = changedAttributes(change.before, doc).find((k) => !CLOSED_CHANGES.has(k));
  if (frozen) throw unprocessable(`the account is Closed: only its balances, payment status and contacts may still change, not '${frozen}'`, frozen);
}

/** Closed accounts may be purged only once nothing is owed either way. */
function checkNoCurrentBalance(doc: Doc): void {
  const now = clock.now().getTime();
  const owed = (Array.isArray(doc['accountBalance']) ? doc['accountBalance'] : []).findIndex(
    (b) => isObject(b) && isCurrent(b['validFor'], now) && isObject(b['amount']) && typeof b['amount']['value'] === 'number' && b['amount']['value'] !== 0,
  );
  if (owed >= 0) throw unprocessable(`the account still carries a balance (accountBalance[${owed}]); settle or write it off before deleting it`, `accountBalance[${owed}]`);
}

const billStructureRefs = (d: Doc): Array<[string, string, string]> => {
  const bs = d['billStructure'];
  if (!isObject(bs)) return [];
  const refs: Array<[string, string, string]> = [];
  const add = (v: unknown, table: string, field: string) => {
    const id = isObject(v) && v['isRef'] === true ? refId(v) : undefined;
    if (id !== undefined) refs.push([table, id, field]);
  };
  add(bs['cycleSpecification'], TABLES.billingCycleSpecification, 'billStructure.cycleSpecification');
  add(bs['format'], TABLES.billFormat, 'billStructure.format');
  (Array.isArray(bs['presentationMedia']) ? bs['presentationMedia'] : []).forEach((m, i) => add(m, TABLES.billPresentationMedia, `billStructure.presentationMedia[${i}]`));
  return refs;
};

/**
 * Cross-resource rules of party, billing and settlement accounts, checked only
 * for references that are new, so that an account does not become unchangeable
 * because something it points at moved on. Unknown ids are accepted: TMF APIs
 * are federated and the referred resource may live in another system.
 */
async function checkPartyAccountReferences(doc: Doc, change: ChangeInfo, q: Queryable): Promise<void> {
  const before = change.before ?? {};
  const fa = refId(doc['financialAccount']);
  if (fa !== undefined && fa !== refId(before['financialAccount'])) {
    const target = await holdReferred(q, TABLES.financialAccount, fa);
    if (target?.['state'] === 'Closed') throw unprocessable(`financial account ${fa} is Closed and cannot take new accounts`, 'financialAccount.id');
  }
  const known = new Set(billStructureRefs(before).map(([table, id]) => `${table}/${id}`));
  for (const [table, id, field] of billStructureRefs(doc)) {
    if (known.has(`${table}/${id}`)) continue;
    const target = await holdReferred(q, table, id);
    const end = target && isObject(target['validFor']) ? target['validFor']['endDateTime'] : undefined;
    if (table === TABLES.billingCycleSpecification && typeof end === 'string' && Date.parse(end) <= clock.now().getTime()) {
      throw unprocessable(`billing cycle specification ${id} stopped being valid on ${end}`, `${field}.id`);
    }
  }
}

function partyAccountDefinition(name: 'partyAccount' | 'billingAccount' | 'settlementAccount', type: string, baseType: string, schema: ResourceDefinition['schema'], lifecycle: ReturnType<typeof accountLifecycle>): ResourceDefinition {
  return {
    name,
    type,
    baseType,
    table: TABLES[name],
    partyPaths: ['relatedParty.id'],
    schema,
    lifecycle,
    lastUpdate: 'lastModified',
    // balances are posted by billing and payments through the service, not edited by clients (TMF666 _Update has no accountBalance)
    immutable: ['accountBalance'],
    async validate(doc, change, _ctx, q) {
      checkAccount(doc);
      checkBillStructure(doc);
      checkClosedFrozen(doc, change);
      await checkPartyAccountReferences(doc, change, q);
    },
    beforeDelete(doc) {
      checkNoCurrentBalance(doc);
    },
  };
}

export const partyAccount = partyAccountDefinition('partyAccount', 'PartyAccount', 'Account', PartyAccount, partyAccountLifecycle);
export const billingAccount = partyAccountDefinition('billingAccount', 'BillingAccount', 'PartyAccount', BillingAccount, billingAccountLifecycle);
export const settlementAccount = partyAccountDefinition('settlementAccount', 'SettlementAccount', 'PartyAccount', SettlementAccount, settlementAccountLifecycle);

export const financialAccount: ResourceDefinition = {
  name: 'financialAccount',
  type: 'FinancialAccount',
  partyPaths: ['relatedParty.id'],
  baseType: 'Account',
  table: TABLES.financialAccount,
  schema: FinancialAccount,
  lifecycle: financialAccountLifecycle,
  lastUpdate: 'lastModified',
  async validate(doc, change, _ctx, q) {
    checkAccount(doc);
    checkClosedFrozen(doc, change);
    // closing the receivable while open accounts still roll up into it would orphan their debt
    if (change.op === 'update' && doc['state'] === 'Closed' && change.before?.['state'] !== 'Closed') {
      const open = await countAccounts(q, `doc #>> '{financialAccount,id}' = $1 AND status <> 'Closed'`, String(doc['id']));
      if (open > 0) throw unprocessable(`${open} account(s) not yet Closed still roll up into this financial account; close or move them first`, 'state');
    }
  },
  async beforeDelete(doc, _ctx, q) {
    checkNoCurrentBalance(doc);
    await refuseWhileUsed(q, `doc #>> '{financialAccount,id}' = $1`, doc, 'financial account');
  },
};

/** Refuses to delete what party accounts matching `where` (with `$1` bound to its id) still refer to. */
async function refuseWhileUsed(q: Queryable, where: string, doc: Doc, what: string): Promise<void> {
  const n = await countAccounts(q, where, String(doc['id']));
  if (n > 0) throw conflict(`this ${what} is referred to by ${n} account(s); change their bill structure or financial account first`);
}

export const billingCycleSpecification: ResourceDefinition = {
  name: 'billingCycleSpecification',
  type: 'BillingCycleSpecification',
  table: TABLES.billingCycleSpecification,
  schema: BillingCycleSpecification,
  validate(doc) {
    checkTimePeriods(doc);
    checkCycle(doc);
  },
  beforeDelete: (doc, _ctx, q) => refuseWhileUsed(q, `doc #>> '{billStructure,cycleSpecification,id}' = $1`, doc, 'billing cycle specification'),
};

export const billFormat: ResourceDefinition = {
  name: 'billFormat',
  type: 'BillFormat',
  table: TABLES.billFormat,
  schema: BillFormat,
  beforeDelete: (doc, _ctx, q) => refuseWhileUsed(q, `doc #>> '{billStructure,format,id}' = $1`, doc, 'bill format'),
};

export const billPresentationMedia: ResourceDefinition = {
  name: 'billPresentationMedia',
  type: 'BillPresentationMedia',
  table: TABLES.billPresentationMedia,
  schema: BillPresentationMedia,
  beforeDelete: (doc, _ctx, q) => refuseWhileUsed(
    q,
    `doc @> jsonb_build_object('billStructure', jsonb_build_object('presentationMedia', jsonb_build_array(jsonb_build_object('id', $1::text))))`,
    doc,
    'bill presentation media',
  ),
};

export const accountApi = defineApi({
  id: 'TMF666',
  name: 'accountManagement',
  title: 'Account Management',
  version: '4.0.0',
  basePath: '/tmf-api/accountManagement/v4',
  resources: [partyAccount, billingAccount, settlementAccount, financialAccount, billingCycleSpecification, billFormat, billPresentationMedia],
});
