/**
 * The properties every fuzzed answer must have: never a 5xx; every 4xx a TMF
 * Error body without a stack trace, file path or SQL; every 2xx body of a TMF
 * resource valid against the official specification; what the caller may do
 * and see bounded by its credential; no prototype pollution in the server.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { loadSpec } from '@operon/tmf/testing';
import { allows } from '../security/permissions.ts';
import type { FuzzRequest } from './cases.ts';
import type { Endpoint } from './endpoints.ts';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Set when the connection failed before an answer. */
  transportError?: string;
}

/** Who sends the requests, and so what the answers may be. */
export type Caller =
  | { kind: 'administrator' }
  | { kind: 'anonymous' }
  | { kind: 'confined'; roles: readonly string[]; partyId: string };

const LEAKS: readonly [string, RegExp][] = [
  ['a stack trace', /\n\s+at\s|\bat (?:async )?[\w$.<>[\]]+ \([^)]*:\d+:\d+\)/g],
  // each alternative starts at a fixed text or at the start of a word, so that a 1 MB message is scanned in linear time
  ['a file path', /\/(?:work|home|root|usr|tmp|opt|var|srv)\/[\w.@-]+\/[\w./@-]*|file:\/\/\S*|node_modules\S*|(?<![\w-])[\w-]+\.(?:ts|js|mjs|cjs):\d+/g],
  ['SQL', /\bSELECT\b[^]{0,300}?\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+[\w"]+\s+SET\b/gi],
  [
    'a database error',
    /syntax error at or near|invalid input syntax|violates (?:not-null|check|foreign key|unique) constraint|duplicate key value|relation "[^"]*"|column "[^"]*"|operator does not exist|unsupported Unicode escape|invalid byte sequence|out of range for type|PostgreSQL|\bpg_\w+/gi,
  ],
];

const STANDARD_PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Keys added to Object.prototype since start-up (removed again, so one pollution does not spoil every later case). */
export function prototypePollution(): string[] {
  const added = Object.getOwnPropertyNames(Object.prototype).filter((k) => !STANDARD_PROTO_KEYS.has(k));
  for (const k of added) delete (Object.prototype as Record<string, unknown>)[k];
  return added;
}

/** The text with every decodable %XX run decoded, so one malformed escape does not hide the rest. */
function decoded(s: string): string {
  return s.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** What the caller sent, as the server may echo it back. */
function sentText(r: FuzzRequest): string {
  const body = r.body?.toString('utf8') ?? '';
  let parsed = '';
  try {
    parsed = JSON.stringify(JSON.parse(body));
  } catch {
    // not JSON: the raw text is what may be echoed
  }
  return `${r.path}\n${decoded(r.path)}\n${body}\n${parsed}`;
}

/** Leaks in `message` that are not the caller's own input echoed back. */
export function leaksIn(message: string, r: FuzzRequest): string[] {
  const sent = sentText(r);
  const found: string[] = [];
  for (const [what, re] of LEAKS) {
    for (const m of message.matchAll(re)) {
      if (!sent.includes(m[0]) && !sent.toLowerCase().includes(m[0].toLowerCase())) found.push(`${what} (${JSON.stringify(m[0].slice(0, 80))})`);
    }
  }
  return found;
}

function errorBodyProblems(a: Answer, r: FuzzRequest): string[] {
  const problems: string[] = [];
  const ct = String(a.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) problems.push(`content type '${ct}' is not application/json`);
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return [...problems, `body is not JSON: ${JSON.stringify(a.text.slice(0, 120))}`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [...problems, 'body is not a JSON object'];
  const b = body as Record<string, unknown>;
  if (b['@type'] !== 'Error') problems.push(`@type is ${JSON.stringify(b['@type'])}, not 'Error'`);
  if (typeof b['code'] !== 'string' || b['code'] === '') problems.push('code is not a non-empty string');
  if (typeof b['reason'] !== 'string' || b['reason'] === '') problems.push('reason is not a non-empty string');
  if (b['status'] !== String(a.status)) problems.push(`status is ${JSON.stringify(b['status'])}, not '${a.status}'`);
  if (b['message'] !== undefined && typeof b['message'] !== 'string') problems.push('message is not a string');
  const spec = loadSpec('TMF632').errors('Error', b);
  if (spec.length) problems.push(`not a TMF Error: ${spec.join('; ')}`);
  for (const k of ['reason', 'message', 'code']) {
    if (typeof b[k] === 'string') for (const l of leaksIn(b[k] as string, r)) problems.push(`${k} shows ${l}`);
  }
  return problems;
}

function hasFields(r: FuzzRequest): boolean {
  const q = r.path.split('?').slice(1).join('?');
  return /(?:^|&)fields=(?!&|$)/.test(q);
}

/** A route the router did not match, or a request refused before routing: nothing of a route ran. */
function unrouted(a: Answer, r: FuzzRequest, e: Endpoint): boolean {
  const routeMethod = e.method;
  if (a.status === 404 && /"no route for /.test(a.text)) return true;
  // the HTTP layer refuses oversized request lines and headers before any route or credential is looked at
  if (a.status === 431 || a.status === 414) return true;
  // another method is another route (or none): its own permission entry applies, checked when that route is fuzzed
  if (r.method !== routeMethod) return true;
  // a path the route does not match (an extra segment, a fragment, a trailing slash) reaches another route or none
  if (!matches(e.url, r.path) && a.status >= 400 && a.status < 500) return true;
  return r.malformedUrl && (a.status === 400 || a.status === 414 || a.status === 431);
}

/** Whether the path (before its query or fragment) is one the route pattern matches. */
function matches(pattern: string, requestPath: string): boolean {
  const p = requestPath.split(/[?#]/)[0]!;
  const re = new RegExp(`^${pattern.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`);
  return re.test(p);
}

/** `/x/:id` asked with an empty id (`/x/`): the router serves `/x`, another route with another answer. */
function parentRoute(e: Endpoint, r: FuzzRequest): boolean {
  return /\/:[^/]+$/.test(e.url) && /\/$/.test(r.path.split('?')[0]!);
}

/** Everything wrong with one answer; empty when it has every property. */
export function violations(e: Endpoint, r: FuzzRequest, a: Answer, caller: Caller): string[] {
  const problems: string[] = [];
  if (a.transportError) return [`no answer: ${a.transportError}`];
  if (a.status >= 500) problems.push(`answered ${a.status}`);
  // a HEAD answer has no body to check
  if (a.status >= 400 && r.method !== 'HEAD') problems.push(...errorBodyProblems(a, r));
  if (a.status < 100 || a.status >= 600) problems.push(`status ${a.status} is not an HTTP status`);

  const action = e.access === 'public' ? undefined : e.access;
  if (caller.kind === 'anonymous' && action && !unrouted(a, r, e) && a.status !== 401) {
    problems.push(`without a credential answered ${a.status}, not 401`);
  }
  if (caller.kind === 'confined' && action && !allows(caller.roles, action.area, action.action) && !unrouted(a, r, e) && a.status !== 403) {
    problems.push(`${caller.roles.join(',')} may not ${action.action} in ${action.area}, yet answered ${a.status}`);
  }

  if (a.status >= 200 && a.status < 300 && r.method === e.method && r.method !== 'HEAD' && a.text && !parentRoute(e, r)) {
    let body: unknown;
    try {
      body = JSON.parse(a.text);
    } catch {
      if (e.spec || e.url.startsWith('/tmf-api/')) problems.push(`2xx body is not JSON: ${JSON.stringify(a.text.slice(0, 120))}`);
    }
    if (body !== undefined && e.spec) {
      const items = e.spec.list ? (Array.isArray(body) ? body : [body]) : [body];
      if (e.spec.list && !Array.isArray(body)) problems.push('a list answered something else than an array');
      const oracle = loadSpec(e.spec.apiId);
      const partial = hasFields(r);
      for (const item of items) {
        const errs = oracle.errors(e.spec.definition, item, { partial });
        if (errs.length) {
          problems.push(`2xx body is not a valid ${e.spec.definition} (${e.spec.apiId}): ${errs.slice(0, 3).join('; ')}`);
          break;
        }
      }
    }
    // a confined caller sees and changes only its own party's documents
    const svc = e.resource?.service;
    if (body !== undefined && caller.kind === 'confined' && svc?.def.partyPaths && !hasFields(r)) {
      for (const item of Array.isArray(body) ? body : [body]) {
        if (typeof item === 'object' && item !== null && !svc.belongsTo(item as Record<string, unknown>, caller.partyId)) {
          problems.push(`answered a ${svc.def.type} of another party (${String((item as Record<string, unknown>)['id'])})`);
          break;
        }
      }
    }
  }
  const polluted = prototypePollution();
  if (polluted.length) problems.push(`Object.prototype was polluted with ${polluted.join(', ')}`);
  return problems;
}
