/** `operon get` and `operon list`: read resources from a running Operon through its TMF APIs. */
import type { ComponentManifest } from '@operon/tmf';
import { CliError, json, keyValues, parse, table, usageError, type Command, type Io } from '../io.ts';

const DEFAULT_URL = 'http://localhost:8080';

const getUsage = `Usage: operon get <resource|api-path|url> [id] [options]

Reads from a running Operon. <resource> is a short name such as individual or
productOffering (or api/resource, e.g. party/individual or TMF632/individual);
an API path such as /tmf-api/party/v4/individual/42 works as it is.
Without an id a resource name lists the collection.

Options:
  --url <url>        Operon's base URL (default: $OPERON_URL or ${DEFAULT_URL})
  --key <secret>     API key (default: $OPERON_API_KEY); see operon key create
  --fields <a,b>     attributes to return
  --json             print the response body as JSON`;

const listUsage = `Usage: operon list <resource> [options]

Lists resources from a running Operon, as a table of common attributes.

Options:
  --filter <a=b>     attribute filter, repeatable (TMF630: a=v1,v2  a.gt=v  a.b=v)
  --fields <a,b>     attributes to return and show
  --limit <n>        at most n resources
  --offset <n>       skip the first n
  --sort <a,-b>      sort by attributes (- for descending)
  --url <url>        Operon's base URL (default: $OPERON_URL or ${DEFAULT_URL})
  --key <secret>     API key (default: $OPERON_API_KEY); see operon key create
  --json             print the response body as JSON`;

interface ResourceEntry {
  apiId: string;
  apiName: string;
  resource: string;
  type: string;
  path: string;
}

function resourceIndex(components: readonly ComponentManifest[]): ResourceEntry[] {
  return components.flatMap((c) =>
    c.exposes.flatMap((api) => api.resources.map((r) => ({ apiId: api.id, apiName: api.name, resource: r.name, type: r.type, path: `${api.basePath}/${r.name}` }))),
  );
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A resource short name (or `api/resource`) → its collection path, from the manifests. Paths and URLs pass through. */
export function resolveTarget(target: string, components: readonly ComponentManifest[]): { path: string; entry?: ResourceEntry } {
  if (/^https?:\/\//i.test(target) || target.startsWith('/')) return { path: target };
  const index = resourceIndex(components);
  const [apiPart, resPart, ...more] = target.split('/');
  let candidates: ResourceEntry[];
  if (resPart !== undefined) {
    if (more.length) throw usageError(`'${target}' is neither a resource name nor an API path (paths start with /)`);
    candidates = index.filter((e) => (eq(e.apiId, apiPart!) || eq(e.apiName, apiPart!)) && (eq(e.resource, resPart) || eq(e.type, resPart)));
  } else {
    candidates = index.filter((e) => eq(e.resource, target) || eq(e.type, target));
    // `individuals` for `individual`
    if (!candidates.length && /s$/i.test(target)) candidates = index.filter((e) => eq(e.resource, target.slice(0, -1)));
  }
  if (candidates.length === 1) return { path: candidates[0]!.path, entry: candidates[0]! };
  if (candidates.length > 1) {
    throw usageError(`'${target}' is ambiguous; say which API: ${candidates.map((e) => `${e.apiName}/${e.resource}`).join(', ')}`);
  }
  const known = index.map((e) => e.resource);
  throw usageError(`unknown resource '${target}'. Known resources: ${[...new Set(known)].sort().join(', ') || '(none)'}`);
}

export function baseUrl(flag: string | undefined): string {
  const u = (flag ?? process.env['OPERON_URL'] ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/i.test(u)) throw usageError(`--url must be an http(s) URL, not '${u}'`);
  return u;
}

/** The API key to send: --key, else OPERON_API_KEY; none when neither is set (authentication may be off). */
export function apiKey(flag: string | undefined): string | undefined {
  const key = (flag ?? process.env['OPERON_API_KEY'] ?? '').trim();
  if (flag !== undefined && !key) throw usageError('--key needs the API key secret');
  return key || undefined;
}

const HOW_TO_GET_A_KEY =
  `An administrator creates a key with: operon key create --name <what it is for> --role <role>\n` +
  `(the first administrator's key is in the data folder, .operon/admin-credentials, on first start).`;

interface Reply {
  status: number;
  total: number | undefined;
  body: unknown;
}

export async function request(base: string, pathOrUrl: string, query: URLSearchParams, key: string | undefined): Promise<Reply> {
  const url = new URL(/^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : base + pathOrUrl);
  for (const [k, v] of query) url.searchParams.append(k, v);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new CliError(`cannot reach Operon at ${url.origin} (${why}). Is it running? Start it with 'operon start', or point --url / OPERON_URL at it.`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the message
  }
  if (res.status >= 400) {
    const e = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const message = typeof e['message'] === 'string' ? e['message'] : typeof body === 'string' && body ? body.slice(0, 300) : res.statusText;
    const what = `${res.status} ${typeof e['reason'] === 'string' ? e['reason'] : res.statusText}: ${message}`;
    if (res.status === 401) {
      throw new CliError(key
        ? `${what}\nThe API key was not accepted (unknown, expired or revoked). ${HOW_TO_GET_A_KEY}`
        : `${what}\nThis Operon needs an API key: pass --key <secret> or set OPERON_API_KEY. ${HOW_TO_GET_A_KEY}`);
    }
    throw new CliError(what);
  }
  const total = res.headers.get('x-total-count');
  return { status: res.status, total: total === null ? undefined : Number(total), body };
}

function at(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// attributes most TMF resources have that tell rows apart at a glance
const COMMON = ['id', 'name', 'formattedName', 'tradingName', 'givenName', 'familyName', '@type', 'status', 'state', 'lifecycleStatus', 'version', 'lastUpdate'];

function columnsFor(rows: readonly Record<string, unknown>[], fields: string[] | undefined): string[] {
  if (fields?.length) return ['id', ...fields.filter((f) => f !== 'id')];
  const present = COMMON.filter((c) => rows.some((r) => r[c] !== undefined && (typeof r[c] !== 'object' || r[c] === null)));
  if (present.length > 1) return present.slice(0, 7);
  // an unfamiliar resource: its first plain attributes
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'href' && rows.some((r) => typeof r[k] !== 'object'));
  return ['id', ...keys.filter((k) => k !== 'id')].slice(0, 6);
}

function printList(items: unknown[], total: number | undefined, fields: string[] | undefined, io: Io): void {
  const rows = items.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x));
  if (!rows.length) {
    io.out(`no resources${total ? ` on this page (total ${total})` : ''}`);
    return;
  }
  const cols = columnsFor(rows, fields);
  io.out(table(cols.map((c) => c.toUpperCase()), rows.map((r) => cols.map((c) => cell(at(r, c)))), { width: io.width }));
  io.out(`\n${rows.length}${total !== undefined ? ` of ${total}` : ''}`);
}

