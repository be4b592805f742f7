/**
 * `npm run bench [-- <name>…] [--runs N] [--db server|embedded] [--diagnose]
 *   [--phases ceiling,create,get,list] [--rows N] [--server-pool N] [--what-if …] [--cpu-prof] [--smoke] [--strict]
 *   [--rate N] [--engine-concurrency N] [--engine-poll-ms N]`
 *
 * Runs the benchmarks (all when none is named), each `--runs` times, prints a
 * table of medians read against the machine's ceiling and the targets, and
 * writes the full record to bench/results/<name>-<timestamp>.json.
 * Benchmarks measure; tests never time anything.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openTarget } from './lib/database.ts';
import { renderTable, runInterruptCleanups, WHAT_IFS, type BenchOptions, type Benchmark, type WhatIf } from './lib/harness.ts';
import { runBenchmark, writeReport } from './lib/runner.ts';
import { leadToCash } from './lead-to-cash.ts';
import { tmfCrud } from './tmf-crud.ts';

const benchmarks: readonly Benchmark[] = [tmfCrud, leadToCash];

const here = path.dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '1' },
    db: { type: 'string' },
    diagnose: { type: 'boolean', default: false },
    phases: { type: 'string', default: '' },
    rows: { type: 'string' },
    'server-pool': { type: 'string' },
    'what-if': { type: 'string', default: '' },
    'cpu-prof': { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    rate: { type: 'string' },
    'engine-concurrency': { type: 'string' },
    'engine-poll-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`usage: npm run bench [-- <name>…] [options]
  benchmarks: ${benchmarks.map((b) => b.name).join(', ')}
  --runs N              repeat each benchmark N times and report medians (default 1)
  --db server|embedded  the machine's PostgreSQL server (default when it answers) or an embedded one
  --diagnose            add the figures that explain a result: CPU split, statements per request,
                        extra ceilings, EXPLAIN ANALYZE of the list queries
  --phases a,b          only these phases (tmf-crud: ceiling, create, get, list; lead-to-cash: ceiling, orders)
  --rows N              individuals stored before the list phase (default 100000)
  --server-pool N       the server's PostgreSQL pool size (default 16, Operon's default)
  --what-if a,b         measure a proposed platform change on the benchmark database only:
                        ${WHAT_IFS.join(', ')} (the table title says so)
  --cpu-prof            run the server under node --cpu-prof (profiles in bench/results/profiles)
  --smoke               about a second per phase on a few hundred rows: proves the harness, measures nothing
  --strict              exit with status 2 when a target is missed
  --rate N              lead-to-cash: product orders per second offered, open loop (default 150, the target)
  --engine-concurrency N, --engine-poll-ms N
                        lead-to-cash: the flow's workflow engine options (the flow's defaults unless set)
`);
  process.exit(0);
}

const selected = positionals.length ? positionals.map((n) => benchmarks.find((b) => b.name === n) ?? n) : [...benchmarks];
const unknown = selected.filter((b): b is string => typeof b === 'string');
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`);
  process.exit(1);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
if (values.db !== undefined && values.db !== 'server' && values.db !== 'embedded') throw new Error(`--db must be server or embedded, got ${values.db}`);

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`${flag} must be a positive number, got ${v}`);
  return n;
}

const whatIf = values['what-if'].split(',').map((w) => w.trim()).filter(Boolean);
for (const w of whatIf) if (!(WHAT_IFS as readonly string[]).includes(w)) throw new Error(`--what-if ${w} is not one of ${WHAT_IFS.join(', ')}`);

const resultsDir = path.join(here, 'results');
const cpuProfileDir = values['cpu-prof-dir'] ?? (values['cpu-prof'] ? path.join(resultsDir, 'profiles') : undefined);
const options: BenchOptions = {
  scale: values.smoke ? 'smoke' : 'full',
  diagnose: values.diagnose,
  phases: values.phases.split(',').map((p) => p.trim()).filter(Boolean),
  ...(cpuProfileDir ? { cpuProfileDir } : {}),
  ...(values.rows ? { rows: Number(values.rows) } : {}),
  ...(values['server-pool'] ? { serverPool: Number(values['server-pool']) } : {}),
  ...(whatIf.length ? { whatIf: whatIf as WhatIf[] } : {}),
  ...(values.rate ? { rate: positive('--rate', values.rate) } : {}),
  ...(values['engine-concurrency'] ? { engineConcurrency: positive('--engine-concurrency', values['engine-concurrency']) } : {}),
  ...(values['engine-poll-ms'] ? { enginePollMs: positive('--engine-poll-ms', values['engine-poll-ms']) } : {}),
};

const tty = process.stderr.isTTY === true;
const t0 = performance.now();
const elapsed = () => {
  const s = Math.round((performance.now() - t0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
let statusShown = false;
const progress = (line: string) => {
  process.stderr.write(`${statusShown ? '\r\x1b[K' : ''}${elapsed()} ${line}\n`);
  statusShown = false;
};
// transient lines only where they can be redrawn in place; a log file gets the progress lines alone
const status = (line: string) => {
  if (!tty) return;
  process.stderr.write(`\r\x1b[K${elapsed()} ${line}`);
  statusShown = true;
};

const target = await openTarget(values.db as 'server' | 'embedded' | undefined);
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  progress('interrupted: stopping the server and dropping the benchmark database (Ctrl-C again to leave them)');
  void runInterruptCleanups()
    .then(() => target.close())
    .finally(() => process.exit(130));
});
let missed = false;
try {
  progress(`PostgreSQL: ${target.kind} (${await target.version()})${runs > 1 ? `, ${runs} runs each` : ''}`);
  for (const bench of selected as Benchmark[]) {
    const report = await runBenchmark(bench, { target, options, runs, progress, status });
    const file = writeReport(report, resultsDir);
    process.stdout.write('\n' + renderTable(report.title, report.summary, runs, { color: process.stdout.isTTY === true }) + '\n');
    const notes = [...new Set(report.runs.flatMap((r) => r.notes))];
    if (notes.length && options.diagnose) process.stdout.write('\nNotes (all runs):\n' + notes.map((n) => `  ${n}`).join('\n') + '\n');
    process.stdout.write(`\n${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, PostgreSQL ${report.database.version} (${report.database.kind})\nfull record: ${path.relative(process.cwd(), file)}\n`);
    if (report.summary.some((s) => s.pass === false)) missed = true;
  }
} finally {
  await target.close();
}
if (missed && values.strict) process.exit(2);
