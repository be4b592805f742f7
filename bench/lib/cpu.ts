/**
 * Where the machine's CPU went during a phase, from /proc: the Operon server
 * process, the PostgreSQL backends serving the benchmark database, the rest of
 * PostgreSQL (WAL writer, other databases), the load generator (this process)
 * and everything else. On a 2-core machine shared with other work this is what
 * turns "slow" into "CPU-bound here".
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type pg from 'pg';

let ticksPerSecond: number | undefined;
function hz(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

const linux = process.platform === 'linux';

/** CPU seconds (user + system) a process has used so far; 0 when it cannot be read. */
function processCpu(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces and parentheses; the fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / hz();
  } catch {
    return 0;
  }
}

function machineCpu(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / hz(), total: total / hz() };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function postgresPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  server: number;
  self: number;
  backends: Map<number, number>;
  postgres: Map<number, number>;
}

export interface CpuSplit {
  seconds: number;
  /** Cores (CPU seconds per second) used by each party. */
  server: number;
  backends: number;
  otherPostgres: number;
  loadGenerator: number;
  rest: number;
  idle: number;
}

/** Measures one phase: call `start()` before it and `stop()` after. */
export class CpuMeter {
  private begin?: Snapshot;

  constructor(private readonly serverPid: number, private readonly admin: pg.Pool, private readonly database: string) {}

  private async backendPids(): Promise<number[]> {
    const r = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.database]);
    return r.rows.map((x) => x.pid);
  }

  private async snapshot(): Promise<Snapshot> {
    const backends = await this.backendPids();
    const self = process.cpuUsage();
    return {
      at: performance.now(),
      machine: machineCpu(),
      server: processCpu(this.serverPid),
      self: (self.user + self.system) / 1e6,
      backends: new Map(backends.map((p) => [p, processCpu(p)])),
      postgres: new Map(postgresPids().map((p) => [p, processCpu(p)])),
    };
  }

  async start(): Promise<void> {
    if (!linux) return;
    this.begin = await this.snapshot();
  }

  async stop(): Promise<CpuSplit | undefined> {
    if (!linux || !this.begin) return undefined;
    const end = await this.snapshot();
    const b = this.begin;
    const seconds = (end.at - b.at) / 1000;
    // a backend born during the phase used all its CPU within it
    const delta = (m0: Map<number, number>, m1: Map<number, number>) => [...m1].reduce((s, [pid, v]) => s + v - (m0.get(pid) ?? 0), 0);
    const backends = delta(b.backends, end.backends);
    const allPostgres = delta(b.postgres, end.postgres);
    const server = end.server - b.server;
    const self = end.self - b.self;
    const busy = end.machine.busy - b.machine.busy;
    const cores = (end.machine.total - b.machine.total) / seconds;
    const perSecond = (v: number) => Math.max(0, v) / seconds;
    return {
      seconds,
      server: perSecond(server),
      backends: perSecond(backends),
      otherPostgres: perSecond(allPostgres - backends),
      loadGenerator: perSecond(self),
      rest: perSecond(busy - server - allPostgres - self),
      idle: Math.max(0, cores - busy / seconds),
    };
  }
}
