import {
  SignJWT, createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify,
  type CryptoKey, type JWK, type JWTPayload, type JWTVerifyGetKey,
} from 'jose';
import { newId, type Principal } from '@operon/kernel';
import type { Database } from '@operon/store';
import { PARTY_CONFINED_ROLES, isRole, type Role } from './roles.ts';

export const LOCAL_ISSUER = 'operon';
export const AUDIENCE = 'operon-api';
const ALG = 'ES256';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Where the provider publishes its keys; from the issuer's discovery document when unset. */
  jwksUrl?: string;
  /** Claim holding roles; dotted for nested claims (e.g. `realm_access.roles`). */
  rolesClaim: string;
  /** Claim holding the party a customer or partner acts for. */
  partyClaim: string;
  /** The provider's role names mapped to Operon's (`idp-name=operonRole`); unmapped names are used as they are. */
  roleMap: Readonly<Record<string, string>>;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), payload);
}

/**
 * Tokens: Operon signs its own (ES256, its key kept in the database so every
 * node shares it) and, when configured, accepts those of an OpenID Connect
 * provider, verified against the provider's published keys.
 */
export class Tokens {
  private signing?: { kid: string; key: CryptoKey };
  private localKeys?: JWTVerifyGetKey;
  private oidcKeys?: JWTVerifyGetKey;

  constructor(private readonly db: Database, private readonly oidc?: OidcSettings) {}

  /** Loads the signing key, creating it on first use. */
  async init(): Promise<void> {
    let row = (await this.db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      'SELECT kid, private_jwk, public_jwk FROM operon_signing_key WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    )).rows[0];
    if (!row) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const kid = newId();
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
      // two nodes starting together: the first key written wins, the other reads it
      await this.db.query(
        `INSERT INTO operon_signing_key (kid, alg, private_jwk, public_jwk)
         SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM operon_signing_key WHERE retired_at IS NULL)`,
        [kid, ALG, JSON.stringify(privateJwk), JSON.stringify(publicJwk)],
      );
      row = (await this.db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
        'SELECT kid, private_jwk, public_jwk FROM operon_signing_key WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
      )).rows[0]!;
    }
    this.signing = { kid: row.kid, key: (await importJWK(row.private_jwk, ALG)) as CryptoKey };
    const publics = (await this.db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM operon_signing_key')).rows.map((r) => r.public_jwk);
    this.localKeys = createLocalJWKSet({ keys: publics });
    if (this.oidc) this.oidcKeys = createRemoteJWKSet(new URL(this.oidc.jwksUrl ?? (await this.discoverJwks(this.oidc.issuer))));
  }

  private async discoverJwks(issuer: string): Promise<string> {
    const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`OpenID Connect discovery at ${issuer} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: string };
    if (!doc.jwks_uri) throw new Error(`the discovery document of ${issuer} has no jwks_uri`);
    return doc.jwks_uri;
  }

  /** The public keys of Operon's own tokens, as a JWKS document. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM operon_signing_key WHERE retired_at IS NULL')).rows.map((r) => r.public_jwk) };
  }

  async issue(principal: Principal, subject: string, ttlSeconds: number): Promise<string> {
    if (!this.signing) throw new Error('token service not initialised');
    return new SignJWT({ name: principal.name, roles: principal.roles, ...(principal.partyId ? { party_id: principal.partyId } : {}) })
      .setProtectedHeader({ alg: ALG, kid: this.signing.kid, typ: 'JWT' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(newId())
      .sign(this.signing.key);
  }

  /** The principal a bearer token stands for, or undefined when it is not valid (expired, forged, other audience…). */
  async verify(token: string): Promise<Principal | undefined> {
    if (this.localKeys) {
      try {
        const { payload } = await jwtVerify(token, this.localKeys, { issuer: LOCAL_ISSUER, audience: AUDIENCE, algorithms: [ALG] });
        const roles = Array.isArray(payload['roles']) ? payload['roles'].filter(isRole) : [];
        return toPrincipal(`user:${payload.sub}`, payload['name'], roles, payload['party_id']);
      } catch {
        // not one of ours: maybe the OpenID Connect provider's
      }
    }
    if (this.oidc && this.oidcKeys) {
      try {
        const { payload } = await jwtVerify(token, this.oidcKeys, { issuer: this.oidc.issuer, audience: this.oidc.audience });
        const raw = claimAt(payload, this.oidc.rolesClaim);
        const names = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
        const roles = names.map((n) => this.oidc!.roleMap[n] ?? n).filter(isRole);
        const name = payload['preferred_username'] ?? payload['email'] ?? payload.sub;
        return toPrincipal(`oidc:${payload.sub}`, name, roles, claimAt(payload, this.oidc.partyClaim));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

function toPrincipal(id: string, name: unknown, roles: Role[], party: unknown): Principal | undefined {
  const confined = roles.some((r) => PARTY_CONFINED_ROLES.includes(r));
  // a customer or partner token that does not say whose data it may see gets to see nothing
  if (confined && typeof party !== 'string') return undefined;
  return { id, ...(typeof name === 'string' ? { name } : {}), roles, ...(confined ? { partyId: party as string } : {}) };
}
