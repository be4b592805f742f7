import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { OperonError, badRequest, newId, notFound, type Principal } from '@operon/kernel';
import type { Database, Queryable } from '@operon/store';
import { PARTY_CONFINED_ROLES, ROLE_NAMES, isRole, type Role } from './roles.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };

/** `scrypt$N$r$p$salt$hash`, all base64url: self-describing, so the cost can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const API_KEY_PREFIX = 'opk_';
const KEY_PATTERN = /^opk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface UserInput {
  username: string;
  password?: string;
  displayName?: string;
  roles: readonly string[];
  partyId?: string;
}

export interface UserRecord {
  id: string;
  username: string;
  displayName: string | null;
  roles: Role[];
  partyId: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  lastLoginAt: string | null;
}

export interface KeyRecord {
  id: string;
  name: string;
  userId: string | null;
  roles: Role[];
  partyId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function checkRoles(roles: readonly string[], partyId: string | undefined | null): Role[] {
  if (!Array.isArray(roles) || roles.length === 0) throw badRequest('at least one role is needed', 'roles');
  for (const r of roles) {
    if (!isRole(r)) throw badRequest(`'${String(r)}' is not a role; roles are ${ROLE_NAMES.join(', ')}`, 'roles');
  }
  const confined = roles.filter((r) => PARTY_CONFINED_ROLES.includes(r as Role));
  if (confined.length && !partyId) throw badRequest(`the ${confined.join(' and ')} role needs the party it acts for (partyId)`, 'partyId');
  if (confined.length && confined.length !== roles.length) {
    throw badRequest('a partner or customer credential cannot also hold staff roles', 'roles');
  }
  return [...new Set(roles)] as Role[];
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < 12) throw badRequest('a password needs at least 12 characters', 'password');
}

const toUser = (r: Record<string, unknown>): UserRecord => ({
  id: String(r['id']), username: String(r['username']), displayName: (r['display_name'] as string | null) ?? null,
  roles: r['roles'] as Role[], partyId: (r['party_id'] as string | null) ?? null, status: r['status'] as 'active' | 'disabled',
  createdAt: (r['created_at'] as Date).toISOString(), lastLoginAt: r['last_login_at'] ? (r['last_login_at'] as Date).toISOString() : null,
});

const toKey = (r: Record<string, unknown>): KeyRecord => ({
  id: String(r['id']), name: String(r['name']), userId: (r['user_id'] as string | null) ?? null, roles: r['roles'] as Role[],
  partyId: (r['party_id'] as string | null) ?? null, createdAt: (r['created_at'] as Date).toISOString(),
  expiresAt: r['expires_at'] ? (r['expires_at'] as Date).toISOString() : null,
  revokedAt: r['revoked_at'] ? (r['revoked_at'] as Date).toISOString() : null,
  lastUsedAt: r['last_used_at'] ? (r['last_used_at'] as Date).toISOString() : null,
});

export function userPrincipal(u: UserRecord): Principal {
  return { id: `user:${u.id}`, name: u.username, roles: u.roles, ...(u.partyId ? { partyId: u.partyId } : {}) };
}

export function keyPrincipal(k: KeyRecord): Principal {
  return { id: `key:${k.id}`, name: k.name, roles: k.roles, ...(k.partyId ? { partyId: k.partyId } : {}) };
}

/** Users and API keys, as stored: passwords and key secrets only as hashes. */
export class Credentials {
  constructor(private readonly db: Database) {}

  async isEmpty(q: Queryable = this.db): Promise<boolean> {
    const r = await q.query<{ n: number }>('SELECT (SELECT count(*) FROM operon_user) + (SELECT count(*) FROM operon_api_key) AS n');
    return Number(r.rows[0]?.n ?? 0) === 0;
  }

