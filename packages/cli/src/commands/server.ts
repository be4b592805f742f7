/** `operon start`, `operon migrate`, `operon seed`: run Operon and look after its database. */
import fs from 'node:fs';
import path from 'node:path';
import type { ComponentRuntime } from '@operon/tmf';
import type { OperonConfig } from '@operon/server';
import { CliError, parse, progressLine, usageError, type Command, type Io } from '../io.ts';

const env = `Settings come from the environment: PORT (8080), HOST (127.0.0.1),
DATABASE_URL (unset: an embedded PostgreSQL in OPERON_DATA_DIR, default .operon),
OPERON_PUBLIC_URL, OPERON_DEMO_DATA (true), LOG_LEVEL (info; start shows warnings and
errors only unless LOG_LEVEL is set).`;

const startUsage = `Usage: operon start [--port <n>] [--host <addr>]

Starts Operon: the database (embedded unless DATABASE_URL is set), its
migrations, the demo data, the event relay and the HTTP API. Ctrl+C (SIGINT)
or SIGTERM stops it gracefully.

${env}`;

const migrateUsage = `Usage: operon migrate

Applies the pending database migrations of the core and every component, and
lists what it applied.

${env}`;

const seedUsage = `Usage: operon seed

Loads the demo data (the demo operator and catalog) into the database.

${env}`;

/** Loads the demo data with a progress line; says what it did. */
function demoLoader(io: Io) {
  return async (runtime: ComponentRuntime) => {
    const { seedDemo } = await import('@operon/server');
    const line = progressLine(io, 'demo data');
    const r = await seedDemo(runtime, (done, total, what) => line.update(done, total, what));
    line.done(r.seeded ? `loaded ${r.created} resources (operator, customers, accounts, catalog)` : 'already loaded');
  };
}

/** The database URL with its password hidden. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export function describeDatabase(config: OperonConfig): string {
  return config.databaseUrl ? `PostgreSQL at ${safeUrl(config.databaseUrl)}` : `embedded PostgreSQL in ${config.dataDir}`;
}

const step = (io: Io) => (label: string, text: string) => io.out(`  ${label.padEnd(10)} ${text}`);

function portOption(v: string | undefined): Partial<OperonConfig> {
  if (v === undefined) return {};
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw usageError(`--port must be a port number, not '${v}'`);
  return { port: Number(v) };
}

/** Operon's settings from the environment; a bad setting is a usage error. */
export async function loadConfigFrom(overrides: Partial<OperonConfig> = {}): Promise<OperonConfig> {
  const { loadConfig } = await import('@operon/server');
  try {
    return loadConfig(process.env, overrides);
  } catch (e) {
    throw usageError((e as Error).message);
  }
}

