import { OperonError, unprocessable } from '@operon/kernel';
import type { Doc } from '../resource.ts';
import { checkTimePeriod } from '../rules.ts';
import { isObject, listOf, num, sameJson, str } from './json.ts';

/*
 * Characteristic specifications, as every catalog defines them (TMF620
 * productSpecCharacteristic, TMF633 specCharacteristic, TMF634
 * resourceSpecCharacteristic, and the characteristics of features): a
 * definition must be one an order can satisfy.
 */

export type Severity = 'badRequest' | 'unprocessable';

export interface CharacteristicOptions {
  /** Attribute holding the allowed values: characteristicValueSpecification, productSpecCharacteristicValue… */
  valuesKey: string;
  /**
   * How a malformed single attribute is refused (a missing name, a negative cardinality, a value not
   * of its type, a regex that does not compile, an unknown rangeInterval): TMF620 answers these 400
   * like schema errors, TMF633 and TMF634 answer every characteristic rule 422. Inconsistencies
   * between attributes are 422 everywhere.
   */
  malformed?: Severity;
}

const refuse = (severity: Severity, message: string, field: string) => new OperonError(severity, message, { field });

export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'date-time';

/** The kinds of value a `valueType` names; custom value types are taken as given. */
export function valueKind(valueType: unknown): ValueKind | undefined {
  switch (typeof valueType === 'string' ? valueType.trim().toLowerCase() : '') {
    case 'string': case 'text':
      return 'string';
    case 'integer': case 'int': case 'long':
      return 'integer';
    case 'number': case 'numeric': case 'float': case 'double': case 'decimal':
      return 'number';
    case 'boolean': case 'bool':
      return 'boolean';
    case 'object':
      return 'object';
    case 'array':
      return 'array';
    case 'date-time': case 'datetime':
      return 'date-time';
    default:
      return undefined;
  }
}

export function fitsKind(value: unknown, kind: ValueKind): boolean {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'date-time': return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  }
}

const numeric = (k: ValueKind | undefined) => k === 'integer' || k === 'number';
/** An integer value fits a number characteristic; any other difference of kinds is a contradiction. */
const compatible = (outer: ValueKind, inner: ValueKind) => outer === inner || (outer === 'number' && inner === 'integer');

export const RANGE_INTERVALS: readonly string[] = ['open', 'closed', 'closedBottom', 'closedTop'];

/** Whether `x` lies in the range of a value specification, bounds included as its rangeInterval says (closed by default). */
export function inRange(x: number, v: Doc): boolean {
  const from = num(v['valueFrom']);
  const to = num(v['valueTo']);
  const interval = str(v['rangeInterval']) ?? 'closed';
  const bottomIncluded = interval === 'closed' || interval === 'closedBottom';
  const topIncluded = interval === 'closed' || interval === 'closedTop';
  if (from !== undefined && (bottomIncluded ? x < from : x <= from)) return false;
  if (to !== undefined && (topIncluded ? x > to : x >= to)) return false;
  return true;
}

/** The whole value must match: a characteristic value is one token (a code, a number). */
export function compilePattern(pattern: unknown, field: string, severity: Severity = 'unprocessable'): RegExp | undefined {
  if (typeof pattern !== 'string') return undefined;
  try {
    // unicode mode: values are user-facing text in any script
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    throw refuse(severity, `${field} '${pattern}' is not a valid regular expression`, field);
  }
}

/**
 * One characteristic definition (or an offering's use of one): cardinalities
 * in order, values of the declared type matching the declared patterns, ranges
 * in order and numeric, defaults inside the allowed ranges and no more of them
 * than the characteristic takes values. A characteristic that is not
 * configurable may still offer a range (a VLAN id the system assigns).
 */
