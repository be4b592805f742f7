import { unprocessable } from '@operon/kernel';
import { checkTimePeriods, periodsOverlap, type Doc } from '@operon/tmf';

/**
 * Business rules of TMF666 resources that need nothing but the document:
 * amounts and currencies, balances, payment plans, bill structure and billing
 * cycles (periods are checked by the kit's rules). Each throws a 422 naming
 * the attribute at fault.
 */

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const CURRENCY = /^[A-Z]{3}$/;

/** A Money value: an ISO 4217 currency whenever there is an amount, and a sign that fits its use. */
export function checkMoney(m: unknown, field: string, sign: 'any' | 'nonNegative'): string | undefined {
  if (!isObject(m)) return undefined;
  const unit = str(m['unit']);
  const value = num(m['value']);
  if (unit !== undefined && !CURRENCY.test(unit)) {
    throw unprocessable(`${field}.unit '${unit}' is not an ISO 4217 currency code (three capital letters, e.g. EUR)`, `${field}.unit`);
  }
  if (value !== undefined && unit === undefined) throw unprocessable(`${field} has an amount but no currency`, `${field}.unit`);
  if (value !== undefined && sign === 'nonNegative' && value < 0) throw unprocessable(`${field} must not be negative`, `${field}.value`);
  return unit;
}

/**
 * Rules every account (party, billing, settlement, financial) obeys: amounts in
 * one currency, a credit limit that is not negative, one balance of a type at a
 * time, no relationship of an account with itself, payment plans with at least
 * one instalment.
 */
export function checkAccount(doc: Doc): void {
  checkTimePeriods(doc);
  const amounts: Array<[string, string | undefined]> = [];
  amounts.push(['creditLimit', checkMoney(doc['creditLimit'], 'creditLimit', 'nonNegative')]);

  // balances may be negative (a credit in the customer's favour), but two balances
  // of one type valid at the same time would leave billing guessing which is right
  const balances = objects(doc['accountBalance']);
  balances.forEach((b, i) => {
    amounts.push([`accountBalance[${i}].amount`, checkMoney(b['amount'], `accountBalance[${i}].amount`, 'any')]);
    for (let j = 0; j < i; j++) {
      const other = balances[j]!;
      if (other['balanceType'] !== b['balanceType']) continue;
      if (periodsOverlap(b['validFor'], other['validFor'])) {
        throw unprocessable(`accountBalance[${i}] overlaps accountBalance[${j}]: only one '${String(b['balanceType'])}' balance may be valid at a time`, `accountBalance[${i}].validFor`);
      }
    }
  });

  objects(doc['paymentPlan']).forEach((p, i) => {
    const n = num(p['numberOfPayments']);
    if (n !== undefined && n < 1) throw unprocessable(`paymentPlan[${i}] must spread the amount over at least one payment`, `paymentPlan[${i}].numberOfPayments`);
    amounts.push([`paymentPlan[${i}].totalAmount`, checkMoney(p['totalAmount'], `paymentPlan[${i}].totalAmount`, 'nonNegative')]);
  });

  const priced = amounts.filter((a): a is [string, string] => a[1] !== undefined);
  const first = priced[0];
  const odd = first && priced.find(([, unit]) => unit !== first[1]);
  if (first && odd) {
    throw unprocessable(`all amounts of an account are in one currency: ${first[0]} is in ${first[1]}, ${odd[0]} in ${odd[1]}`, `${odd[0]}.unit`);
  }

  objects(doc['accountRelationship']).forEach((r, i) => {
    const target = isObject(r['account']) ? r['account']['id'] : undefined;
    if (target !== undefined && target === doc['id']) throw unprocessable('an account cannot be related to itself', `accountRelationship[${i}].account.id`);
  });
}

// --- billing cycles ------------------------------------------------------------------------

/** Days in the shortest period of a recognised cycle (February for monthly, and so on). */
const SHORTEST_PERIOD: Record<string, number> = {
  daily: 1, day: 1, p1d: 1,
  weekly: 7, week: 7, p1w: 7, p7d: 7,
  biweekly: 14, fortnightly: 14, fortnight: 14, p2w: 14, p14d: 14,
  monthly: 28, month: 28, p1m: 28,
  quarterly: 89, quarter: 89, quarterofyear: 89, p3m: 89,
  halfyearly: 181, halfyear: 181, semiannual: 181, semiannually: 181, p6m: 181,
  yearly: 365, year: 365, annual: 365, annually: 365, p1y: 365, p12m: 365,
};

