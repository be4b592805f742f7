/** Command dispatch for `operon`: help, per-command usage, errors → messages and exit codes. */
import { CliError, EXIT_FAILURE, EXIT_USAGE, VERSION, processIo, usageError, type Command, type Io } from './io.ts';

interface Entry {
  summary: string;
  // commands load on demand so that `operon help` does not pay for the whole server
  load(): Promise<Command>;
}

const commands: Record<string, Entry> = {
  start: { summary: 'start Operon: database, migrations, demo data, API', load: async () => (await import('./commands/server.ts')).startCommand },
  migrate: { summary: 'apply pending database migrations', load: async () => (await import('./commands/server.ts')).migrateCommand },
  seed: { summary: 'load the demo data', load: async () => (await import('./commands/server.ts')).seedCommand },
  etom: { summary: 'the eTOM map and coverage: list, areas, show, search, coverage, export', load: async () => (await import('./commands/etom.ts')).command },
  get: { summary: 'read a resource (or a collection) from a running Operon', load: async () => (await import('./commands/api.ts')).getCommand },
  list: { summary: 'list resources of a running Operon, with filters', load: async () => (await import('./commands/api.ts')).listCommand },
  kpi: { summary: 'Lead-to-Cash KPIs of a running Operon: orders, fallout, order-to-activation, eTOM steps', load: async () => (await import('./commands/kpi.ts')).kpiCommand },
  backup: { summary: 'write a consistent copy of the whole database to one file', load: async () => (await import('./commands/backup.ts')).backupCommand },
  restore: { summary: 'restore a backup into an empty database', load: async () => (await import('./commands/backup.ts')).restoreCommand },
  user: { summary: 'users who sign in: add, list, passwd, roles, disable, enable', load: async () => (await import('./commands/security.ts')).userCommand },
  key: { summary: 'API keys for machine clients: create, list, revoke', load: async () => (await import('./commands/security.ts')).keyCommand },
};

export const mainUsage = `Usage: operon <command> [options]

Operon — an open-source BSS/OSS organised by TM Forum eTOM, speaking the TM Forum Open APIs.

Commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join('\n')}
  help      this text; operon help <command> (or operon <command> --help) for one command

Examples:
  operon start
  operon etom list --area fulfilment-crm
  operon etom show issue-customer-orders
  operon etom coverage --uncovered
  operon list individual --filter familyName=Smith --limit 5 --key opk_…
  operon get individual 42
  operon kpi --since 7d
  operon key create --name ci --role productManager
  operon backup --out operon.backup.gz

Exit status: 0 done, 1 failed (error from the server, unknown id, unreachable server), 2 wrong usage.`;

/** Runs one command line; returns the exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = name === 'help' ? args[0] : undefined;
      if (topic !== undefined) {
        const entry = commands[topic];
        if (!entry) throw usageError(`unknown command '${topic}'`);
        io.out((await entry.load()).usage);
      } else io.out(mainUsage);
      return name === undefined ? EXIT_USAGE : 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`operon ${VERSION}`);
      return 0;
    }
    const entry = commands[name];
    if (!entry) throw usageError(`unknown command '${name}'. Run 'operon help' for the list of commands.`);
    const command = await entry.load();
    if (args.includes('--help') || args.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`operon: ${e.message}`);
      return e.exitCode;
    }
    const err = e as Error;
    io.err(`operon: ${err.message}`);
    if (process.env['OPERON_DEBUG']) io.err(err.stack ?? '');
    return EXIT_FAILURE;
  }
}
