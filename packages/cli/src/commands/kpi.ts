/** `operon kpi`: the Lead-to-Cash KPIs of a running Operon, as a report or as JSON. */
import { CliError, bar, json, parse, table, usageError, type Command, type Io } from '../io.ts';
import { apiKey, baseUrl, request } from './api.ts';

const usage = `Usage: operon kpi [options]

Lead-to-Cash KPIs of a running Operon, from what really happened: orders by
state, fallout rate, order-to-activation time (p50/p90) per offering, and the
duration of each eTOM L3 step the orders went through.

Options:
  --since <when>     only orders placed (and steps started) from then: a date-time
                     (2026-01-01, 2026-01-01T08:00:00Z) or a span back from now (30m, 12h, 7d)
  --url <url>        Operon's base URL (default: $OPERON_URL or http://localhost:8080)
  --key <secret>     API key (default: $OPERON_API_KEY); see operon key create
  --json             print the response body as JSON`;

/** What `GET /ops/kpi/lead-to-cash` answers (only what the report shows is relied on). */
interface Kpis {
  since: string | null;
  ordersByState: Record<string, number>;
  orderToActivation: Array<{ productOfferingId: string; productOfferingName: string | null; orders: number; p50Ms: number; p90Ms: number }>;
  fallout: { ended: number; fallenOut: number; rate: number };
  etomSteps: Array<{ etomTask: string; count: number; failed: number; p50Ms: number; p90Ms: number; meanMs: number; maxMs: number; jeopardies: number }>;
}

const SPAN: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since` as an ISO date-time: a span (7d) counts back from now; anything else must parse as a date. */
export function sinceOf(v: string, now = Date.now()): string {
  const span = /^(\d+)([mhd])$/.exec(v.trim());
  if (span) return new Date(now - Number(span[1]) * SPAN[span[2]!]!).toISOString();
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw usageError(`--since takes a date-time (2026-01-01T00:00:00Z) or a span (30m, 12h, 7d), not '${v}'`);
  return new Date(t).toISOString();
}

/** A duration for people: 850 ms, 4.2 s, 3.5 min, 2.1 h. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const BAR = 24;

function isKpis(v: unknown): v is Kpis {
  const k = v as Partial<Kpis> | null;
  return !!k && typeof k === 'object' && typeof k.ordersByState === 'object' && Array.isArray(k.orderToActivation) && Array.isArray(k.etomSteps) && typeof k.fallout === 'object';
}

/** The report: four sections, numbers right-aligned, bars scaled to the largest value of their section. */
export function report(k: Kpis, io: Pick<Io, 'width'>): string {
  const out: string[] = [`Lead-to-Cash KPIs${k.since ? ` since ${k.since}` : ''}`, ''];
  const states = Object.entries(k.ordersByState).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const orders = states.reduce((n, [, c]) => n + c, 0);
  out.push(`Orders by state (${orders})`);
  if (states.length) {
    const most = Math.max(...states.map(([, n]) => n));
    out.push(table(['STATE', 'ORDERS', ''], states.map(([s, n]) => [s, String(n), bar((n / most) * 100, BAR)]), { right: [1], width: io.width }));
  } else out.push('  no orders');
  out.push('');
  const f = k.fallout;
  out.push(`Fallout  ${(f.rate * 100).toFixed(1)}%  (${f.fallenOut} of ${f.ended} ended orders failed or partial)  ${bar(f.rate * 100, BAR)}`);
  out.push('');
  out.push('Order to activation, per offering (completed orders)');
  if (k.orderToActivation.length) {
    const most = Math.max(...k.orderToActivation.map((o) => o.p90Ms), 1);
    out.push(table(['OFFERING', 'ORDERS', 'P50', 'P90', ''], k.orderToActivation.map((o) => [
      o.productOfferingName ?? o.productOfferingId, String(o.orders), duration(o.p50Ms), duration(o.p90Ms), bar((o.p90Ms / most) * 100, BAR),
    ]), { right: [1, 2, 3], width: io.width }));
  } else out.push('  no completed orders yet');
  out.push('');
  out.push('Duration per eTOM L3 step');
  if (k.etomSteps.length) {
    const most = Math.max(...k.etomSteps.map((s) => s.p90Ms), 1);
    out.push(table(['ETOM L3 TASK', 'DONE', 'FAILED', 'P50', 'P90', 'MAX', 'LATE', ''], k.etomSteps.map((s) => [
      s.etomTask, String(s.count), String(s.failed), duration(s.p50Ms), duration(s.p90Ms), duration(s.maxMs), String(s.jeopardies), bar((s.p90Ms / most) * 100, BAR),
    ]), { right: [1, 2, 3, 4, 5, 6], width: io.width }));
  } else out.push('  no steps ran yet');
  return out.join('\n');
}

export const kpiCommand: Command = {
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, { url: { type: 'string' }, key: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' } }, usage);
    if (positionals.length) throw usageError(`kpi takes no arguments, only options\n\n${usage}`);
    const base = baseUrl(values.url);
    const query = new URLSearchParams(values.since !== undefined ? { since: sinceOf(values.since) } : {});
    const reply = await request(base, '/ops/kpi/lead-to-cash', query, apiKey(values.key));
    if (values.json) {
      io.out(json(reply.body));
      return 0;
    }
    if (!isKpis(reply.body)) throw new CliError(`${base}/ops/kpi/lead-to-cash did not answer with Lead-to-Cash KPIs; is it an Operon with the Lead-to-Cash flow?`);
    io.out(report(reply.body, io));
    return 0;
  },
};
