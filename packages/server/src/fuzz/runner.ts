/**
 * Runs the fuzz cases of every endpoint against a running Operon: fast-check
 * generates each endpoint's cases from its seed, several endpoints run at a
 * time, every answer is checked against the properties, and the ids the
 * cases use follow the data as it changes.
 */
import http from 'node:http';
import fc from 'fast-check';
import { caseArb, describeRequest, materialise, type FuzzRequest, type GenerationContext } from './cases.ts';
import type { Endpoint } from './endpoints.ts';
import { isPlainObject, type FuzzJson, type FuzzObject } from './json.ts';
import { violations, type Answer, type Caller } from './oracle.ts';

export interface FuzzFailure {
  endpoint: string;
  request: string;
  status: number;
  problems: string[];
  /** The answer's body, shortened. */
  answer: string;
}

export interface EndpointStats {
  cases: number;
  statuses: Record<number, number>;
  ms: number;
}

export interface FuzzReport {
  label: string;
  seed: number;
  runsPerEndpoint: number;
  endpoints: number;
  cases: number;
  statuses: Record<number, number>;
  perEndpoint: Record<string, EndpointStats>;
  /** Distinct failures (at most a few per endpoint and problem); `failureCount` counts them all. */
  failures: FuzzFailure[];
  failureCount: number;
  durationMs: number;
}

export interface FuzzOptions {
  label: string;
  baseUrl: string;
  endpoints: readonly Endpoint[];
  runsPerEndpoint: number;
  seed: number;
  caller: Caller;
  /** Headers that carry the caller's credential (none for an anonymous run). */
  credential: Record<string, string>;
  /** An administrator's credential, to learn the ids that exist and to clean up listeners. */
  admin: Record<string, string>;
  /** Endpoints fuzzed at once. */
  concurrency?: number;
  /** Ids the cases must not touch (the credentials of the run itself). */
  protectedIds?: ReadonlySet<string>;
  /** Stop an endpoint at its first failure and let fast-check shrink it to a minimal case. */
  shrink?: boolean;
  progress?: (line: string) => void;
}

// --- HTTP ------------------------------------------------------------------------------------------

const MAX_ANSWER = 8 * 1024 * 1024;

export function send(agent: http.Agent, baseUrl: string, r: FuzzRequest, credential: Record<string, string>): Promise<Answer> {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    let req: http.ClientRequest;
    let response: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    const answered = () => ({ status: response!.statusCode ?? 0, headers: response!.headers, text: Buffer.concat(chunks).toString('utf8') });
    try {
      // Node frames a GET or DELETE body with no length unless told: say it, as any real client does
      const framing = r.body !== undefined && !Object.keys(r.headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))
        ? { 'content-length': String(Buffer.byteLength(r.body)) }
        : {};
      req = http.request({ agent, host: u.hostname, port: u.port, method: r.method, path: r.path, headers: { ...credential, ...framing, ...r.headers }, timeout: 60_000 }, (res) => {
        response = res;
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
        });
        res.on('end', () => done(answered()));
        // the server may close the connection once it has answered (e.g. 413 without reading the body)
        res.on('error', () => done(answered()));
      });
    } catch (e) {
      // the client itself refuses what no server could be sent (e.g. a header it cannot write): not a case
      return done({ status: 0, headers: {}, text: '', transportError: `client refused: ${(e as Error).message}` });
    }
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    // an upload cut short after the answer arrived is the server refusing the rest of it, not a failure
    req.on('error', (e) => done(response ? answered() : { status: 0, headers: {}, text: '', transportError: e.message }));
    req.end(r.body);
  });
}

// --- what exists ------------------------------------------------------------------------------------

/** Ids (and for users, names) each collection holds, learnt through the API and kept up to date by the cases. */
export class IdPools {
  private readonly pools = new Map<string, string[]>();
  readonly docs = new Map<string, FuzzObject[]>();

