/**
 * One fuzz case is one HTTP request, generated for one endpoint from its
 * schemas and from real documents: a body of the right shape with one
 * mutation (or malformed text, a wrong content type, a JSON Patch with hostile
 * pointers…), a query string with hostile filters and paging, hostile path
 * ids and headers.
 */
import fc from 'fast-check';
import type { Endpoint } from './endpoints.ts';
import {
  CONTENT_TYPES, HOSTILE_IDS, HOSTILE_POINTERS, IF_MATCH, MALFORMED_JSON, RAW_NUMBERS, hostileQueryValue, hostileString, hostileValue, long,
} from './hostile.ts';
import { isPlainObject, preview, setOwn, toJsonText, type FuzzJson, type FuzzObject } from './json.ts';
import { mutated, placesOf, valueOf, type JsonSchema } from './schema.ts';

/** A path parameter: an id that exists (by its index in the pool when the case runs), or a hostile one. */
export type IdChoice = { kind: 'pool'; n: number; suffix?: string } | { kind: 'raw'; text: string };

export interface CaseSpec {
  method: string;
  ids: IdChoice[];
  /** Query parameters as written into the URL (already encoded, or deliberately not). */
  query: string[];
  headers: Record<string, string>;
  body?: { contentType: string | undefined; data: string | Buffer };
  note: string;
}

/** What the generators know of the stored data when an endpoint's run starts. */
export interface GenerationContext {
  /** Stored documents of the endpoint's resource, without what the server sets. */
  docs: FuzzObject[];
}

export interface FuzzRequest {
  method: string;
  /** Path and query exactly as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  note: string;
  /** The URL itself is malformed or oversized: a refusal before any route is expected. */
  malformedUrl: boolean;
}

// --- encoding ----------------------------------------------------------------------------------

/** Lone surrogates replaced, so that the text can be percent-encoded as UTF-8. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const enc = (s: string) => encodeURIComponent(wellFormed(s));

/** Percent-encodes what HTTP cannot carry in a request line, but leaves `%`, `&`, `=` and `+` raw, so that hostile escapes get through. */
export function rawEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c > 0x20 && c < 0x7f && ch !== '#' && ch !== '?') out += ch;
    else out += encodeURIComponent(wellFormed(ch));
  }
  return out;
}



// --- hints: strings some attributes are known to take -----------------------------------------

const EXPORT_PATH = (base: string) => `http://127.0.0.1:9${base}/exportJob`;

function hintsFor(name: string, e: Endpoint): string[] {
  const base = e.url.replace(/\/(importJob|exportJob|hub)(\/.*)?$/, '');
  switch (name) {
    case 'url':
      return [
        'data:application/json,{}',
        'data:application/json,%',
        'data:application/json,%E0%A4%A',
        'data:application/json;base64,!!!not base64',
        'data:application/json;base64,eyJwcm9kdWN0T2ZmZXJpbmciOlt7Im5hbWUiOjF9XX0=',
        'data:,{"productOffering":[{"name":"x","lifecycleStatus":"Launched"}]}',
        'data:text/html,<script>',
        'data:application/json,{"productOffering":[{"name":"nul\\u0000"}],"resourceSpecification":[{"name":"\\ud800"}],"serviceSpecification":[{"name":"\\u0000"}]}',
        `data:application/json,${encodeURIComponent(JSON.stringify({ productOffering: [{ name: 'x', lifecycleStatus: 'Launched' }], resourceSpecification: [{ name: 'x', lifecycleStatus: 'Launched' }], serviceSpecification: [{ name: 'x' }] }))}`,
        `${EXPORT_PATH(base)}/%ZZ/content`,
        `${EXPORT_PATH(base)}/nope/content`,
        `${EXPORT_PATH(base)}/${'a'.repeat(300)}/content`,
        'http://[/content',
        'file:///etc/passwd',
      ];
    case 'path':
      return [base, `${base}/productOffering`, 'productOffering/x/y', '%', '%ZZ', 'http://[', 'http://x/%', '/../../etc', '__proto__', 'constructor/x', long(3000)];
    case 'query':
      return ['eventType=X', 'lifecycleStatus=Launched', 'x=%', '%', '__proto__=1', 'name.gt=a,b', 'lifecycleStatus=%00', '&&&', 'a'.repeat(5000), 'eventType=ProductOfferingCreateEvent&eventType=', '$."x" || true'];
    case 'callback':
      return ['http://127.0.0.1:9/fuzz', 'javascript:alert(1)', 'http://', 'http://[::1', 'ftp://127.0.0.1/x', 'http://127.0.0.1:99999/', 'http://user:pw@127.0.0.1:9/'];
    case 'username':
      return ['admin', 'nobody', 'ad', 'a'.repeat(65), 'admin\u0000', "admin' --"];
    case 'roles':
      return ['administrator', 'customer', 'sales', 'nobody', '__proto__'];
    case 'status':
      return ['active', 'disabled', 'Active', 'Launched', 'Succeeded'];
    case 'expiresAt':
      return ['2999-01-01T00:00:00Z', '2000-01-01T00:00:00Z', 'tomorrow', '+275760-09-13T00:00:00Z'];
    default:
      return [];
  }
}