export function checkCharacteristic(c: Doc, field: string, options: CharacteristicOptions): void {
  const malformed = options.malformed ?? 'unprocessable';
  const valuesKey = options.valuesKey;
  const min = num(c['minCardinality']);
  const max = num(c['maxCardinality']);
  if (min !== undefined && min < 0) throw refuse(malformed, `${field}.minCardinality must not be negative, got ${min}`, `${field}.minCardinality`);
  if (max !== undefined && max < 0) throw refuse(malformed, `${field}.maxCardinality must not be negative, got ${max}`, `${field}.maxCardinality`);
  if (min !== undefined && max !== undefined && min > max) {
    throw unprocessable(`${field}.minCardinality (${min}) is greater than ${field}.maxCardinality (${max})`, `${field}.minCardinality`);
  }
  checkTimePeriod(c['validFor'], `${field}.validFor`);
  const pattern = compilePattern(c['regex'], `${field}.regex`, malformed);
  const kind = valueKind(c['valueType']);
  const values = listOf(c[valuesKey]);
  const ranges: Doc[] = [];
  const defaults: number[] = [];
  values.forEach((v, i) => {
    const vf = `${field}.${valuesKey}[${i}]`;
    const ownKind = valueKind(v['valueType']);
    if (kind && ownKind && !compatible(kind, ownKind)) {
      throw unprocessable(`${vf}.valueType '${String(v['valueType'])}' contradicts the characteristic's valueType '${String(c['valueType'])}'`, `${vf}.valueType`);
    }
    const from = num(v['valueFrom']);
    const to = num(v['valueTo']);
    const isRange = from !== undefined || to !== undefined;
    if (v['rangeInterval'] !== undefined && !RANGE_INTERVALS.includes(String(v['rangeInterval']))) {
      throw refuse(malformed, `${vf}.rangeInterval must be one of ${RANGE_INTERVALS.join(', ')}, got '${String(v['rangeInterval'])}'`, `${vf}.rangeInterval`);
    }
    if (from !== undefined && to !== undefined && from > to) {
      throw unprocessable(`${vf}.valueFrom (${from}) is greater than ${vf}.valueTo (${to})`, `${vf}.valueFrom`);
    }
    if (v['rangeInterval'] !== undefined && !isRange) throw unprocessable(`${vf}.rangeInterval needs valueFrom or valueTo`, `${vf}.rangeInterval`);
    const k = ownKind ?? kind;
    if (isRange && k !== undefined && !numeric(k)) {
      throw unprocessable(`a range of values needs a numeric valueType, not '${String(v['valueType'] ?? c['valueType'])}'`, `${vf}.valueFrom`);
    }
    const ownPattern = compilePattern(v['regex'], `${vf}.regex`, malformed);
    const value = v['value'];
    if (value !== undefined) {
      if (k && !fitsKind(value, k)) throw refuse(malformed, `${vf}.value ${JSON.stringify(value)} is not a value of type ${k}`, `${vf}.value`);
      // the characteristic's pattern and the value's own both constrain it
      for (const p of [pattern, ownPattern]) {
        if (p && typeof value === 'string' && !p.test(value)) {
          throw unprocessable(`${vf}.value '${value}' does not match the pattern ${p.source.slice(4, -2)}`, `${vf}.value`);
        }
      }
      if (isRange && typeof value === 'number' && !inRange(value, v)) throw unprocessable(`${vf}.value ${value} is outside its own range`, `${vf}.value`);
    }
    if (isRange) ranges.push(v);
    if (v['isDefault'] === true) defaults.push(i);
  });
  // a characteristic taking several values may default to several
  const allowedDefaults = Math.max(1, max ?? 1);
  if (defaults.length > allowedDefaults) {
    throw unprocessable(
      `${defaults.length} values of ${field}.${valuesKey} are marked isDefault, but the characteristic takes at most ${allowedDefaults}`,
      `${field}.${valuesKey}`,
    );
  }
  for (const i of defaults) {
    const v = values[i]!;
    const value = v['value'];
    if (value === undefined || ranges.length === 0 || ranges.includes(v)) continue;
    if (typeof value !== 'number' || !ranges.some((r) => inRange(value, r))) {
      throw unprocessable(`the default value ${JSON.stringify(value)} is outside the allowed range`, `${field}.${valuesKey}[${i}].value`);
    }
  }
}

/** Every characteristic named (orders and inventories refer to it by name), names unique, each definition consistent. */
export function checkCharacteristics(chars: unknown, field: string, options: CharacteristicOptions): void {
  const seen = new Map<string, number>();
  listOf(chars).forEach((c, i) => {
    const f = `${field}[${i}]`;
    const name = str(c['name']);
    if (!name || !name.trim()) throw refuse(options.malformed ?? 'unprocessable', `${f}.name is required: orders and inventories refer to a characteristic by its name`, `${f}.name`);
    const prior = seen.get(name);
    if (prior !== undefined) throw unprocessable(`${f}.name '${name}' is already the name of ${field}[${prior}]`, `${f}.name`);
    seen.set(name, i);
    checkCharacteristic(c, f, options);
  });
}

/** Features (TMF633, TMF634): unique names, valid periods, consistent characteristics. */
export function checkFeatures(features: unknown, field = 'featureSpecification', malformed: Severity = 'unprocessable'): void {
  const seen = new Map<string, number>();
  listOf(features).forEach((feature, i) => {
    const f = `${field}[${i}]`;
    const name = str(feature['name']);
    if (name !== undefined) {
      const prior = seen.get(name);
      if (prior !== undefined) throw unprocessable(`${f}.name '${name}' is already the name of ${field}[${prior}]`, `${f}.name`);
      seen.set(name, i);
    }
    checkTimePeriod(feature['validFor'], `${f}.validFor`);
    checkCharacteristics(feature['featureSpecCharacteristic'], `${f}.featureSpecCharacteristic`, { valuesKey: 'featureSpecCharacteristicValue', malformed });
  });
}

/** Whether a characteristic definition allows `value`: one of its listed values or within one of its ranges (any value when it lists none). */
export function allowedBy(characteristic: Doc, value: unknown, valuesKey: string): boolean {
  const values = listOf(characteristic[valuesKey]);
  if (values.length === 0) return true;
  return values.some((v) => {
    if (v['value'] !== undefined) return sameJson(v['value'], value);
    return typeof value === 'number' && inRange(value, v);
  });
}
