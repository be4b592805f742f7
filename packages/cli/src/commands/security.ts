/** `operon user …` and `operon key …`: users and API keys, managed directly on the database. */
import { randomBytes } from 'node:crypto';
import { OperonError } from '@operon/kernel';
import type { Credentials, KeyRecord, UserRecord } from '@operon/server';
import { CliError, EXIT_USAGE, json, parse, readStdin, table, usageError, type Command, type Io } from '../io.ts';
import { describeDatabase, loadConfigFrom } from './server.ts';

const env = `Works directly on the database 'operon start' uses (DATABASE_URL, or the
embedded PostgreSQL in OPERON_DATA_DIR, default .operon), whether or not
Operon is running; the database is migrated first, as by 'operon migrate'.`;

const roleHelp = `Roles: administrator, productManager, sales, orderManagement, networkOperations,
fieldOperations, billing, finance, partner, customer (partner and customer
need --party, the party they act for, and cannot hold other roles).`;

const userUsage = `Usage: operon user <subcommand> [options]

  user add <username> --role <r> [--role <r>] [--party <id>] [--name <display name>] [--password-stdin]
                         a random password is made and printed once unless one is piped in
  user list [--json]
  user passwd <username> [--password-stdin]
                         a new password (random and printed once, or piped in)
  user roles <username> --role <r> [--role <r>] [--party <id>]
                         replaces the user's roles
  user disable <username> [--revoke-keys]
                         the user can no longer sign in; --revoke-keys also revokes their API keys
  user enable <username>

Every subcommand takes --json for machine-readable output.

${roleHelp}

${env}`;

const keyUsage = `Usage: operon key <subcommand> [options]

  key create --name <n> --role <r> [--role <r>] [--party <id>] [--expires <when>] [--user <username>]
                         prints the secret, once; --expires takes a date (2026-12-31), a
                         date-time, or a duration from now (90d, 12h); --user ties the key
                         to a user and, without --role, gives it that user's roles
  key list [--json]
  key revoke <id>        running servers stop accepting it within seconds

Every subcommand takes --json for machine-readable output. Clients send a key
as  Authorization: Bearer <secret>  or  X-API-Key: <secret>; operon get/list
take --key or OPERON_API_KEY.

${roleHelp}

${env}`;

/** Opens the database as `operon migrate` does, runs `fn` with the credentials, closes. */
async function withCredentials<T>(fn: (c: Credentials) => Promise<T>): Promise<T> {
  const config = await loadConfigFrom();
  const server = await import('@operon/server');
  let opened: Awaited<ReturnType<typeof server.openDatabase>>;
  try {
    opened = await server.openDatabase({ ...config, dbPoolSize: 2 });
  } catch (e) {
    throw new CliError(`cannot open ${describeDatabase(config)}: ${(e as Error).message}`);
  }
  try {
    return await fn(new server.Credentials(opened.db));
  } catch (e) {
    // a wrong role or a short password is the caller's input: exit 2; unknown or duplicate names: 1
    if (e instanceof OperonError) throw new CliError(e.message, e.kind === 'badRequest' ? EXIT_USAGE : 1);
    throw e;
  } finally {
    await opened.close();
  }
}

function roleList(values: (string | undefined)[] | undefined): string[] {
  return (values ?? []).flatMap((v) => (v ?? '').split(',')).map((r) => r.trim()).filter(Boolean);
}

const randomPassword = () => randomBytes(18).toString('base64url');

async function passwordFrom(stdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  if (!stdin) return { password: randomPassword(), generated: true };
  const password = await readStdin();
  if (!password) throw usageError('--password-stdin: nothing was read from standard input');
  return { password, generated: false };
}

const date = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/:\d\d\.\d+Z$|:\d\dZ$/, 'Z') : '');

function usersTable(users: readonly UserRecord[], io: Io): string {
  if (!users.length) return 'no users';
  return table(
    ['USERNAME', 'ROLES', 'PARTY', 'STATUS', 'CREATED', 'LAST LOGIN', 'ID'],
    users.map((u) => [u.username, u.roles.join(','), u.partyId ?? '', u.status, date(u.createdAt), date(u.lastLoginAt), u.id]),
    { width: io.width },
  );
}