/** Like `valueOf`, but strings of attributes with hints also take the hinted values. */
function hinted(schema: JsonSchema, e: Endpoint, name = '', depth = 0): fc.Arbitrary<FuzzJson> {
  const hints = hintsFor(name, e);
  if (schema.type === 'object' && schema.properties && depth < 3) {
    const required = new Set(schema.required ?? []);
    const model: Record<string, fc.Arbitrary<FuzzJson>> = {};
    for (const [k, s] of Object.entries(schema.properties)) model[k] = hinted(s, e, k, depth + 1);
    return fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) }) as fc.Arbitrary<FuzzObject>;
  }
  if (schema.type === 'array' && schema.items && hints.length) return fc.array(fc.oneof(valueOf(schema.items), fc.constantFrom(...hints)), { maxLength: 3 });
  return hints.length ? fc.oneof(valueOf(schema, depth), fc.constantFrom(...hints)) : valueOf(schema, depth);
}

// --- bodies -----------------------------------------------------------------------------------

type Body = NonNullable<CaseSpec['body']>;
const json = (value: FuzzJson, contentType = 'application/json'): Body => ({ contentType, data: toJsonText(value) });

/** A merge patch: some attributes of a stored document (unchanged or changed), or a schema-shaped partial. */
function mergePatchBase(e: Endpoint, g: GenerationContext): fc.Arbitrary<FuzzJson> {
  const shaped = e.body ? hinted(e.body, e) : (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<FuzzJson>);
  if (g.docs.length === 0) return shaped;
  const attributes = Object.keys(g.docs[0]!);
  const fromDoc = fc.record({ i: fc.nat(), keys: fc.subarray(attributes, { maxLength: Math.min(4, attributes.length) }) }).map(({ i, keys }) => {
    const d = g.docs[i % g.docs.length]!;
    const out: FuzzObject = {};
    for (const k of keys) if (k in d) setOwn(out, k, d[k]!);
    return out as FuzzJson;
  });
  return fc.oneof(fromDoc, shaped);
}

function createBase(e: Endpoint, g: GenerationContext): fc.Arbitrary<FuzzJson> {
  const shaped = e.body ? hinted(e.body, e) : (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<FuzzJson>);
  if (g.docs.length === 0) return shaped;
  return fc.oneof({ weight: 2, arbitrary: fc.nat().map((i) => g.docs[i % g.docs.length]! as FuzzJson) }, { weight: 1, arbitrary: shaped });
}