export const startCommand: Command = {
  usage: startUsage,
  async run(args, io) {
    const { values, positionals } = parse(args, { port: { type: 'string' }, host: { type: 'string' } }, startUsage);
    if (positionals.length) throw usageError(`start takes no arguments\n\n${startUsage}`);
    const config = await loadConfigFrom({
      ...portOption(values.port),
      ...(values.host ? { host: values.host } : {}),
      // the start-up lines are for a person; JSON logs below warnings only when asked for
      ...(process.env['LOG_LEVEL'] ? {} : { logLevel: 'warn' as const }),
    });
    const server = await import('@operon/server');
    const say = step(io);
    const began = Date.now();
    io.out(`Starting Operon (${server.components.length} component${server.components.length === 1 ? '' : 's'})`);
    // the embedded database announces itself through progress
    if (config.databaseUrl) say('database', describeDatabase(config));

    const seed = config.demoData ? demoLoader(io) : undefined;
    // said right after the migrations line, so that the lines come in the order things happen
    let demoNote = config.demoData ? undefined : 'off (OPERON_DEMO_DATA=false)';
    const progress = (line: string) => {
      const migrations = /migration|schema/i.test(line);
      say(migrations ? 'migrations' : /administrator|credential/.test(line) ? 'security' : 'database', line);
      if (migrations && demoNote) {
        say('demo data', demoNote);
        demoNote = undefined;
      }
    };

    let running: Awaited<ReturnType<typeof server.startOperon>>;
    try {
      running = await server.startOperon(config, { progress, ...(seed ? { seed } : {}) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new CliError(`port ${config.port} on ${config.host} is already in use; set PORT or --port`);
      throw new CliError(`could not start: ${err.message}`);
    }
    if (demoNote) say('demo data', demoNote);
    const url = running.url;
    say('listening', `${url} (ready in ${((Date.now() - began) / 1000).toFixed(1)}s)`);

    const example = server.components.flatMap((c) => c.exposes.flatMap((a) => a.resources.map((r) => `${a.basePath}/${r.name}`)))[0];
    const consolePath = ['/', '/console'].find((p) => running.app.hasRoute({ method: 'GET', url: p }));
    io.out('\nOperon is running');
    io.out(`  API docs   ${url}/docs`);
    io.out(`  console    ${consolePath ? url + consolePath : '(not built yet)'}`);
    io.out(`  eTOM map   ${url}/etom/coverage`);
    if (example && config.auth) {
      // the first administrator's key is in the credentials file until its owner moves it somewhere safe
      const file = path.join(config.dataDir, 'admin-credentials');
      io.out(`  try        curl -H "X-API-Key: $OPERON_API_KEY" ${url}${example}`);
      io.out(`             (OPERON_API_KEY: ${fs.existsSync(file) ? `the apiKey line of ${file}` : 'a key from operon key create'})`);
    } else if (example) {
      io.out(`  try        curl ${url}${example}`);
    }
    io.out('\nPress Ctrl+C to stop.');

    return new Promise<number>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          io.err(`${signal} again: exiting now`);
          process.exit(1);
        }
        stopping = true;
        io.out(`\n${signal}: stopping (finishing requests, delivering pending events)`);
        running.stop().then(
          () => {
            io.out('stopped');
            resolve(0);
          },
          (e: unknown) => {
            io.err(`stopping failed: ${(e as Error).message}`);
            resolve(1);
          },
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  },
};

export const migrateCommand: Command = {
  usage: migrateUsage,
  async run(args, io) {
    const { positionals } = parse(args, {}, migrateUsage);
    if (positionals.length) throw usageError(`migrate takes no arguments\n\n${migrateUsage}`);
    const config = await loadConfigFrom();
    const { openDatabase } = await import('@operon/server');
    io.out(`database  ${describeDatabase(config)}`);
    let opened: Awaited<ReturnType<typeof openDatabase>>;
    try {
      opened = await openDatabase({ ...config, dbPoolSize: 2 });
    } catch (e) {
      throw new CliError(`migration failed: ${(e as Error).message}`);
    }
    const r = opened.migrations;
    for (const id of r.applied) io.out(`applied   ${id}`);
    io.out(r.applied.length
      ? `${r.applied.length} migration${r.applied.length === 1 ? '' : 's'} applied, ${r.skipped} already in place`
      : `nothing to apply: all ${r.skipped} migrations are in place`);
    await opened.close();
    return 0;
  },
};

export const seedCommand: Command = {
  usage: seedUsage,
  async run(args, io) {
    const { positionals } = parse(args, {}, seedUsage);
    if (positionals.length) throw usageError(`seed takes no arguments\n\n${seedUsage}`);
    // progress lines are for a person; JSON logs below warnings only when asked for
    const config = await loadConfigFrom(process.env['LOG_LEVEL'] ? {} : { logLevel: 'warn' });
    const { startOperon } = await import('@operon/server');
    io.out(`database  ${describeDatabase(config)}`);
    // a full start without listening gives the seed the same runtime (services, outbox) as a real start
    const running = await startOperon(config, { listen: false, seed: demoLoader(io), progress: (l) => io.out(`  ${l}`) });
    await running.stop();
    return 0;
  },
};
