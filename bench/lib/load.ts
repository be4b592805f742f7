/**
 * Load generators: autocannon for HTTP throughput, a pool of raw PostgreSQL
 * clients for the ceilings, and one-at-a-time timed requests for latency that
 * must not include queueing.
 */
import http from 'node:http';
import autocannon, { type AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import { Samples } from './harness.ts';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface HttpLoadResult {
  /** Successful (2xx) responses per second. */
  rps: number;
  /** Latency of the 2xx responses, ms, exact (autocannon's own histogram rounds to whole ms). */
  latency: LatencySummary;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

export interface HttpLoadOptions {
  url: string;
  connections: number;
  seconds: number;
  requests: AutocannonRequest[];
  /** Sent with every request (the credential). */
  headers?: Record<string, string>;
  /** Called about once a second with the responses of that second. */
  onTick?: (perSecond: number) => void;
}

export function httpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const samples = new Samples();
    let ok = 0;
    const started = performance.now();
    let ended = 0;
    const instance = autocannon(
      { url: o.url, connections: o.connections, pipelining: 1, duration: o.seconds, timeout: 30, requests: o.requests, ...(o.headers ? { headers: o.headers } : {}) },
      (err, result) => {
        if (err) return reject(err);
        const seconds = ((ended || performance.now()) - started) / 1000;
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
        resolve({ rps: ok / seconds, latency: samples.summary(), ok, non2xx: result.non2xx, errors: result.errors, statusCodes, seconds });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        samples.push(responseTime);
      }
      ended = performance.now();
    });
    if (o.onTick) instance.on('tick', (t) => o.onTick!(t.counter));
  });
}

export interface PoolLoadResult {
  opsPerSecond: number;
  latency: LatencySummary;
  ops: number;
  /** CPU this process spent per operation (pg client work and syscalls), ms. */
  clientCpuMs: number;
}

/**
 * `clients` connections, each running `op` back to back for `seconds`: the
 * closest thing to what PostgreSQL alone can do for this operation from this
 * machine, with the same client library the server uses.
 */
