/**
 * What every benchmark shares: the figures it reports, how several runs fold
 * into medians, and the table that reads each figure against the machine's
 * ceiling and the target it answers to.
 */
import type { DbTarget } from './database.ts';

export type Unit = 'req/s' | 'commits/s' | 'selects/s' | 'rows/s' | 'ms' | 'rows' | 'cores' | 'cpu-ms/req' | 'queries/req' | 'commits/req' | '%';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  /** Stable id, the same in every run, e.g. `create.rps`. */
  key: string;
  /** Group heading in the table, e.g. `TMF create — POST /individual`. */
  section: string;
  label: string;
  unit: Unit;
  value: number;
  /** Key of the figure this one is read against (the machine's own ceiling, measured in the same run). */
  ceiling?: string;
  target?: Target;
  /** Explains a figure without being one: printed dimmed, never pass/fail. */
  diagnostic?: boolean;
}

export interface RunResult {
  figures: Figure[];
  notes: string[];
}

export interface BenchOptions {
  /** `smoke` runs every phase for about a second on a few hundred rows, only to prove the harness works. */
  scale: 'full' | 'smoke';
  /** Adds the figures that explain a result (CPU split, statements per request, extra ceilings). */
  diagnose: boolean;
  /** Phases to run; all when empty. */
  phases: readonly string[];
  /** Runs the server under `node --cpu-prof`, writing profiles to this folder. */
  cpuProfileDir?: string;
  /** Rows stored before the list phase (100k by default). */
  rows?: number;
  /** The server's PostgreSQL pool size (Operon's default, 16, unless set). */
  serverPool?: number;
  /**
   * Experiments applied to the benchmark database after migration, to measure
   * a proposed platform change end to end without making it: `no-gin` drops
   * the documents' GIN index.
   */
  whatIf?: readonly WhatIf[];
  /** lead-to-cash: orders per second offered (default 150, the target). */
  rate?: number;
  /** lead-to-cash: the flow's workflow engine concurrency (the flow's default unless set). */
  engineConcurrency?: number;
  /** lead-to-cash: the flow's workflow engine safety-net poll, ms (the flow's default unless set). */
  enginePollMs?: number;
}

export const WHAT_IFS = ['no-gin'] as const;
export type WhatIf = (typeof WHAT_IFS)[number];

export interface BenchContext {
  db: DbTarget;
  options: BenchOptions;
  /** A line of progress for the person waiting. */
  progress(line: string): void;
  /** A transient status (redrawn in place on a terminal). */
  status(line: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<RunResult>;
}

// --- interruption ---------------------------------------------------------------------------------

const cleanups = new Set<() => Promise<void>>();

/** Registers what must be undone if the run is interrupted (Ctrl-C); returns the way to unregister it. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs the registered clean-ups, newest first; each failure is ignored so the others still run. */
export async function runInterruptCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) await fn().catch(() => {});
  cleanups.clear();
}

// --- statistics -----------------------------------------------------------------------------------

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile of samples already sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A growable list of latency samples (ms) kept in a typed array: millions of pushes stay cheap. */
export class Samples {
  private data = new Float64Array(4096);
  private n = 0;

  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }

  get count(): number {
    return this.n;
  }

  summary(): { count: number; p50: number; p90: number; p99: number; max: number; mean: number } {
    const s = this.data.slice(0, this.n).sort();
    let sum = 0;
    for (const v of s) sum += v;
    return { count: this.n, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[this.n - 1] ?? Number.NaN, mean: sum / this.n };
  }
}

export interface FigureSummary {
  key: string;
  section: string;
  label: string;
  unit: Unit;
  median: number;
  values: number[];
  ceiling?: { key: string; label: string; unit: Unit; median: number };
  target?: Target;
  pass?: boolean;
  diagnostic: boolean;
}

