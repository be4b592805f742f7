import { unprocessable } from '@operon/kernel';

/**
 * What each kind of resource pool holds, worked out from its declaration: the
 * ordered list of values it hands out (an MSISDN or geographic number range,
 * the host addresses of an IPv4 CIDR or range, the delegated prefixes of an
 * IPv6 CIDR, a VLAN id range, named ports, SIM cards, SIP accounts). Pure
 * functions: the pool service stores the values it returns.
 */

export const POOL_KINDS = ['msisdn', 'did', 'ipv4', 'ipv6', 'vlan', 'port', 'sim', 'sip'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

/**
 * The most values one pool may hold: an IPv4 /16, a block of 65,536 numbers.
 * Pools are written up front, one row per value; measured on the embedded
 * PostgreSQL of a shared 2-core machine, 1,048,576 values took 66 s to write
 * and 65,536 take a few seconds (see pools.test.ts), so larger blocks are
 * split into several pools.
 */
export const MAX_POOL_SIZE = 65_536;

/** One value of a pool, with what else the handed-out resource carries (a SIM card's IMSI, a SIP account's user name and domain). */
export interface PoolValue {
  value: string;
  extra?: Record<string, string>;
}

/** The declaration of what a pool holds (the pool document's own attributes). */
export interface PoolContent {
  kind: PoolKind;
  cidr?: string;
  prefixLength?: number;
  range?: { start: string; end: string };
  values?: readonly string[];
  simCards?: readonly { iccid: string; imsi: string }[];
  sipDomain?: string;
  exclude?: readonly string[];
}

// --- IPv4 --------------------------------------------------------------------------------------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIpv4(s: string): number | undefined {
  if (!IPV4.test(s)) return undefined;
  return s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

// --- IPv6 --------------------------------------------------------------------------------------

export function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  let tail = s;
  const groups: string[] = [];
  // an embedded IPv4 in the last 32 bits (::ffff:192.0.2.1)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    tail = s.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = tail.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined ? [] : rest === '' ? [] : rest.split(':');
  if (rest === undefined) groups.push(...h);
  else {
    const missing = 8 - h.length - r.length;
    if (missing < 1) return undefined;
    groups.push(...h, ...Array<string>(missing).fill('0'), ...r);
  }
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of zero groups as `::`. */
export function formatIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// --- declarations to values ----------------------------------------------------------------------

function cidrOf(cidr: string, bits: 32 | 128): { base: bigint; length: number } {
  const [addr, len] = cidr.split('/');
  const length = Number(len);
  if (len === undefined || !/^\d{1,3}$/.test(len) || length > bits) throw unprocessable(`'${cidr}' is not an IPv${bits === 32 ? 4 : 6} CIDR (address/prefix length)`, 'cidr');
  const parsed = bits === 32 ? (() => { const n = parseIpv4(addr!); return n === undefined ? undefined : BigInt(n); })() : parseIpv6(addr!);
  if (parsed === undefined) throw unprocessable(`'${cidr}' is not an IPv${bits === 32 ? 4 : 6} CIDR (address/prefix length)`, 'cidr');
  const hostBits = BigInt(bits - length);
  if (parsed & ((1n << hostBits) - 1n)) throw unprocessable(`'${cidr}' has host bits set: the network address of a /${length} ends in zeros`, 'cidr');
  return { base: parsed, length };
}

function tooLarge(count: bigint, field: string): never {
  throw unprocessable(`the pool would hold ${count} values; at most ${MAX_POOL_SIZE} per pool: split it into several pools`, field);
}

const only = (content: PoolContent, allowed: readonly (keyof PoolContent)[]) => {
  for (const k of ['cidr', 'prefixLength', 'range', 'values', 'simCards', 'sipDomain'] as const) {
    if (content[k] !== undefined && !allowed.includes(k)) throw unprocessable(`a ${content.kind} pool has no '${k}' (it takes ${allowed.join(' or ')})`, k);
  }
};

function ipv4Values(c: PoolContent): PoolValue[] {
  only(c, ['cidr', 'range']);
  let first: number;
  let last: number;
  if (c.cidr !== undefined && c.range !== undefined) throw unprocessable('an ipv4 pool takes a cidr or a range, not both', 'range');
  if (c.cidr !== undefined) {
    const { base, length } = cidrOf(c.cidr, 32);
    const size = 2 ** (32 - length);
    // the network and broadcast addresses are not hosts, except in /31 and /32 (RFC 3021)
    first = Number(base) + (size > 2 ? 1 : 0);
    last = Number(base) + size - 1 - (size > 2 ? 1 : 0);
  } else if (c.range !== undefined) {
    const a = parseIpv4(c.range.start);
    const b = parseIpv4(c.range.end);
    if (a === undefined) throw unprocessable(`range.start '${c.range.start}' is not an IPv4 address`, 'range.start');
    if (b === undefined) throw unprocessable(`range.end '${c.range.end}' is not an IPv4 address`, 'range.end');
    if (b < a) throw unprocessable('range.end comes before range.start', 'range.end');
    first = a;
    last = b;
  } else throw unprocessable('an ipv4 pool needs a cidr or a range', 'cidr');
  if (last - first + 1 > MAX_POOL_SIZE) tooLarge(BigInt(last - first + 1), c.cidr ? 'cidr' : 'range');
  return Array.from({ length: last - first + 1 }, (_, i) => ({ value: formatIpv4(first + i) }));
}

function ipv6Values(c: PoolContent): PoolValue[] {
  only(c, ['cidr', 'prefixLength']);
  if (c.cidr === undefined) throw unprocessable('an ipv6 pool needs a cidr', 'cidr');
  const { base, length } = cidrOf(c.cidr, 128);
  // what it hands out: delegated prefixes (a /56 or /64 per customer) or single addresses (/128)
  const prefix = c.prefixLength ?? 64;
  if (prefix < length || prefix > 128) throw unprocessable(`prefixLength ${prefix} must lie between the pool's own /${length} and 128`, 'prefixLength');
  const count = 1n << BigInt(prefix - length);
  if (count > BigInt(MAX_POOL_SIZE)) tooLarge(count, 'prefixLength');
  const step = 1n << BigInt(128 - prefix);
  return Array.from({ length: Number(count) }, (_, i) => ({ value: `${formatIpv6(base + BigInt(i) * step)}/${prefix}` }));
}

/** MSISDNs (mobile) and DIDs (geographic direct-dial numbers) alike: a block of E.164 numbers. */
function numberValues(c: PoolContent): PoolValue[] {
  only(c, ['range']);
  if (c.range === undefined) throw unprocessable(`${c.kind === 'did' ? 'a did' : 'an msisdn'} pool needs a range of numbers`, 'range');
  const { start, end } = c.range;
  // E.164: at most 15 digits, country code first, without the +
  for (const [k, v] of [['start', start], ['end', end]] as const) {
    if (!/^[1-9]\d{5,14}$/.test(v)) throw unprocessable(`range.${k} '${v}' is not an E.164 number (6 to 15 digits, no +, no leading 0)`, `range.${k}`);
  }
  if (start.length !== end.length) throw unprocessable('range.start and range.end must have as many digits', 'range.end');
  const a = BigInt(start);
  const b = BigInt(end);
  if (b < a) throw unprocessable('range.end comes before range.start', 'range.end');
  if (b - a + 1n > BigInt(MAX_POOL_SIZE)) tooLarge(b - a + 1n, 'range');
  return Array.from({ length: Number(b - a + 1n) }, (_, i) => ({ value: String(a + BigInt(i)) }));
}

function vlanValues(c: PoolContent): PoolValue[] {
  only(c, ['range']);
  if (c.range === undefined) throw unprocessable('a vlan pool needs a range of VLAN ids', 'range');
  const ids = [c.range.start, c.range.end].map((v) => (/^\d{1,4}$/.test(v) ? Number(v) : NaN));
  // IEEE 802.1Q: 0 and 4095 are reserved
  ids.forEach((v, i) => {
    if (!(v >= 1 && v <= 4094)) throw unprocessable(`range.${i ? 'end' : 'start'} must be a VLAN id from 1 to 4094`, `range.${i ? 'end' : 'start'}`);
  });
  const [a, b] = ids as [number, number];
  if (b < a) throw unprocessable('range.end comes before range.start', 'range.end');
  return Array.from({ length: b - a + 1 }, (_, i) => ({ value: String(a + i) }));
}

function portValues(c: PoolContent): PoolValue[] {
  only(c, ['values']);
  if (!c.values || c.values.length === 0) throw unprocessable('a port pool needs the names of its ports (values)', 'values');
  if (c.values.length > MAX_POOL_SIZE) tooLarge(BigInt(c.values.length), 'values');
  c.values.forEach((v, i) => {
    if (v.trim() === '') throw unprocessable('a port name cannot be empty', `values[${i}]`);
  });
  return c.values.map((value) => ({ value }));
}

/** The longest SIP user name a pool writes (what the network's registrars take). */
export const MAX_SIP_USERNAME = 64;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A SIP domain is a DNS name (RFC 3261 hostport without port): canonical in lower case. */
export function sipDomainOf(v: string): string | undefined {
  const d = v.toLowerCase();
  if (d.length > 253) return undefined;
  const labels = d.split('.');
  // a name, not an IPv4 literal: the last label is not all digits (RFC 3696)
  if (labels.length < 2 || !labels.every((l) => HOST_LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return undefined;
  return d;
}

/** A user name split into its prefix and zero-padded sequence number (sip-0000001 → sip-, 0000001). */
function sequenced(v: string, k: 'start' | 'end'): { prefix: string; digits: string } {
  const field = `range.${k}`;
  // the length first: the pattern below backtracks on long text
  if (v.length > MAX_SIP_USERNAME) throw unprocessable(`range.${k} is ${v.length} characters long; a SIP user name has at most ${MAX_SIP_USERNAME}`, field);
  const m = /^([\w.+-]*?)(\d+)$/.exec(v);
  if (!m) throw unprocessable(`range.${k} '${v}' is not a SIP user name ending in a sequence number, e.g. sip-0000001 (letters, digits and _ . + - only)`, field);
  if (m[1] === '') throw unprocessable(`range.${k} '${v}' has no prefix: SIP user names of a pool are a prefix then a number, e.g. sip-0000001`, field);
  return { prefix: m[1]!, digits: m[2]! };
}

function sipValues(c: PoolContent): PoolValue[] {
  only(c, ['range', 'sipDomain']);
  if (c.range === undefined) throw unprocessable('a sip pool needs a range of user names, e.g. sip-0000001 to sip-0001000', 'range');
  if (c.sipDomain === undefined) throw unprocessable('a sip pool needs the sipDomain its accounts register in, e.g. voice.operon.example', 'sipDomain');
  const domain = sipDomainOf(c.sipDomain);
  if (domain === undefined) throw unprocessable(`sipDomain '${c.sipDomain.slice(0, 300)}' is not a domain name such as voice.operon.example`, 'sipDomain');
  const start = sequenced(c.range.start, 'start');
  const end = sequenced(c.range.end, 'end');
  if (start.prefix !== end.prefix) throw unprocessable(`range.start and range.end must have the same prefix ('${start.prefix}' and '${end.prefix}')`, 'range.end');
  if (start.digits.length !== end.digits.length) throw unprocessable('range.start and range.end must have as many digits', 'range.end');
  const a = BigInt(start.digits);
  const b = BigInt(end.digits);
  if (b < a) throw unprocessable('range.end comes before range.start', 'range.end');
  if (b - a + 1n > BigInt(MAX_POOL_SIZE)) tooLarge(b - a + 1n, 'range');
  const width = start.digits.length;
  return Array.from({ length: Number(b - a + 1n) }, (_, i) => {
    const username = `${start.prefix}${String(a + BigInt(i)).padStart(width, '0')}`;
    return { value: username, extra: { username, domain } };
  });
}

function simValues(c: PoolContent): PoolValue[] {
  only(c, ['simCards']);
  if (!c.simCards || c.simCards.length === 0) throw unprocessable('a sim pool needs its SIM cards (simCards: iccid and imsi)', 'simCards');
  if (c.simCards.length > MAX_POOL_SIZE) tooLarge(BigInt(c.simCards.length), 'simCards');
  const imsis = new Set<string>();
  return c.simCards.map(({ iccid, imsi }, i) => {
    // ITU-T E.118: 89, then up to 20 digits in all; 3GPP TS 23.003: an IMSI has at most 15 digits
    if (!/^89\d{16,18}$/.test(iccid)) throw unprocessable(`'${iccid}' is not an ICCID (89 then 16 to 18 digits)`, `simCards[${i}].iccid`);
    if (!/^\d{6,15}$/.test(imsi)) throw unprocessable(`'${imsi}' is not an IMSI (6 to 15 digits)`, `simCards[${i}].imsi`);
    if (imsis.has(imsi)) throw unprocessable(`IMSI ${imsi} is listed twice`, `simCards[${i}].imsi`);
    imsis.add(imsi);
    return { value: iccid, extra: { imsi } };
  });
}

const GENERATORS: Record<PoolKind, (c: PoolContent) => PoolValue[]> = {
  ipv4: ipv4Values, ipv6: ipv6Values, msisdn: numberValues, did: numberValues, vlan: vlanValues, port: portValues, sim: simValues, sip: sipValues,
};

/** Canonical text of a value as the kind writes it (so `exclude` matches however it was typed). */
export function canonicalValue(kind: PoolKind, v: string): string {
  if (kind === 'ipv6') {
    const [addr, len] = v.split('/');
    const n = parseIpv6(addr!);
    return n === undefined ? v : `${formatIpv6(n)}${len === undefined ? '' : `/${len}`}`;
  }
  if (kind === 'vlan' && /^\d+$/.test(v)) return String(Number(v));
  return v;
}

/** The values a pool hands out, in order, without its exclusions; refuses a declaration that does not hold together. */
export function poolValues(c: PoolContent): PoolValue[] {
  const all = GENERATORS[c.kind](c);
  const seen = new Set<string>();
  all.forEach((v, i) => {
    if (seen.has(v.value)) throw unprocessable(`'${v.value}' is listed twice`, `${c.kind === 'sim' ? 'simCards' : 'values'}[${i}]`);
    seen.add(v.value);
  });
  const excluded = new Set((c.exclude ?? []).map((v) => canonicalValue(c.kind, v)));
  (c.exclude ?? []).forEach((v, i) => {
    if (!seen.has(canonicalValue(c.kind, v))) throw unprocessable(`'${v}' is not a value of this pool, so it cannot be excluded`, `exclude[${i}]`);
  });
  const kept = all.filter((v) => !excluded.has(v.value));
  if (kept.length === 0) throw unprocessable('the pool would hand out nothing: every value is excluded', 'exclude');
  return kept;
}

/** Units of a pool's capacity, by kind. */
export const UNITS: Record<PoolKind, string> = {
  msisdn: 'msisdn', did: 'telephoneNumber', ipv4: 'ipv4Address', ipv6: 'ipv6Prefix', vlan: 'vlanId', port: 'port', sim: 'simCard', sip: 'sipAccount',
};