  async createUser(input: UserInput, q: Queryable = this.db): Promise<UserRecord> {
    if (typeof input.username !== 'string' || !/^[A-Za-z0-9._@-]{3,64}$/.test(input.username)) {
      throw badRequest('a username has 3 to 64 letters, digits or . _ @ -', 'username');
    }
    const roles = checkRoles(input.roles, input.partyId);
    if (input.password !== undefined) checkPassword(input.password);
    try {
      const r = await q.query(
        `INSERT INTO operon_user (id, username, display_name, password_hash, roles, party_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [newId(), input.username, input.displayName ?? null, input.password ? await hashPassword(input.password) : null, roles, input.partyId ?? null],
      );
      return toUser(r.rows[0]!);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new OperonError('conflict', `user '${input.username}' already exists`);
      throw e;
    }
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.query('SELECT * FROM operon_user ORDER BY username')).rows.map(toUser);
  }

  async getUser(idOrName: string): Promise<UserRecord> {
    const r = await this.db.query('SELECT * FROM operon_user WHERE id = $1 OR username = $1', [idOrName]);
    if (!r.rows[0]) throw notFound('User', idOrName);
    return toUser(r.rows[0]);
  }

  async updateUser(idOrName: string, change: { roles?: readonly string[]; partyId?: string | null; status?: 'active' | 'disabled'; password?: string; displayName?: string }): Promise<UserRecord> {
    const u = await this.getUser(idOrName);
    const partyId = change.partyId === undefined ? u.partyId : change.partyId;
    const roles = change.roles ? checkRoles(change.roles, partyId) : checkRoles(u.roles, partyId);
    if (change.status !== undefined && change.status !== 'active' && change.status !== 'disabled') throw badRequest('status is active or disabled', 'status');
    if (change.password !== undefined) checkPassword(change.password);
    const r = await this.db.query(
      `UPDATE operon_user SET roles = $2, party_id = $3, status = coalesce($4, status), display_name = coalesce($5, display_name),
              password_hash = coalesce($6, password_hash), updated_at = now() WHERE id = $1 RETURNING *`,
      [u.id, roles, partyId, change.status ?? null, change.displayName ?? null, change.password ? await hashPassword(change.password) : null],
    );
    return toUser(r.rows[0]!);
  }

  /** The user behind a username and password, or undefined (never says which of the two was wrong). */
  async checkPassword(username: string, password: string): Promise<UserRecord | undefined> {
    const r = await this.db.query('SELECT * FROM operon_user WHERE username = $1', [username]);
    const row = r.rows[0];
    // compare against a fixed hash when the user is unknown, so timing does not reveal which usernames exist
    const stored = typeof row?.['password_hash'] === 'string' ? (row['password_hash'] as string) : DUMMY_HASH;
    const ok = await verifyPassword(password, stored);
    if (!row || !ok || row['status'] !== 'active') return undefined;
    await this.db.query('UPDATE operon_user SET last_login_at = now() WHERE id = $1', [row['id']]);
    return toUser(row);
  }

  /** Creates a key; the returned `secret` is the only time it is ever shown. */
  async createKey(input: { name: string; roles: readonly string[]; partyId?: string; userId?: string; expiresAt?: string }, q: Queryable = this.db): Promise<{ key: KeyRecord; secret: string }> {
    if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 100) throw badRequest('a key needs a name (up to 100 characters)', 'name');
    const roles = checkRoles(input.roles, input.partyId);
    let expires: Date | null = null;
    if (input.expiresAt !== undefined) {
      expires = new Date(input.expiresAt);
      if (Number.isNaN(expires.getTime())) throw badRequest('expiresAt must be a date-time', 'expiresAt');
      if (expires.getTime() <= Date.now()) throw badRequest('expiresAt must be in the future', 'expiresAt');
    }
    const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x').slice(0, 12).padEnd(12, 'x');
    const secretPart = randomBytes(32).toString('base64url');
    const r = await q.query(
      `INSERT INTO operon_api_key (id, secret_hash, name, user_id, roles, party_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [id, sha256(secretPart), input.name.trim(), input.userId ?? null, roles, input.partyId ?? null, expires],
    );
    return { key: toKey(r.rows[0]!), secret: `${API_KEY_PREFIX}${id}_${secretPart}` };
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (await this.db.query('SELECT * FROM operon_api_key ORDER BY created_at, id')).rows.map(toKey);
  }

  async revokeKey(id: string): Promise<KeyRecord> {
    const r = await this.db.query('UPDATE operon_api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *', [id]);
    if (!r.rows[0]) throw notFound('ApiKey', id);
    return toKey(r.rows[0]);
  }

  /** The key a presented secret belongs to, if it is valid now. */
  async checkKey(presented: string): Promise<KeyRecord | undefined> {
    const m = KEY_PATTERN.exec(presented);
    if (!m) return undefined;
    const r = await this.db.query('SELECT * FROM operon_api_key WHERE id = $1', [m[1]]);
    const row = r.rows[0];
    if (!row) return undefined;
    const expected = Buffer.from(String(row['secret_hash']), 'hex');
    const actual = Buffer.from(sha256(m[2]!), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    const key = toKey(row);
    if (key.revokedAt || (key.expiresAt && Date.parse(key.expiresAt) <= Date.now())) return undefined;
    return key;
  }

  async touchKey(id: string): Promise<void> {
    await this.db.query('UPDATE operon_api_key SET last_used_at = now() WHERE id = $1', [id]);
  }
}

// a valid hash of a random password, compared against when a username does not exist
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$K7gNU3sdo-OL0wNhqoVWhr3g6s1xYv72ol_pe_Unols';
