/** Starts bench/server-main.ts in a child process and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServerStats } from '../server-main.ts';

export type { ServerStats };

export interface BenchServer {
  url: string;
  /** Headers every request to the API carries (an administrator's API key). */
  headers: Record<string, string>;
  pid: number;
  stats(): Promise<ServerStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  poolSize: number;
  instrument: boolean;
  cpuProfileDir?: string;
  /** `party` (the Party component alone, the default) or `operon` (every component and the Lead-to-Cash flow). */
  app?: 'party' | 'operon';
  /** Workflow engine settings of the Lead-to-Cash flow (`operon` only); the flow's defaults otherwise. */
  engine?: { concurrency?: number; pollMs?: number };
  /** Extra environment of the server process (e.g. the simulated network's latency). */
  env?: Record<string, string>;
}

const serverMain = fileURLToPath(new URL('../server-main.ts', import.meta.url));
const repoRoot = path.resolve(path.dirname(serverMain), '..');

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

export async function startServer(o: ServerOptions): Promise<BenchServer> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  // the young generation `npm start` gives the server (package.json): fewer scavenges per order
  const nodeArgs = ['--max-semi-space-size=64', '--import', tsx];
  if (o.cpuProfileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir);
  const args = [...nodeArgs, serverMain, '--database-url', o.databaseUrl, '--pool', String(o.poolSize)];
  if (o.instrument) args.push('--instrument');
  if (o.app) args.push('--app', o.app);
  if (o.engine?.concurrency !== undefined) args.push('--engine-concurrency', String(o.engine.concurrency));
  if (o.engine?.pollMs !== undefined) args.push('--engine-poll-ms', String(o.engine.pollMs));
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...o.env, NODE_ENV: 'production' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });

  const [url, apiKey] = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the benchmark server did not start within 60 s\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /OPERON_BENCH_READY (\S+) (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([m[1]!, m[2]!]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark server exited with ${code} before it was ready\n${stderr}`));
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    url,
    headers: { authorization: `Bearer ${apiKey}` },
    pid: child.pid!,
    async stats() {
      const r = await fetch(`${url}/__bench/stats`);
      return (await r.json()) as ServerStats;
    },
    async resetStats() {
      await (await fetch(`${url}/__bench/reset`, { method: 'POST' })).arrayBuffer();
    },
    stop() {
      stopped ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited(child);
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