function keyStatus(k: KeyRecord): string {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

function keysTable(keys: readonly KeyRecord[], users: readonly UserRecord[], io: Io): string {
  if (!keys.length) return 'no API keys';
  const names = new Map(users.map((u) => [u.id, u.username]));
  return table(
    ['ID', 'NAME', 'ROLES', 'PARTY', 'USER', 'STATUS', 'EXPIRES', 'LAST USED', 'CREATED'],
    keys.map((k) => [k.id, k.name, k.roles.join(','), k.partyId ?? '', k.userId ? (names.get(k.userId) ?? k.userId) : '', keyStatus(k), date(k.expiresAt), date(k.lastUsedAt), date(k.createdAt)]),
    { width: io.width },
  );
}

/** `2026-12-31`, an ISO date-time, or `90d` / `12h` / `30m` from now. */
export function parseExpiry(v: string, now = Date.now()): string {
  const rel = /^(\d+)\s*([dhm])$/.exec(v.trim());
  if (rel) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return new Date(now + Number(rel[1]) * unit).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) {
    throw usageError(`--expires takes a date (2026-12-31), a date-time (2026-12-31T18:00:00Z) or a duration (90d, 12h), not '${v}'`);
  }
  const t = Date.parse(v.trim().replace(' ', 'T'));
  if (Number.isNaN(t)) throw usageError(`--expires: '${v}' is not a valid date`);
  return new Date(t).toISOString();
}

function one(positionals: string[], what: string, usage: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw usageError(`${what} is missing\n\n${usage}`);
  if (extra.length) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  return value;
}

const shownOnce = 'It is shown only now: Operon keeps only a hash of it. Store it somewhere safe.';