/** Pointers into a stored document of the resource (so that many operations apply) and hostile ones. */
function pointerArb(g: GenerationContext): fc.Arbitrary<string> {
  const real = g.docs.length
    ? placesOf(g.docs[0]!, 200).flatMap((p) => {
        const ptr = `/${p.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
        return p.length ? [ptr, `${ptr}/-`, `${ptr}/fuzzNew`] : ['/fuzzNew'];
      })
    : ['/name', '/description', '/fuzzNew'];
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_POINTERS) });
}

function jsonPatchBody(e: Endpoint, g: GenerationContext): fc.Arbitrary<Body> {
  const pointer = pointerArb(g);
  const value: fc.Arbitrary<FuzzJson> = fc.oneof(
    { weight: 2, arbitrary: hostileValue },
    { weight: 2, arbitrary: fc.constantFrom<FuzzJson>('Fuzz', 1, true, null, [], {}, { id: 'x' }, [{ id: 'x', '@referredType': 'Individual' }]) },
    { weight: 1, arbitrary: fc.constantFrom<FuzzJson>('Active', 'Launched', 'Retired', 'validated', 'Obsolete', 'In test') },
  );
  const operation: fc.Arbitrary<FuzzJson> = fc
    .record(
      {
        op: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test') }, { weight: 1, arbitrary: fc.constantFrom<FuzzJson>('ADD', '', 'delete', '__proto__', 1, null) }),
        path: fc.oneof({ weight: 8, arbitrary: pointer }, { weight: 1, arbitrary: fc.constantFrom<FuzzJson>(1, null, ['/a'], { a: 1 }) }),
        from: pointer,
        value,
        extra: fc.option(fc.constantFrom('__proto__', 'constructor', 'fuzz'), { nil: undefined }),
      },
      { requiredKeys: ['op'] },
    )
    .map((r) => {
      const o: FuzzObject = {};
      for (const k of ['op', 'path', 'from', 'value'] as const) if (r[k] !== undefined) setOwn(o, k, r[k] as FuzzJson);
      if (r.extra) setOwn(o, r.extra, { fuzzPolluted: true });
      return o as FuzzJson;
    });
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(operation, { minLength: 1, maxLength: 4 }).map((ops) => json(ops, 'application/json-patch+json')) },
    { weight: 1, arbitrary: fc.constantFrom<FuzzJson>({}, 'x', null, [[]], [null], { op: 'add', path: '/x', value: 1 }).map((v) => json(v, 'application/json-patch+json')) },
    { weight: 1, arbitrary: fc.constant(json(Array.from({ length: 2000 }, () => ({ op: 'test', path: '/id', value: 'x' })), 'application/json-patch+json')) },
  );
}

function bodyArb(e: Endpoint, g: GenerationContext): fc.Arbitrary<{ body: Body | undefined; note: string }> {
  const isPatch = e.method === 'PATCH';
  const base = isPatch ? mergePatchBase(e, g) : createBase(e, g);
  const okType = isPatch ? fc.constantFrom('application/json', 'application/merge-patch+json') : fc.constant('application/json');
  const withType = <T>(a: fc.Arbitrary<T>, note: string) => a.map((body) => ({ body: body as Body | undefined, note }));
  const families: fc.WeightedArbitrary<{ body: Body | undefined; note: string }>[] = [
    {
      weight: 12,
      arbitrary: fc.record({ m: mutated(base, e.body), ct: okType }).map(({ m, ct }) => ({ body: json(m.value, ct), note: `document, ${m.note}` })),
    },
    { weight: 3, arbitrary: fc.record({ v: base, ct: okType }).map(({ v, ct }) => ({ body: json(v, ct), note: 'document as shaped' })) },
    { weight: 2, arbitrary: withType(fc.constantFrom(...MALFORMED_JSON).map((t): Body => ({ contentType: 'application/json', data: t })), 'malformed JSON text') },
    {
      weight: 2,
      arbitrary: fc
        .record({ v: base, ct: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }) })
        .map(({ v, ct }) => ({ body: { contentType: ct, data: toJsonText(v) }, note: `content type ${JSON.stringify(ct ?? null)}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Body | undefined>({ contentType: 'application/json', data: '' }, { contentType: undefined, data: '' }, undefined, { contentType: 'application/json', data: ' \n' }).map((body) => ({ body, note: 'empty body' })),
    },
    {
      weight: 1,
      arbitrary: withType(fc.constantFrom<FuzzJson>([], 'x', 1, null, true, [{}], [[]]).map((v) => json(v)), 'not an object'),
    },
    {
      weight: 1,
      arbitrary: withType(
        fc.constantFrom(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).map((data): Body => ({ contentType: 'application/json', data })),
        'invalid UTF-8',
      ),
    },
    { weight: 1, arbitrary: withType(fc.constantFrom('username=admin&password=x', 'a=1&a=2&__proto__=x', '%', 'roles=administrator').map((data): Body => ({ contentType: 'application/x-www-form-urlencoded', data })), 'form body') },
  ];
  if (isPatch) families.push({ weight: 8, arbitrary: jsonPatchBody(e, g).map((body) => ({ body, note: 'JSON Patch' })) });
  return fc.oneof(...families);
}

// --- query strings -------------------------------------------------------------------------------

const UNKNOWN_NAMES = ['fuzzUnknown', '__proto__', 'constructor', 'a..b', '.a', 'a.', '', '$where', "name'", 'name;', 'name.gt.lt', 'name.eq', 'name.regex', long(300), 'ñame', 'id[]', 'id[0]', 'name%00', 'depth', 'expand'];

function filterNames(e: Endpoint, g: GenerationContext): string[] {
  const svc = e.resource?.service;
  const top = svc ? [...svc.known] : Object.keys(e.query);
  const nestedPaths = g.docs.length
    ? placesOf(g.docs[0]!, 100).filter((p) => p.length > 1 && p.every((s) => typeof s === 'string')).map((p) => p.join('.'))
    : [];
  return [...top, ...nestedPaths];
}

