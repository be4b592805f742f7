import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { OperonError, badRequest } from '@operon/kernel';
import type { Database } from '@operon/store';
import { ErrorBody } from '@operon/tmf';
import { userPrincipal, type Credentials } from './credentials.ts';
import { ROLES } from './roles.ts';
import type { Tokens } from './tokens.ts';

const docOnly = () => () => true;
const tags = ['Operations: security'];

function obj(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function str(v: unknown, field: string, required = true): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw badRequest(`${field} is required`, field);
    return undefined;
  }
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`, field);
  return v;
}

function roleList(v: unknown, required: boolean): string[] | undefined {
  if (v === undefined && !required) return undefined;
  if (!Array.isArray(v) || v.some((r) => typeof r !== 'string')) throw badRequest('roles must be a list of role names', 'roles');
  return v as string[];
}

const int = (v: unknown, name: string, d: number, max: number) => {
  if (v === undefined) return d;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw badRequest(`${name} must be a non-negative integer below 1,000,000,000`, name);
  return Math.min(max, Number(v));
};

/** Sign-in, the caller's identity, users and keys (administrators), and the audit trail. */
export function securityRoutes(app: FastifyInstance, deps: { db: Database; credentials: Credentials; tokens: Tokens; tokenTtlSeconds: number }): void {
  const { credentials, tokens } = deps;

  // the OAuth2 password grant also arrives form-encoded
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post('/auth/token', {
    config: { access: 'public' },
    validatorCompiler: docOnly,
    schema: {
      tags, summary: 'Sign in with a username and password; answers a bearer token (JSON, or the OAuth2 password grant form)',
      body: Type.Object({ username: Type.String(), password: Type.String() }),
      response: { 200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer() }), 401: ErrorBody },
    },
  }, async (req) => {
    const b = obj(req.body);
    if (b['grant_type'] !== undefined && b['grant_type'] !== 'password') throw badRequest('only the password grant is served', 'grant_type');
    const username = str(b['username'], 'username')!;
    const password = str(b['password'], 'password')!;
    const user = await credentials.checkPassword(username, password);
    if (!user) throw new OperonError('unauthorized', 'wrong username or password, or the user is disabled', { headers: { 'WWW-Authenticate': 'Bearer realm="operon"' } });
    const token = await tokens.issue(userPrincipal(user), user.id, deps.tokenTtlSeconds);
    return { access_token: token, token_type: 'Bearer' as const, expires_in: deps.tokenTtlSeconds };
  });

  app.get('/auth/jwks', {
    config: { access: 'public' },
    schema: { tags, summary: "Public keys of Operon's own tokens (JWKS), for services that verify them" },
  }, async () => tokens.publicJwks());

  app.get('/auth/me', {
    config: { access: { area: 'self', action: 'read' } },
    schema: { tags, summary: 'Who the caller is: id, name, roles and the party it is confined to' },
  }, async (req) => {
    const p = req.ctx.principal!;
    return { id: p.id, name: p.name ?? null, roles: p.roles, partyId: p.partyId ?? null, roleDescriptions: p.roles.map((r) => ROLES[r as keyof typeof ROLES] ?? r) };
  });

  const users = '/ops/security/users';
  app.get(users, { config: { access: { area: 'ops.security', action: 'read' } }, schema: { tags, summary: 'Users' } }, async () => credentials.listUsers());
  app.get(`${users}/:id`, { config: { access: { area: 'ops.security', action: 'read' } }, schema: { tags, summary: 'One user, by id or username', params: Type.Object({ id: Type.String() }) } },
    async (req) => credentials.getUser((req.params as { id: string }).id));
  app.post(users, {
    config: { access: { area: 'ops.security', action: 'create' } },
    validatorCompiler: docOnly,
    schema: { tags, summary: 'Create a user', body: Type.Object({ username: Type.String(), password: Type.Optional(Type.String()), displayName: Type.Optional(Type.String()), roles: Type.Array(Type.String()), partyId: Type.Optional(Type.String()) }) },
  }, async (req, reply) => {
    const b = obj(req.body);
    const password = str(b['password'], 'password', false);
    const displayName = str(b['displayName'], 'displayName', false);
    const partyId = str(b['partyId'], 'partyId', false);
    const user = await credentials.createUser({
      username: str(b['username'], 'username')!, roles: roleList(b['roles'], true)!,
      ...(password ? { password } : {}), ...(displayName ? { displayName } : {}), ...(partyId ? { partyId } : {}),
    });
    return reply.code(201).send(user);
  });
  app.patch(`${users}/:id`, {
    config: { access: { area: 'ops.security', action: 'update' } },
    validatorCompiler: docOnly,
    schema: { tags, summary: 'Change roles, party, status, display name or password of a user', params: Type.Object({ id: Type.String() }) },
  }, async (req) => {
    const b = obj(req.body);
    const status = str(b['status'], 'status', false);
    if (status !== undefined && status !== 'active' && status !== 'disabled') throw badRequest('status is active or disabled', 'status');
    const roles = roleList(b['roles'], false);
    const password = str(b['password'], 'password', false);
    const displayName = str(b['displayName'], 'displayName', false);
    return credentials.updateUser((req.params as { id: string }).id, {
      ...(roles ? { roles } : {}), ...(status ? { status } : {}), ...(password ? { password } : {}), ...(displayName ? { displayName } : {}),
      ...('partyId' in b ? { partyId: b['partyId'] === null ? null : str(b['partyId'], 'partyId')! } : {}),
    });
  });
  app.delete(`${users}/:id`, {
    config: { access: { area: 'ops.security', action: 'delete' } },
    schema: { tags, summary: 'Disable a user (users are kept: the audit trail names them)', params: Type.Object({ id: Type.String() }) },
  }, async (req, reply) => {
    await credentials.updateUser((req.params as { id: string }).id, { status: 'disabled' });
    return reply.code(204).send();
  });

  const keys = '/ops/security/keys';
  app.get(keys, { config: { access: { area: 'ops.security', action: 'read' } }, schema: { tags, summary: 'API keys (never their secrets)' } }, async () => credentials.listKeys());
  app.post(keys, {
    config: { access: { area: 'ops.security', action: 'create' } },
    validatorCompiler: docOnly,
    schema: { tags, summary: 'Create an API key; the answer carries its secret, shown this once', body: Type.Object({ name: Type.String(), roles: Type.Array(Type.String()), partyId: Type.Optional(Type.String()), expiresAt: Type.Optional(Type.String({ format: 'date-time' })) }) },
  }, async (req, reply) => {
    const b = obj(req.body);
    const partyId = str(b['partyId'], 'partyId', false);
    const expiresAt = str(b['expiresAt'], 'expiresAt', false);
    const r = await credentials.createKey({ name: str(b['name'], 'name')!, roles: roleList(b['roles'], true)!, ...(partyId ? { partyId } : {}), ...(expiresAt ? { expiresAt } : {}) });
    return reply.code(201).send({ ...r.key, secret: r.secret });
  });
  app.delete(`${keys}/:id`, {
    config: { access: { area: 'ops.security', action: 'delete' } },
    schema: { tags, summary: 'Revoke an API key', params: Type.Object({ id: Type.String() }) },
  }, async (req, reply) => {
    await credentials.revokeKey((req.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.get('/ops/audit', {
    config: { access: { area: 'ops.audit', action: 'read' } },
    validatorCompiler: docOnly,
    schema: {
      tags: ['Operations: audit'],
      summary: 'The audit trail, newest first: by resource (resourceType, resourceId), by principal, by period (from, to)',
      querystring: Type.Object({
        resourceType: Type.Optional(Type.String()), resourceId: Type.Optional(Type.String()), principal: Type.Optional(Type.String()),
        action: Type.Optional(Type.String()), from: Type.Optional(Type.String()), to: Type.Optional(Type.String()),
        offset: Type.Optional(Type.String()), limit: Type.Optional(Type.String()),
      }),
    },
  }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [k, col] of [['resourceType', 'resource_type'], ['resourceId', 'resource_id'], ['principal', 'principal_id'], ['action', 'action']] as const) {
      if (q[k] !== undefined) where.push(`${col} = $${params.push(str(q[k], k))}`);
    }
    for (const [k, op] of [['from', '>='], ['to', '<']] as const) {
      if (q[k] === undefined) continue;
      const t = Date.parse(String(q[k]));
      // PostgreSQL keeps years 4713 BC to 294276 AD; JavaScript parses far wider: years 1 to 9999 are asked for
      const year = new Date(t).getUTCFullYear();
      if (Number.isNaN(t) || year < 1 || year > 9999) throw badRequest(`${k} must be a date-time between the years 1 and 9999`, k);
      where.push(`at ${op} $${params.push(new Date(t))}`);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = int(q['limit'], 'limit', 100, 1000);
    const offset = int(q['offset'], 'offset', 0, Number.MAX_SAFE_INTEGER);
    const total = (await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${w}`, params)).rows[0]?.n ?? 0;
    const rows = (await deps.db.query(
      `SELECT seq, at, principal_id, principal_name, roles, action, api, resource_type, resource_id, version,
              operon_audit_before(before, after, undo) AS before, after, correlation_id
         FROM audit_log ${w} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    )).rows;
    const items = rows.map((r) => ({
      seq: r['seq'], at: (r['at'] as Date).toISOString(), principal: { id: r['principal_id'], name: r['principal_name'], roles: r['roles'] },
      action: r['action'], api: r['api'], resourceType: r['resource_type'], resourceId: r['resource_id'], version: r['version'],
      before: r['before'], after: r['after'], correlationId: r['correlation_id'],
    }));
    return reply.code(offset > 0 || items.length < total ? 206 : 200).header('X-Total-Count', String(total)).header('X-Result-Count', String(items.length)).send(items);
  });
}