/** Length in days of the shortest period of `frequency` or `billingPeriod`, when either is a known cycle. */
export function shortestPeriod(spec: Doc): { days: number; name: string } | undefined {
  for (const attr of ['frequency', 'billingPeriod']) {
    const v = str(spec[attr]);
    if (v === undefined) continue;
    const days = SHORTEST_PERIOD[v.toLowerCase().replace(/[\s_-]+/g, '')];
    if (days !== undefined) return { days, name: v };
  }
  return undefined;
}

const OFFSETS = ['billingDateShift', 'dateShift', 'chargeDateOffset', 'creditDateOffset', 'mailingDateOffset', 'paymentDueDateOffset'] as const;

/**
 * A billing cycle must describe a calendar that can run: offsets counted
 * forward from the period start, a bill date inside every period (so a monthly
 * cycle bills on day 1–28), charges and credits cut off no later than the bill
 * is produced, and the bill mailed and paid no earlier than it is produced.
 */
export function checkCycle(spec: Doc, prefix = ''): void {
  const f = (k: string) => (prefix ? `${prefix}.${k}` : k);
  for (const k of OFFSETS) {
    const v = num(spec[k]);
    if (v !== undefined && v < 0) throw unprocessable(`${f(k)} counts days from the start of the billing period and cannot be negative`, f(k));
  }
  const billing = num(spec['billingDateShift']) ?? num(spec['dateShift']);
  const billingAttr = num(spec['billingDateShift']) !== undefined ? 'billingDateShift' : 'dateShift';
  const period = shortestPeriod(spec);
  if (billing !== undefined && period && billing >= period.days) {
    throw unprocessable(
      `${f(billingAttr)} ${billing} falls outside a '${period.name}' cycle, whose shortest period has ${period.days} days: it must be between 0 and ${period.days - 1}`,
      f(billingAttr),
    );
  }
  const charge = num(spec['chargeDateOffset']);
  const credit = num(spec['creditDateOffset']);
  const mailing = num(spec['mailingDateOffset']);
  const due = num(spec['paymentDueDateOffset']);
  if (billing !== undefined) {
    if (charge !== undefined && charge > billing) throw unprocessable(`${f('chargeDateOffset')} ${charge} is after the billing date (${billing}): charges are cut off before the bill is produced`, f('chargeDateOffset'));
    if (credit !== undefined && credit > billing) throw unprocessable(`${f('creditDateOffset')} ${credit} is after the billing date (${billing}): credits are cut off before the bill is produced`, f('creditDateOffset'));
    if (mailing !== undefined && mailing < billing) throw unprocessable(`${f('mailingDateOffset')} ${mailing} is before the billing date (${billing}): a bill cannot be sent before it is produced`, f('mailingDateOffset'));
    if (due !== undefined && due < billing) throw unprocessable(`${f('paymentDueDateOffset')} ${due} is before the billing date (${billing}): payment cannot be due before the bill exists`, f('paymentDueDateOffset'));
  }
  if (mailing !== undefined && due !== undefined && due < mailing) {
    throw unprocessable(`${f('paymentDueDateOffset')} ${due} is before the mailing date (${mailing}): payment cannot be due before the bill is sent`, f('paymentDueDateOffset'));
  }
}

// --- bill structure ------------------------------------------------------------------------

function checkRefOrValue(item: Doc, field: string, what: string): void {
  if (item['isRef'] === true && (typeof item['id'] !== 'string' || item['id'] === '')) {
    throw unprocessable(`${field} is a reference (isRef true) and needs the id of the ${what}`, `${field}.id`);
  }
}

/** A bill structure's references carry ids, a cycle given by value is a valid cycle, each media appears once. */
export function checkBillStructure(doc: Doc): void {
  const bs = doc['billStructure'];
  if (!isObject(bs)) return;
  const cycle = bs['cycleSpecification'];
  if (isObject(cycle)) {
    checkRefOrValue(cycle, 'billStructure.cycleSpecification', 'billing cycle specification');
    checkCycle(cycle, 'billStructure.cycleSpecification');
  }
  if (isObject(bs['format'])) checkRefOrValue(bs['format'], 'billStructure.format', 'bill format');
  const seen = new Map<string, number>();
  objects(bs['presentationMedia']).forEach((m, i) => {
    const field = `billStructure.presentationMedia[${i}]`;
    checkRefOrValue(m, field, 'bill presentation media');
    const key = m['isRef'] === true ? `id ${String(m['id'])}` : `name '${String(m['name'])}'`;
    const prior = seen.get(key);
    if (prior !== undefined) throw unprocessable(`${field} repeats billStructure.presentationMedia[${prior}] (${key})`, field);
    seen.set(key, i);
  });
}

/** Top-level attributes whose value differs between two versions of a document. */
export function changedAttributes(before: Doc, after: Doc): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