/** Values stored documents hold at a top-level attribute, as a filter would give them. */
function realValues(g: GenerationContext, name: string): string[] {
  const out: string[] = [];
  for (const d of g.docs.slice(0, 20)) {
    let v: unknown = d;
    for (const seg of name.split('.')) v = Array.isArray(v) ? (v[0] as Record<string, unknown> | undefined)?.[seg] : isPlainObject(v as FuzzJson) ? (v as Record<string, unknown>)[seg] : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  }
  return out;
}

function queryArb(e: Endpoint, g: GenerationContext): fc.Arbitrary<string[]> {
  const names = filterNames(e, g);
  const param = (name: string, value: string, raw: boolean) => (raw ? `${rawEncode(name)}=${rawEncode(value)}` : `${enc(name)}=${enc(value)}`);
  const raw = fc.boolean();
  const valueFor = (name: string) => {
    const real = realValues(g, name.replace(/\.(gt|gte|lt|lte)$/, ''));
    const schema = e.query[name];
    return fc.oneof(
      { weight: 2, arbitrary: hostileQueryValue },
      { weight: real.length ? 2 : 0, arbitrary: real.length ? fc.constantFrom(...real) : fc.constant('') },
      { weight: schema ? 2 : 0, arbitrary: schema ? valueOf(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : fc.constant('') },
    );
  };
  const filter = fc
    .record({
      name: fc.oneof({ weight: 4, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant('x') }, { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_NAMES) }),
      op: fc.constantFrom('', '', '', '.gt', '.gte', '.lt', '.lte'),
      raw,
    })
    .chain(({ name, op, raw: r }) => valueFor(name).map((v) => param(`${name}${op}`, v, r)));
  const attrList = fc.array(fc.oneof(fc.constantFrom(...(names.length ? names : ['x'])), fc.constantFrom(...UNKNOWN_NAMES), hostileString), { maxLength: 4 }).map((xs) => xs.join(','));
  const reserved = fc.oneof(
    fc.record({ v: fc.oneof(attrList, fc.constantFrom('', ',', ',,', 'a..b', '__proto__', '__proto__.polluted', 'constructor.name', 'toString', long(5000))), raw }).map(({ v, raw: r }) => param('fields', v, r)),
    fc.record({ v: fc.oneof(attrList.map((s) => `-${s}`), attrList, fc.constantFrom('-', '--name', '+name', 'name.gt', '-id,id,-id', 'relatedParty.id', 'a b', 'name;DROP')), raw }).map(({ v, raw: r }) => param('sort', v, r)),
    fc.constantFrom('-1', '1.5', '1e3', '99999999999999999999', '9223372036854775808', '2147483648', '00', '', 'abc', '0x10', ' 1', '1000000', '%00', ...RAW_NUMBERS).map((v) => `offset=${rawEncode(v)}`),
    fc.constantFrom('0', '1001', '-1', '1e3', '', '99999999999999999999', '1000', '1', '2', 'NaN', '١').map((v) => `limit=${rawEncode(v)}`),
  );
  const repeated = fc.record({ p: fc.oneof(filter, reserved), n: fc.constantFrom(2, 3, 50, 300) }).map(({ p, n }) => Array.from({ length: n }, () => p));
  const junk = fc.constantFrom('&', '&&', '=', '==', '=x', 'x', '%', '%%', '%ZZ=1', 'a[b]=1', 'a[__proto__][x]=1', '__proto__[polluted]=1', '?', ';', 'a=1;b=2', '%00=%00', 'a=%E0%A4%A', '+=+');
  const documented = Object.keys(e.query);
  const known = documented.length
    ? fc.constantFrom(...documented).chain((name) => fc.record({ v: valueFor(name), raw }).map(({ v, raw: r }) => param(name, v, r)))
    : filter;
  if (e.openQuery) {
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: filter }, { weight: 3, arbitrary: reserved }, { weight: 1, arbitrary: junk }), { maxLength: 5 }) },
      { weight: 1, arbitrary: repeated },
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: filter }, { weight: 1, arbitrary: junk }), { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: repeated },
  );
}

// --- the case ------------------------------------------------------------------------------------

const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((n): IdChoice => ({ kind: 'pool', n })) },
  { weight: 1, arbitrary: fc.record({ n: fc.nat(), suffix: fc.constantFrom('%00', '%20', 'x', '/', '/x', "'", '.json', '%2F..', '?x=%', '#frag') }).map(({ n, suffix }): IdChoice => ({ kind: 'pool', n, suffix })) },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_IDS).map((text): IdChoice => ({ kind: 'raw', text })) },
  { weight: 1, arbitrary: hostileString.map((s): IdChoice => ({ kind: 'raw', text: enc(s) })) },
);

