import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { badRequest, notFound, type RequestContext } from '@operon/kernel';
import { ErrorBody, project } from '@operon/tmf';
import type { Credentials, KeyRecord, UserRecord } from './credentials.ts';
import { ACTIONS, PERMISSIONS } from './permissions.ts';
import { ROLE_NAMES, ROLES, type Role } from './roles.ts';

/**
 * TMF672 User Role Permission, read-only: a UserRole per Operon role with its
 * entitlements (the permission table's area and action pairs), and a
 * Permission per user and API key (whom it is for, since when and until when,
 * the roles it holds and the party it is confined to). Changes go through
 * /ops/security and the `operon user` / `operon key` commands.
 */
export const TMF672_BASE = '/tmf-api/rolesAndPermissionsManagement/v5';

type Doc = Record<string, unknown>;

function entitlements(role: Role): Doc[] {
  const out: Doc[] = [];
  for (const [area, actions] of Object.entries(PERMISSIONS)) {
    for (const action of ACTIONS) {
      if (actions[action]?.includes(role)) out.push({ id: `${area}:${action}`, function: area, action, '@type': 'Entitlement' });
    }
  }
  return out;
}

function userRole(ctx: RequestContext, role: Role): Doc {
  return {
    id: role,
    href: `${ctx.baseUrl}${TMF672_BASE}/userRole/${role}`,
    '@type': 'UserRole',
    involvementRole: ROLES[role],
    entitlement: entitlements(role),
  };
}

function permission(ctx: RequestContext, kind: 'user' | 'key', rec: UserRecord | KeyRecord): Doc {
  const id = `${kind}:${rec.id}`;
  const end = kind === 'key' ? ((rec as KeyRecord).revokedAt ?? (rec as KeyRecord).expiresAt) : (rec as UserRecord).status === 'disabled' ? new Date(0).toISOString() : null;
  const name = kind === 'user' ? (rec as UserRecord).username : (rec as KeyRecord).name;
  return {
    id,
    href: `${ctx.baseUrl}${TMF672_BASE}/permission/${encodeURIComponent(id)}`,
    '@type': 'Permission',
    creationDate: rec.createdAt,
    description: `${kind === 'user' ? 'User' : 'API key'} ${name}: ${rec.roles.join(', ')}${rec.partyId ? `, confined to party ${rec.partyId}` : ''}`,
    user: { id: rec.id, name, '@referredType': kind === 'user' ? 'User' : 'ApiKey' },
    validFor: { startDateTime: rec.createdAt, ...(end ? { endDateTime: end } : {}) },
    assetUserRole: rec.roles.map((role) => ({
      '@type': 'AssetUserRole',
      userRole: { id: role, href: `${ctx.baseUrl}${TMF672_BASE}/userRole/${role}`, '@referredType': 'UserRole' },
      // a confined credential's asset is its party; a staff credential's is the whole operator
      manageableAsset: rec.partyId ? { id: rec.partyId, '@referredType': 'Party' } : { id: 'operator', name: 'All of the operator\'s data', '@referredType': 'Organization' },
    })),
  };
}

function listReply(req: FastifyRequest, reply: FastifyReply, items: Doc[]) {
  const q = req.query as Record<string, unknown>;
  const num = (k: string, d: number) => {
    const v = q[k];
    if (v === undefined) return d;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw badRequest(`${k} must be a non-negative integer below 1,000,000,000`, k);
    return Number(v);
  };
  let filtered = items;
  for (const [k, v] of Object.entries(q)) {
    if (['fields', 'offset', 'limit', 'sort'].includes(k)) continue;
    if (!items.length || !(k in items[0]!)) throw badRequest(`'${k}' is not an attribute of this resource`, k);
    const wanted = String(v).split(',');
    filtered = filtered.filter((d) => wanted.includes(String(d[k])));
  }
  const offset = num('offset', 0);
  const limit = num('limit', 1000);
  const page = filtered.slice(offset, offset + limit);
  const fields = typeof q['fields'] === 'string' && q['fields'] ? q['fields'].split(',').map((f) => f.trim().split('.')) : undefined;
  return reply
    .code(offset > 0 || page.length < filtered.length ? 206 : 200)
    .header('X-Total-Count', String(filtered.length))
    .header('X-Result-Count', String(page.length))
    .send(page.map((d) => project(d, fields)));
}

export function tmf672Routes(app: FastifyInstance, credentials: Credentials): void {
  const tags = ['TMF672 User Role Permission (read)'];
  const config = { access: { area: 'userRolePermission', action: 'read' as const } };
  const docOnly = () => () => true;

  app.get(`${TMF672_BASE}/userRole`, { config, validatorCompiler: docOnly, schema: { tags, summary: 'Roles and their entitlements', querystring: Type.Object({ fields: Type.Optional(Type.String()) }, { additionalProperties: true }) } },
    async (req, reply) => listReply(req, reply, ROLE_NAMES.map((r) => userRole(req.ctx, r))));
  app.get(`${TMF672_BASE}/userRole/:id`, { config, schema: { tags, summary: 'One role', params: Type.Object({ id: Type.String() }), response: { 404: ErrorBody } } }, async (req) => {
    const { id } = req.params as { id: string };
    if (!(ROLE_NAMES as string[]).includes(id)) throw notFound('UserRole', id);
    return userRole(req.ctx, id as Role);
  });
  const permissions = async (ctx: RequestContext) => [
    ...(await credentials.listUsers()).map((u) => permission(ctx, 'user', u)),
    ...(await credentials.listKeys()).map((k) => permission(ctx, 'key', k)),
  ];
  app.get(`${TMF672_BASE}/permission`, { config, validatorCompiler: docOnly, schema: { tags, summary: 'What each user and API key may do', querystring: Type.Object({ fields: Type.Optional(Type.String()) }, { additionalProperties: true }) } },
    async (req, reply) => listReply(req, reply, await permissions(req.ctx)));
  app.get(`${TMF672_BASE}/permission/:id`, { config, schema: { tags, summary: 'One permission (user:<id> or key:<id>)', params: Type.Object({ id: Type.String() }), response: { 404: ErrorBody } } }, async (req) => {
    const { id } = req.params as { id: string };
    const found = (await permissions(req.ctx)).find((p) => p['id'] === id);
    if (!found) throw notFound('Permission', id);
    return found;
  });
}