/** Folds several runs into one line per figure: the median, the spread, and the verdict on the median. */
export function summarise(runs: readonly RunResult[]): FigureSummary[] {
  const order: string[] = [];
  const byKey = new Map<string, Figure[]>();
  for (const r of runs) {
    for (const f of r.figures) {
      if (!byKey.has(f.key)) {
        byKey.set(f.key, []);
        order.push(f.key);
      }
      byKey.get(f.key)!.push(f);
    }
  }
  const medianOf = (key: string) => median(byKey.get(key)?.map((f) => f.value) ?? []);
  return order.map((key) => {
    const fs = byKey.get(key)!;
    const f = fs[0]!;
    const m = medianOf(key);
    const c = f.ceiling ? byKey.get(f.ceiling)?.[0] : undefined;
    const out: FigureSummary = { key, section: f.section, label: f.label, unit: f.unit, median: m, values: fs.map((x) => x.value), diagnostic: f.diagnostic ?? false };
    if (c) out.ceiling = { key: c.key, label: c.label, unit: c.unit, median: medianOf(c.key) };
    if (f.target) {
      out.target = f.target;
      out.pass = f.target.op === '>=' ? m >= f.target.value : m <= f.target.value;
    }
    return out;
  });
}

// --- formatting -----------------------------------------------------------------------------------

export function fmt(v: number, unit?: Unit): string {
  if (!Number.isFinite(v)) return '—';
  if (unit === 'ms' || unit === 'cpu-ms/req') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  if (unit === 'cores' || unit === 'queries/req' || unit === 'commits/req') return v.toFixed(2);
  if (unit === '%') return `${v.toFixed(0)}%`;
  return Math.round(v).toLocaleString('en-US');
}

const withUnit = (v: number, unit: Unit) => (unit === '%' ? fmt(v, unit) : `${fmt(v, unit)} ${unit}`);

function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

export interface TableStyle {
  color: boolean;
}

/** The readable report of one benchmark: a block per section, each figure with its ceiling and target. */
export function renderTable(title: string, summaries: readonly FigureSummary[], runs: number, style: TableStyle): string {
  const paint = (code: string, s: string) => (style.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  lines.push(paint('1', `${title}${runs > 1 ? ` — median of ${runs} runs` : ''}`));
  const labelWidth = Math.max(24, ...summaries.map((s) => s.label.length + 2));
  // sections in order of first appearance, so figures added late (a ceiling measured mid-run) join their group
  const sections = [...new Set(summaries.map((s) => s.section))];
  const ordered = sections.flatMap((sec) => summaries.filter((s) => s.section === sec));
  let section = '';
  for (const s of ordered) {
    if (s.section !== section) {
      section = s.section;
      lines.push('');
      lines.push(paint('4', section));
    }
    let line = `  ${padEnd(s.label, labelWidth)}${padStart(fmt(s.median, s.unit), 10)} ${padEnd(s.unit === '%' ? '' : s.unit, 11)}`;
    if (runs > 1) {
      const lo = Math.min(...s.values);
      const hi = Math.max(...s.values);
      line += padEnd(`[${fmt(lo, s.unit)}–${fmt(hi, s.unit)}]`, 18);
    }
    const extras: string[] = [];
    if (s.ceiling) {
      if (s.unit === 'ms') {
        extras.push(`raw SQL ${withUnit(s.ceiling.median, s.ceiling.unit)}`);
      } else {
        const ratio = (100 * s.median) / s.ceiling.median;
        extras.push(`ceiling ${withUnit(s.ceiling.median, s.ceiling.unit)} → ${Number.isFinite(ratio) ? ratio.toFixed(0) : '—'}%`);
      }
    }
    if (s.target) extras.push(`target ${s.target.op === '>=' ? '≥' : '≤'} ${withUnit(s.target.value, s.unit)}`);
    if (extras.length) line += `(${extras.join('; ')})`;
    if (s.pass !== undefined) line += '  ' + (s.pass ? paint('32;1', 'PASS') : paint('31;1', 'FAIL'));
    lines.push(s.diagnostic ? paint('2', line) : line);
  }
  return lines.join('\n');
}