const headerArb = (e: Endpoint): fc.Arbitrary<Record<string, string>> =>
  fc
    .record({
      ifMatch: fc.option(fc.constantFrom(...IF_MATCH), { freq: 3, nil: undefined }),
      idem: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('', ' x', long(256), 'ÿ', 'a b', 'key')), { freq: 6, nil: undefined }),
      correlation: fc.option(fc.constantFrom(long(201), 'x', 'ÿ\u00a0', "' OR 1=1 --", ''), { freq: 8, nil: undefined }),
      accept: fc.option(fc.constantFrom('application/xml', 'text/html', '*/*', 'application/json;q=0'), { freq: 8, nil: undefined }),
    })
    .map((h) => {
      const out: Record<string, string> = {};
      if (h.ifMatch !== undefined && (e.method === 'PATCH' || e.method === 'DELETE')) out['if-match'] = h.ifMatch;
      if (h.idem !== undefined && e.method === 'POST') out['idempotency-key'] = h.idem;
      if (h.correlation !== undefined) out['x-correlation-id'] = h.correlation;
      if (h.accept !== undefined) out['accept'] = h.accept;
      return out;
    });

/** The cases of one endpoint. */
export function caseArb(e: Endpoint, g: GenerationContext): fc.Arbitrary<CaseSpec> {
  const takesBody = e.method === 'POST' || e.method === 'PATCH';
  const body = takesBody
    ? bodyArb(e, g)
    : fc.oneof(
        { weight: 12, arbitrary: fc.constant({ body: undefined, note: 'no body' }) },
        { weight: 1, arbitrary: fc.constantFrom<Body>({ contentType: 'application/json', data: '{"x":1}' }, { contentType: 'application/json', data: '{' }, { contentType: 'text/plain', data: 'x' }).map((b) => ({ body: b as Body | undefined, note: 'unexpected body' })) },
      );
  const method = fc.oneof({ weight: 30, arbitrary: fc.constant(e.method) }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', e.method === 'GET' ? 'HEAD' : 'GET') });
  const query = takesBody || e.method === 'DELETE' ? fc.oneof({ weight: 5, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: queryArb(e, g) }) : queryArb(e, g);
  return fc
    .record({ method, ids: fc.tuple(...e.params.map(() => idChoice)), query, headers: headerArb(e), body })
    .map(({ method: m, ids, query: q, headers, body: b }) => ({ method: m, ids, query: q, headers, ...(b.body ? { body: b.body } : {}), note: b.note }));
}

const NOT_URL = /[^\x21-\x7e]|["<>\\^`{|}]/;
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})|%(?:C0|C1|E0%[89]|ED%[AB]|F[5-9A-F]|FF|[89AB][0-9A-F])/i;

/** The request a case stands for, with pooled ids resolved against the data as it is now. */
export function materialise(e: Endpoint, c: CaseSpec, pool: readonly string[]): FuzzRequest {
  let malformedUrl = false;
  let i = 0;
  const path = e.url.replace(/:(\w+)/g, () => {
    const choice = c.ids[i++]!;
    if (choice.kind === 'raw') {
      if (MALFORMED_ESCAPE.test(choice.text) || choice.text.length > 200) malformedUrl = true;
      return choice.text;
    }
    const id = pool.length ? pool[choice.n % pool.length]! : 'no-such-id';
    if (choice.suffix && MALFORMED_ESCAPE.test(choice.suffix)) malformedUrl = true;
    return enc(id) + (choice.suffix ?? '');
  });
  const qs = c.query.join('&');
  const full = qs ? `${path}?${qs}` : path;
  // beyond about 16 kB of request line and headers, or with characters a URL may not hold, HTTP itself refuses
  if (full.length > 14_000 || NOT_URL.test(full)) malformedUrl = true;
  const headers: Record<string, string> = { ...c.headers };
  if (c.body?.contentType !== undefined) headers['content-type'] = c.body.contentType;
  return {
    method: c.method,
    path: full,
    headers,
    ...(c.body ? { body: Buffer.isBuffer(c.body.data) ? c.body.data : Buffer.from(c.body.data, 'utf8') } : {}),
    note: c.note,
    malformedUrl,
  };
}

/** One line saying what was sent. */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body ? ` ${r.headers['content-type'] ?? '(no content type)'} ${preview(r.body.toString('utf8'), 200)}` : '';
  return `${r.method} ${preview(r.path, 240)}${body} [${r.note}]`;
}
