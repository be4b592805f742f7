/**
 * Runs one benchmark N times and folds the runs into medians; shared by the
 * `npm run bench` command and the smoke test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DbTarget } from './database.ts';
import { summarise, type BenchContext, type BenchOptions, type Benchmark, type FigureSummary, type RunResult } from './harness.ts';

export interface BenchReport {
  name: string;
  title: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage: number[] };
  database: { kind: DbTarget['kind']; version: string };
  options: BenchOptions;
  runs: RunResult[];
  summary: FigureSummary[];
}

export interface RunnerOptions {
  target: DbTarget;
  options: BenchOptions;
  runs: number;
  progress: (line: string) => void;
  status: (line: string) => void;
}

export async function runBenchmark(bench: Benchmark, o: RunnerOptions): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const runs: RunResult[] = [];
  for (let i = 0; i < o.runs; i++) {
    const tag = o.runs > 1 ? `[${bench.name} ${i + 1}/${o.runs}]` : `[${bench.name}]`;
    const ctx: BenchContext = {
      db: o.target,
      options: o.options,
      progress: (line) => o.progress(`${tag} ${line}`),
      status: (line) => o.status(`${tag} ${line}`),
    };
    runs.push(await bench.run(ctx));
  }
  const cpus = os.cpus();
  return {
    name: bench.name,
    title: o.options.whatIf?.length ? `${bench.title} — WHAT-IF ${o.options.whatIf.join(', ')} (not the platform as shipped)` : bench.title,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage: os.loadavg(),
    },
    database: { kind: o.target.kind, version: await o.target.version() },
    options: o.options,
    runs,
    summary: summarise(runs),
  };
}

/** Writes the report to `<dir>/<name>-<timestamp>.json` and returns the path. */
export function writeReport(report: BenchReport, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${report.name}-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}
