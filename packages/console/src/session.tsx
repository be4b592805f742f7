/**
 * Who is signed in: the bearer token from POST /auth/token, the identity from
 * GET /auth/me, and what the roles allow. The server enforces permissions and
 * scopes a customer's or partner's data; the console only hides what a role
 * cannot do, reading the server's own permission table so the two never differ.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, getToken, onUnauthorized, setToken } from './api.ts';
import { allows, type Action } from '../../server/src/security/permissions.ts';

export type { Action };

/** GET /auth/me */
export interface Principal {
  id: string;
  name: string | null;
  roles: string[];
  /** The party a customer or partner credential is confined to. */
  partyId: string | null;
  roleDescriptions: string[];
}

interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface Session {
  principal: Principal | null;
  roles: readonly string[];
  token: string | null;
  /** True while a stored token is being checked at start-up. */
  restoring: boolean;
  signIn(username: string, password: string): Promise<Principal>;
  signOut(): void;
  /** Whether the roles may do `action` on `area` (an area of the server's permission table, e.g. 'productCatalogManagement'). */
  can(area: string, action: Action): boolean;
  /** A customer or partner: sees only its own party's data. */
  confined: boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setTokenState] = useState<string | null>(getToken);
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [restoring, setRestoring] = useState<boolean>(() => getToken() !== null);

  const signOut = useCallback(() => {
    setToken(null);
    setTokenState(null);
    setPrincipal(null);
    setRestoring(false);
    // nothing one user saw may be shown to the next
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => onUnauthorized(signOut), [signOut]);

  // a reload keeps the token: check it is still good and learn who it is
  useEffect(() => {
    if (!restoring) return;
    let live = true;
    api<Principal>('/auth/me')
      .then((me) => live && setPrincipal(me))
      .catch(() => live && signOut())
      .finally(() => live && setRestoring(false));
    return () => {
      live = false;
    };
  }, [restoring, signOut]);

  const signIn = useCallback(async (username: string, password: string) => {
    const t = await api<TokenAnswer>('/auth/token', { method: 'POST', body: { username, password } });
    setToken(t.access_token);
    try {
      const me = await api<Principal>('/auth/me');
      queryClient.clear();
      setTokenState(t.access_token);
      setPrincipal(me);
      return me;
    } catch (e) {
      setToken(null);
      throw e;
    }
  }, [queryClient]);

  const value = useMemo<Session>(() => {
    const roles = principal?.roles ?? [];
    return {
      principal,
      roles,
      token,
      restoring,
      signIn,
      signOut,
      can: (area, action) => allows(roles, area, action),
      confined: principal?.partyId != null || roles.some((r) => r === 'customer' || r === 'partner'),
    };
  }, [principal, token, restoring, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession is used outside SessionProvider');
  return s;
}