  constructor(private readonly baseUrl: string, private readonly admin: Record<string, string>, private readonly protectedIds: ReadonlySet<string>) {}

  ids(collection: string): readonly string[] {
    return this.pools.get(collection) ?? [];
  }

  /** Reads a collection as an administrator: its ids and (for TMF resources) its documents. */
  async load(collection: string, serverSet: readonly string[] = []): Promise<void> {
    const res = await fetch(`${this.baseUrl}${collection}?limit=1000`, { headers: this.admin });
    if (!res.ok) {
      await res.arrayBuffer();
      this.pools.set(collection, []);
      this.docs.set(collection, []);
      return;
    }
    const body = (await res.json()) as unknown;
    const items = Array.isArray(body) ? (body as unknown[]).filter(isPlainObject as (v: unknown) => v is FuzzObject) : [];
    const ids = items.flatMap((d) => [d['id'], d['username']]).filter((x): x is string => typeof x === 'string' && !this.protectedIds.has(x));
    this.pools.set(collection, [...new Set(ids)]);
    this.docs.set(collection, items.slice(0, 50).map((d) => postable(d, serverSet)));
  }

  add(collection: string, id: string): void {
    if (this.protectedIds.has(id)) return;
    const p = this.pools.get(collection) ?? [];
    p.push(id);
    this.pools.set(collection, p);
  }

  remove(collection: string, id: string): void {
    const p = this.pools.get(collection);
    if (p) this.pools.set(collection, p.filter((x) => x !== id));
  }
}

/** A stored document as a client could send it back: without what the server sets. */
function postable(doc: FuzzObject, serverSet: readonly string[]): FuzzObject {
  const out: FuzzObject = {};
  for (const [k, v] of Object.entries(doc)) if (!['id', 'href', ...serverSet].includes(k)) out[k] = v as FuzzJson;
  return out;
}

function serverSetOf(e: Endpoint): string[] {
  const d = e.resource?.service.def;
  if (!d) return [];
  return [...(d.readOnly ?? []), ...(d.lastUpdate ? [d.lastUpdate] : []), ...(d.created ? [d.created] : []), ...(d.lifecycle ? [d.lifecycle.field] : [])];
}

// --- the run ---------------------------------------------------------------------------------------

