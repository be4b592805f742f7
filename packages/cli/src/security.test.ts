import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials, type KeyRecord, type UserRecord } from '@operon/server';
import { Database } from '@operon/store';
import { createEmptyDatabase } from '@operon/store/testing';
import { operon } from './testing/run-cli.ts';

let url: string;
let db: Database;
let credentials: Credentials;
let drop: () => Promise<void>;

beforeAll(async () => {
  const d = await createEmptyDatabase();
  url = d.url;
  drop = d.drop;
});
afterAll(async () => {
  await db?.close();
  await drop?.();
});

const cli = (args: string[], input?: string) => operon(args, { DATABASE_URL: url }, input === undefined ? {} : { input });

/** Opened after the first command has migrated the database. */
function creds(): Credentials {
  db ??= new Database({ url, max: 2 });
  credentials ??= new Credentials(db);
  return credentials;
}

describe('operon user', () => {
  it('adds users with a random password shown once, or one read from stdin, and lists them', async () => {
    const add = await cli(['user', 'add', 'alice', '--role', 'sales', '--role', 'billing', '--name', 'Alice Liddell']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^created user alice \(sales, billing\)$/m);
    const password = /^password {2}(\S+)$/m.exec(add.stdout)?.[1];
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(add.stdout).toMatch(/shown only now/);
    expect(await creds().checkPassword('alice', password!)).toMatchObject({ username: 'alice', roles: ['sales', 'billing'] });

    const piped = await cli(['user', 'add', 'bob', '--role', 'partner', '--party', 'party-42', '--password-stdin'], 'correct horse battery staple\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/created user bob \(partner, party party-42\)/);
    expect(piped.stdout).not.toMatch(/password/);
    expect(await creds().checkPassword('bob', 'correct horse battery staple')).toMatchObject({ partyId: 'party-42' });

    const list = await cli(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^USERNAME\s+ROLES\s+PARTY\s+STATUS\s+CREATED\s+LAST LOGIN\s+ID$/m);
    expect(list.stdout).toMatch(/^alice\s+sales,billing\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d{4}-\d\d-\d\d/m);
    expect(list.stdout).toMatch(/^bob\s+partner\s+party-42\s+active/m);
    expect(list.stdout).not.toContain('scrypt');
    const json = JSON.parse((await cli(['user', 'list', '--json'])).stdout) as UserRecord[];
    expect(json.map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(json[0]).toMatchObject({ displayName: 'Alice Liddell', status: 'active' });
    expect(JSON.stringify(json)).not.toMatch(/password|hash/i);
  });

  it('refuses wrong input (exit 2) and duplicates or unknown users (exit 1)', async () => {
    const badRole = await cli(['user', 'add', 'carol', '--role', 'wizard']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/'wizard' is not a role; roles are administrator, /);
    const noParty = await cli(['user', 'add', 'carol', '--role', 'customer']);
    expect(noParty.code).toBe(2);
    expect(noParty.stderr).toMatch(/customer role needs the party/);
    const noRole = await cli(['user', 'add', 'carol']);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toMatch(/needs at least one --role/);
    const short = await cli(['user', 'add', 'carol', '--role', 'sales', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const dup = await cli(['user', 'add', 'alice', '--role', 'sales']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/user 'alice' already exists/);
    const unknown = await cli(['user', 'passwd', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/nobody not found/);
    const sub = await cli(['user', 'frob']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/unknown subcommand 'user frob'/);
    expect((await creds().listUsers()).map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it('changes passwords and roles, disables and enables', async () => {
    const passwd = await cli(['user', 'passwd', 'alice', '--password-stdin'], 'a brand new password');
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toMatch(/changed the password of alice/);
    expect(await creds().checkPassword('alice', 'a brand new password')).toBeDefined();
    const random = await cli(['user', 'passwd', 'alice', '--json']);
    const fresh = (JSON.parse(random.stdout) as { password: string }).password;
    expect(await creds().checkPassword('alice', 'a brand new password')).toBeUndefined();
    expect(await creds().checkPassword('alice', fresh)).toBeDefined();

    const roles = await cli(['user', 'roles', 'alice', '--role', 'finance,productManager']);
    expect(roles.code).toBe(0);
    expect(roles.stdout).toMatch(/alice now has the roles finance, productManager/);
    expect((await creds().getUser('alice')).roles).toEqual(['finance', 'productManager']);

    const key = await creds().createKey({ name: 'alice laptop', roles: ['finance'], userId: (await creds().getUser('alice')).id });
    const disable = await cli(['user', 'disable', 'alice']);
    expect(disable.code).toBe(0);
    expect(disable.stdout).toMatch(/alice is disabled: they can no longer sign in/);
    expect(disable.stdout).toContain(`their API keys still work: ${key.key.id} (alice laptop)`);
    expect(await creds().checkPassword('alice', fresh)).toBeUndefined();
    const enable = await cli(['user', 'enable', 'alice']);
    expect(enable.stdout).toMatch(/alice is enabled/);
    expect(await creds().checkPassword('alice', fresh)).toBeDefined();
    const revoking = await cli(['user', 'disable', 'alice', '--revoke-keys', '--json']);
    expect(JSON.parse(revoking.stdout)).toMatchObject({ user: { status: 'disabled' }, revokedKeys: [key.key.id] });
    expect(await creds().checkKey(key.secret)).toBeUndefined();
  });
});

describe('operon key', () => {
  it('creates a key whose secret is shown once with a warning, lists keys without secrets, revokes', async () => {
    const create = await cli(['key', 'create', '--name', 'ci pipeline', '--role', 'productManager', '--expires', '30d']);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const secret = /^secret {2}(opk_\S+)$/m.exec(create.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(create.stdout).toMatch(/WARNING: this secret is shown only now/);
    const id = /created API key (\w+) 'ci pipeline' \(productManager; expires \d{4}-/.exec(create.stdout)?.[1];
    expect(id).toBeDefined();
    const valid = await creds().checkKey(secret!);
    expect(valid).toMatchObject({ id, name: 'ci pipeline', roles: ['productManager'] });
    expect(Date.parse(valid!.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    // tied to a user, a key takes the user's roles and party when none are given
    const bound = await cli(['key', 'create', '--name', 'bob portal', '--user', 'bob', '--json']);
    expect(bound.code).toBe(0);
    expect(bound.stderr).toMatch(/shown only now/);
    const boundKey = JSON.parse(bound.stdout) as KeyRecord & { secret: string };
    expect(boundKey).toMatchObject({ roles: ['partner'], partyId: 'party-42', userId: (await creds().getUser('bob')).id });
    expect(await creds().checkKey(boundKey.secret)).toBeDefined();

    const list = await cli(['key', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLES\s+PARTY\s+USER\s+STATUS\s+EXPIRES\s+LAST USED\s+CREATED$/m);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+ci pipeline\\s+productManager\\s+active\\s+\\d{4}-`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${boundKey.id}\\s+bob portal\\s+partner\\s+party-42\\s+bob\\s+active`, 'm'));
    expect(list.stdout).toMatch(/revoked/); // alice's, from --revoke-keys
    expect(list.stdout).not.toContain(secret!.slice(17));
    expect((await cli(['key', 'list', '--json'])).stdout).not.toMatch(/secret/i);

    const revoke = await cli(['key', 'revoke', id!]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(new RegExp(`revoked API key ${id} 'ci pipeline'`));
    expect(await creds().checkKey(secret!)).toBeUndefined();
    expect((await cli(['key', 'list'])).stdout).toMatch(new RegExp(`^${id}\\s+ci pipeline\\s+productManager\\s+revoked`, 'm'));
  });

  it('refuses a key without a name or role, with a bad expiry, and unknown ids', async () => {
    const noName = await cli(['key', 'create', '--role', 'sales']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/needs --name/);
    const noRole = await cli(['key', 'create', '--name', 'x']);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toMatch(/at least one --role/);
    const badDate = await cli(['key', 'create', '--name', 'x', '--role', 'sales', '--expires', 'next tuesday']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--expires takes a date/);
    const past = await cli(['key', 'create', '--name', 'x', '--role', 'sales', '--expires', '2001-01-01']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/must be in the future/);
    const unknown = await cli(['key', 'revoke', 'nokeyatall00']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/nokeyatall00 not found/);
  });
});