export async function poolLoad(
  pool: pg.Pool,
  clients: number,
  seconds: number,
  op: (client: pg.PoolClient, n: number) => Promise<unknown>,
  onTick?: (perSecond: number) => void,
): Promise<PoolLoadResult> {
  const conns = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
  const samples = new Samples();
  let n = 0;
  let lastN = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = started + seconds * 1000;
  const ticker = onTick ? setInterval(() => {
        onTick(n - lastN);
        lastN = n;
      }, 1000) : undefined;
  try {
    await Promise.all(
      conns.map(async (c) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await op(c, n++);
          samples.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    for (const c of conns) c.release();
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSecond: samples.count / elapsed, latency: samples.summary(), ops: samples.count, clientCpuMs: (cpu.user + cpu.system) / 1000 / samples.count };
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A keep-alive HTTP client with a single connection, for one-at-a-time timing. */
export class SequentialClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;

  constructor(baseUrl: string, private readonly extraHeaders: Record<string, string> = {}) {
    this.base = new URL(baseUrl);
  }

  request(method: string, path: string, body?: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers: { ...this.extraHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `op` one call at a time after `warmup` untimed calls, until `count`
 * calls or `maxSeconds` (whichever comes first, but at least `minCount`).
 * One at a time, so a figure is the service time of one request, not the
 * queueing of many on two cores.
 */
export async function sequential(
  op: (i: number) => Promise<void>,
  o: { warmup: number; count: number; minCount: number; maxSeconds: number },
): Promise<LatencySummary> {
  for (let i = 0; i < o.warmup; i++) await op(i);
  const samples = new Samples();
  const deadline = performance.now() + o.maxSeconds * 1000;
  for (let i = 0; i < o.count && (i < o.minCount || performance.now() < deadline); i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  return samples.summary();
}

export interface OpenLoopResult {
  /** Requests sent (scheduled and started). */
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Latency of the 2xx responses to requests scheduled inside the measured window, from their scheduled time. */
  latency: LatencySummary;
  /**
   * The same, of requests scheduled in the second half of the window only: a
   * node just started (code not yet optimised, connections being opened)
   * answers its first seconds slower, and a backlog from then reaches into
   * the first half.
   */
  secondHalfLatency: LatencySummary;
  /** Wall-clock (Date.now()) bounds of the measured window. */
  windowStart: number;
  windowEnd: number;
  /** Requests still unanswered when the schedule ended (their answers are still awaited). */
  inFlightAtEnd: number;
  /** A few answer bodies of the failures, for the notes. */
  failures: string[];
}

export interface OpenLoopOptions {
  url: string;
  headers?: Record<string, string>;
  /** Requests per second, sent on schedule whatever the answers do. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** The i-th request. */
  request(i: number): { method: string; path: string; body?: string };
  onTick?: (sentPerSecond: number, inFlight: number) => void;
  /** Called when the measured window opens (the warm-up is over) and when the schedule ends. */
  onWindow?: (edge: 'start' | 'end') => void;
}

/**
 * An open-loop generator: requests leave at a fixed rate whether or not the
 * earlier ones were answered (as orders arrive from many independent
 * customers), each on a free keep-alive socket or a new one. A latency is
 * counted from the request's scheduled time, so a stalled server shows up in
 * it instead of slowing the load down (no coordinated omission).
 */
export async function openLoopHttp(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const base = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const samples = new Samples();
  const secondHalf = new Samples();
  const statusCodes: Record<string, number> = {};
  const failures: string[] = [];
  let ok = 0, non2xx = 0, errors = 0, sent = 0, inFlight = 0;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const wall0 = Date.now();
  const measureFrom = t0 + o.warmupSeconds * 1000;
  const end = measureFrom + o.seconds * 1000;
  const halfway = measureFrom + (o.seconds * 1000) / 2;
  const interval = 1000 / o.rate;

  let windowOpen = false;
  const fire = (i: number, scheduled: number) => {
    const spec = o.request(i);
    const measured = scheduled >= measureFrom;
    if (measured && !windowOpen) {
      windowOpen = true;
      o.onWindow?.('start');
    }
    inFlight++;
    const p = new Promise<void>((resolve) => {
      const done = (status: number, body: string) => {
        inFlight--;
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          ok++;
          if (measured) samples.push(performance.now() - scheduled);
          if (scheduled >= halfway) secondHalf.push(performance.now() - scheduled);
        } else {
          non2xx++;
          if (failures.length < 5) failures.push(`${status} ${body.slice(0, 300)}`);
        }
        resolve();
      };
      const req = http.request(
        {
          agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path,
          headers: { ...o.headers, ...(spec.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', () => {
            inFlight--;
            errors++;
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        inFlight--;
        errors++;
        if (failures.length < 5) failures.push(String(e));
        resolve();
      });
      req.end(spec.body);
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };

  let lastSent = 0;
  const ticker = o.onTick ? setInterval(() => {
        o.onTick!(sent - lastSent, inFlight);
        lastSent = sent;
      }, 1000) : undefined;
  try {
    // each wake-up sends every request whose time has come, so timer lateness costs no requests
    while (performance.now() < end) {
      const now = performance.now();
      while (t0 + sent * interval <= now && t0 + sent * interval < end) {
        fire(sent, t0 + sent * interval);
        sent++;
      }
      const next = t0 + sent * interval - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(next, 50))));
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
  o.onWindow?.('end');
  const inFlightAtEnd = inFlight;
  await Promise.all(pending);
  agent.destroy();
  return {
    sent, ok, non2xx, errors, statusCodes, latency: samples.summary(), secondHalfLatency: secondHalf.summary(), failures, inFlightAtEnd,
    windowStart: wall0 + o.warmupSeconds * 1000, windowEnd: wall0 + (o.warmupSeconds + o.seconds) * 1000,
  };
}