/** A stable 32-bit hash, so that each endpoint's cases depend only on the run's seed and the endpoint. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h | 0;
}

export const endpointSeed = (seed: number, key: string) => (seed ^ hash(key)) | 0;

async function pool<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const MAX_SAMPLES_PER_PROBLEM = 3;

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const concurrency = o.concurrency ?? 6;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });
  const pools = new IdPools(o.baseUrl, o.admin, o.protectedIds ?? new Set());
  const report: FuzzReport = {
    label: o.label, seed: o.seed, runsPerEndpoint: o.runsPerEndpoint, endpoints: o.endpoints.length, cases: 0, statuses: {}, perEndpoint: {}, failures: [], failureCount: 0, durationMs: 0,
  };
  const seen = new Map<string, number>();
  const record = (e: Endpoint, r: FuzzRequest, a: Answer, problems: string[]) => {
    report.failureCount++;
    const signature = `${e.key}|${problems.map((p) => p.replace(/\(.*$/, '').replace(/\d+/g, 'N')).join('|')}`;
    const n = seen.get(signature) ?? 0;
    seen.set(signature, n + 1);
    if (n < MAX_SAMPLES_PER_PROBLEM) {
      report.failures.push({ endpoint: e.key, request: describeRequest(r), status: a.status, problems, answer: a.text.slice(0, 300) });
    }
  };

  try {
    await pool(o.endpoints, concurrency, async (e) => {
      const t0 = Date.now();
      const stats: EndpointStats = { cases: 0, statuses: {}, ms: 0 };
      report.perEndpoint[e.key] = stats;
      const collection = e.collection ?? (e.resource ? e.url : undefined);
      if (collection) await pools.load(collection, serverSetOf(e));
      const g: GenerationContext = { docs: e.resource && collection ? pools.docs.get(collection) ?? [] : [] };
      const property = fc.asyncProperty(caseArb(e, g), async (spec) => {
        const r = materialise(e, spec, collection ? pools.ids(collection) : []);
        const a = await send(agent, o.baseUrl, r, o.credential);
        if (a.transportError?.startsWith('client refused')) return true;
        stats.cases++;
        report.cases++;
        stats.statuses[a.status] = (stats.statuses[a.status] ?? 0) + 1;
        report.statuses[a.status] = (report.statuses[a.status] ?? 0) + 1;
        const problems = violations(e, r, a, o.caller);
        if (problems.length) record(e, r, a, problems);
        await follow(e, r, a);
        return o.shrink ? problems.length === 0 : true;
      });
      const details = await fc.check(property, { numRuns: o.runsPerEndpoint, seed: endpointSeed(o.seed, e.key), endOnFailure: !o.shrink });
      if (o.shrink && details.failed && details.counterexample) {
        const r = materialise(e, details.counterexample[0], collection ? pools.ids(collection) : []);
        report.failures.push({ endpoint: e.key, request: `minimal case after ${details.numShrinks} shrinks: ${describeRequest(r)}`, status: 0, problems: ['see the first failure of this endpoint'], answer: '' });
      }
      stats.ms = Date.now() - t0;
      o.progress?.(`${o.label}: ${e.key} ${stats.cases} cases in ${stats.ms} ms ${JSON.stringify(stats.statuses)}`);
    });
  } finally {
    agent.destroy();
  }
  report.durationMs = Date.now() - started;
  return report;

  /** Keeps the id pools in step with what the cases created and deleted, and removes listeners at once. */
  async function follow(e: Endpoint, r: FuzzRequest, a: Answer): Promise<void> {
    if (r.method !== e.method) return;
    if (e.method === 'POST' && a.status === 201 && !e.params.length) {
      let id: unknown;
      try {
        id = (JSON.parse(a.text) as Record<string, unknown>)['id'];
      } catch {
        return;
      }
      if (typeof id !== 'string') return;
      if (e.url.endsWith('/hub')) {
        // a registered listener would receive every later event: thousands of deliveries to nowhere
        const res = await fetch(`${o.baseUrl}${e.url}/${encodeURIComponent(id)}`, { method: 'DELETE', headers: o.admin });
        await res.arrayBuffer();
        return;
      }
      pools.add(e.url, id);
    }
    if (e.method === 'DELETE' && a.status === 204 && e.collection) {
      const m = /^[^?]*\/([^/?]+)(?:\?|$)/.exec(r.path);
      if (m) pools.remove(e.collection, decodeURIComponent(m[1]!));
    }
  }
}

/** The report as lines for a person: totals, statuses, the slowest endpoints, failures. */
export function formatReport(r: FuzzReport): string {
  const lines = [
    `${r.label}: ${r.endpoints} endpoints, ${r.cases} cases (${r.runsPerEndpoint} per endpoint), ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.seed}`,
    `  statuses: ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ')}`,
  ];
  const slow = Object.entries(r.perEndpoint).sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
  lines.push(`  slowest: ${slow.map(([k, s]) => `${k} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}`);
  const few = Object.entries(r.perEndpoint).filter(([, s]) => s.cases < r.runsPerEndpoint);
  if (few.length) lines.push(`  endpoints with fewer cases than asked: ${few.map(([k, s]) => `${k} (${s.cases})`).join(', ')}`);
  lines.push(`  failures: ${r.failureCount}${r.failureCount ? ` — replay with FUZZ_SEED=${r.seed}` : ''}`);
  for (const f of r.failures) {
    lines.push(`  ✗ ${f.endpoint} → ${f.status}: ${f.problems.join('; ')}`, `      ${f.request}`, `      answer: ${f.answer.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  return lines.join('\n');
}