export const userCommand: Command = {
  usage: userUsage,
  async run(args, io) {
    const [sub, ...rest] = args;
    const usage = userUsage;
    switch (sub) {
      case 'add': {
        const { values, positionals } = parse(rest, {
          role: { type: 'string', multiple: true }, party: { type: 'string' }, name: { type: 'string' },
          'password-stdin': { type: 'boolean' }, json: { type: 'boolean' },
        }, usage);
        const username = one(positionals, 'the username', usage);
        const roles = roleList(values.role);
        if (!roles.length) throw usageError(`user add needs at least one --role\n\n${roleHelp}`);
        const { password, generated } = await passwordFrom(values['password-stdin']);
        const user = await withCredentials((c) =>
          c.createUser({ username, roles, password, ...(values.party ? { partyId: values.party } : {}), ...(values.name ? { displayName: values.name } : {}) }));
        if (values.json) io.out(json({ user, ...(generated ? { password } : {}) }));
        else {
          io.out(`created user ${user.username} (${user.roles.join(', ')}${user.partyId ? `, party ${user.partyId}` : ''})`);
          if (generated) io.out(`password  ${password}\n${shownOnce}`);
        }
        return 0;
      }
      case 'list': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, usage);
        if (positionals.length) throw usageError(`user list takes no arguments`);
        const users = await withCredentials((c) => c.listUsers());
        io.out(values.json ? json(users) : usersTable(users, io));
        return 0;
      }
      case 'passwd': {
        const { values, positionals } = parse(rest, { 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' } }, usage);
        const username = one(positionals, 'the username', usage);
        const { password, generated } = await passwordFrom(values['password-stdin']);
        const user = await withCredentials((c) => c.updateUser(username, { password }));
        if (values.json) io.out(json({ user, ...(generated ? { password } : {}) }));
        else {
          io.out(`changed the password of ${user.username}`);
          if (generated) io.out(`password  ${password}\n${shownOnce}`);
        }
        return 0;
      }
      case 'roles': {
        const { values, positionals } = parse(rest, { role: { type: 'string', multiple: true }, party: { type: 'string' }, json: { type: 'boolean' } }, usage);
        const username = one(positionals, 'the username', usage);
        const roles = roleList(values.role);
        if (!roles.length) throw usageError(`user roles needs at least one --role (they replace the user's roles)\n\n${roleHelp}`);
        const user = await withCredentials((c) => c.updateUser(username, { roles, ...(values.party !== undefined ? { partyId: values.party || null } : {}) }));
        io.out(values.json ? json(user) : `${user.username} now has the roles ${user.roles.join(', ')}${user.partyId ? ` (party ${user.partyId})` : ''}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' }, ...(sub === 'disable' ? { 'revoke-keys': { type: 'boolean' as const } } : {}) }, usage);
        const username = one(positionals, 'the username', usage);
        const revokeKeys = sub === 'disable' && (values as { 'revoke-keys'?: boolean })['revoke-keys'] === true;
        const r = await withCredentials(async (c) => {
          const user = await c.updateUser(username, { status: sub === 'disable' ? 'disabled' : 'active' });
          const keys = (await c.listKeys()).filter((k) => k.userId === user.id && keyStatus(k) === 'active');
          const revoked = revokeKeys ? await Promise.all(keys.map((k) => c.revokeKey(k.id))) : [];
          return { user, activeKeys: revokeKeys ? [] : keys, revoked };
        });
        if (values.json) {
          io.out(json({ user: r.user, revokedKeys: r.revoked.map((k) => k.id), activeKeys: r.activeKeys.map((k) => k.id) }));
          return 0;
        }
        io.out(`${r.user.username} is ${r.user.status === 'disabled' ? 'disabled: they can no longer sign in' : 'enabled'}`);
        if (r.revoked.length) io.out(`revoked their API keys: ${r.revoked.map((k) => k.id).join(', ')}`);
        if (sub === 'disable' && r.activeKeys.length) {
          io.out(`their API keys still work: ${r.activeKeys.map((k) => `${k.id} (${k.name})`).join(', ')}; revoke them with operon key revoke <id>, or run this with --revoke-keys`);
        }
        return 0;
      }
      case undefined:
        throw usageError(`user needs a subcommand\n\n${usage}`);
      default:
        throw usageError(`unknown subcommand 'user ${sub}'\n\n${usage}`);
    }
  },
};

export const keyCommand: Command = {
  usage: keyUsage,
  async run(args, io) {
    const [sub, ...rest] = args;
    const usage = keyUsage;
    switch (sub) {
      case 'create': {
        const { values, positionals } = parse(rest, {
          name: { type: 'string' }, role: { type: 'string', multiple: true }, party: { type: 'string' }, expires: { type: 'string' },
          user: { type: 'string' }, json: { type: 'boolean' },
        }, usage);
        if (positionals.length) throw usageError(`unexpected arguments: ${positionals.join(' ')} (the name goes in --name)`);
        if (!values.name) throw usageError(`key create needs --name (what the key is for, e.g. --name billing-export)\n\n${usage}`);
        const roles = roleList(values.role);
        if (!roles.length && !values.user) throw usageError(`key create needs at least one --role (or --user, whose roles it then takes)\n\n${roleHelp}`);
        const expiresAt = values.expires === undefined ? undefined : parseExpiry(values.expires);
        const name = values.name;
        const { key, secret } = await withCredentials(async (c) => {
          const owner = values.user ? await c.getUser(values.user) : undefined;
          const partyId = values.party ?? (roles.length ? undefined : owner?.partyId ?? undefined);
          return c.createKey({
            name, roles: roles.length ? roles : owner!.roles, ...(partyId ? { partyId } : {}),
            ...(owner ? { userId: owner.id } : {}), ...(expiresAt ? { expiresAt } : {}),
          });
        });
        if (values.json) {
          io.out(json({ ...key, secret }));
          io.err(`The secret is shown only now: Operon keeps only a hash of it.`);
          return 0;
        }
        io.out(`created API key ${key.id} '${key.name}' (${key.roles.join(', ')}${key.partyId ? `, party ${key.partyId}` : ''}; ${key.expiresAt ? `expires ${key.expiresAt}` : 'does not expire'})`);
        io.out(`secret  ${secret}`);
        io.out(`\nWARNING: this secret is shown only now; Operon keeps only a hash of it and cannot show it again.`);
        io.out(`Store it somewhere safe. Clients send it as  Authorization: Bearer <secret>  (or X-API-Key);`);
        io.out(`operon get/list take it as --key or OPERON_API_KEY.`);
        return 0;
      }
      case 'list': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, usage);
        if (positionals.length) throw usageError(`key list takes no arguments`);
        const { keys, users } = await withCredentials(async (c) => ({ keys: await c.listKeys(), users: await c.listUsers() }));
        io.out(values.json ? json(keys) : keysTable(keys, users, io));
        return 0;
      }
      case 'revoke': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, usage);
        const id = one(positionals, 'the key id (see operon key list)', usage);
        const key = await withCredentials((c) => c.revokeKey(id));
        io.out(values.json ? json(key) : `revoked API key ${key.id} '${key.name}'; running servers stop accepting it within seconds`);
        return 0;
      }
      case undefined:
        throw usageError(`key needs a subcommand\n\n${usage}`);
      default:
        throw usageError(`unknown subcommand 'key ${sub}'\n\n${usage}`);
    }
  },
};