function printOne(doc: Record<string, unknown>, io: Io): void {
  const title = [doc['@type'], doc['name'] ?? doc['formattedName'] ?? doc['tradingName'] ?? doc['id']].filter((x) => x !== undefined).map(String).join(' ');
  io.out(`${title}\n`);
  io.out(keyValues(Object.entries(doc).map(([k, v]) => [k, cell(v)] as const), io.width));
}

function fieldsOf(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((f) => f.trim()).filter(Boolean);
}

async function loadComponents(): Promise<readonly ComponentManifest[]> {
  const { components } = await import('@operon/server');
  return components;
}

export const getCommand: Command = {
  usage: getUsage,
  async run(args, io) {
    const { values, positionals } = parse(args, { url: { type: 'string' }, key: { type: 'string' }, fields: { type: 'string' }, json: { type: 'boolean' } }, getUsage);
    const [target, id, ...extra] = positionals;
    if (!target) throw usageError(`get needs a resource or path\n\n${getUsage}`);
    if (extra.length) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
    const base = baseUrl(values.url);
    const needsManifests = !/^https?:\/\//i.test(target) && !target.startsWith('/');
    const { path } = resolveTarget(target, needsManifests ? await loadComponents() : []);
    const fields = fieldsOf(values.fields);
    const query = new URLSearchParams(fields ? { fields: fields.join(',') } : {});
    const full = id === undefined ? path : `${path.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
    const reply = await request(base, full, query, apiKey(values.key));
    if (values.json) io.out(json(reply.body));
    else if (Array.isArray(reply.body)) printList(reply.body, reply.total, fields, io);
    else if (reply.body && typeof reply.body === 'object') printOne(reply.body as Record<string, unknown>, io);
    else io.out(cell(reply.body));
    return 0;
  },
};

export const listCommand: Command = {
  usage: listUsage,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      url: { type: 'string' }, key: { type: 'string' }, fields: { type: 'string' }, json: { type: 'boolean' }, filter: { type: 'string', multiple: true },
      limit: { type: 'string' }, offset: { type: 'string' }, sort: { type: 'string' },
    }, listUsage);
    const [target, ...extra] = positionals;
    if (!target) throw usageError(`list needs a resource, e.g. operon list individual\n\n${listUsage}`);
    if (extra.length) throw usageError(`unexpected arguments: ${extra.join(' ')} (filters go in --filter a=b)`);
    const base = baseUrl(values.url);
    const needsManifests = !/^https?:\/\//i.test(target) && !target.startsWith('/');
    const { path } = resolveTarget(target, needsManifests ? await loadComponents() : []);
    const query = new URLSearchParams();
    for (const f of values.filter ?? []) {
      const i = f.indexOf('=');
      if (i <= 0) throw usageError(`--filter takes attribute=value, not '${f}'`);
      query.append(f.slice(0, i), f.slice(i + 1));
    }
    const fields = fieldsOf(values.fields);
    if (fields) query.set('fields', fields.join(','));
    for (const k of ['limit', 'offset'] as const) {
      const v = values[k];
      if (v === undefined) continue;
      if (!/^\d+$/.test(v) || (k === 'limit' && Number(v) < 1)) throw usageError(`--${k} must be a ${k === 'limit' ? 'positive' : 'non-negative'} integer`);
      query.set(k, v);
    }
    if (values.sort) query.set('sort', values.sort);
    const reply = await request(base, path, query, apiKey(values.key));
    if (values.json) {
      io.out(json(reply.body));
      return 0;
    }
    if (!Array.isArray(reply.body)) throw new CliError(`${path} did not answer with a list; use 'operon get' for a single resource`);
    printList(reply.body, reply.total, fields, io);
    return 0;
  },
};
