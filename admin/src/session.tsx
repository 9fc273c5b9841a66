// Who is signed in, and the API client they use. The access token stays in the client's
// memory; the refresh token is kept for this tab only (sessionStorage).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Api } from './api/client';
import type { Me, Role } from './api/types';

interface Session {
  api: Api;
  me: Me | null;
  /** Still finding out whether a stored session is alive. */
  loading: boolean;
  signIn(email: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ api, children }: { api: Api; children: ReactNode }) {
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(api.signedIn);

  useEffect(() => {
    api.onSignedOut = () => {
      setMe(null);
      queries.clear();
    };
    if (!api.signedIn) return;
    api
      .get<Me>('/me')
      .then(setMe, () => setMe(null))
      .finally(() => setLoading(false));
  }, [api, queries]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await api.signIn(email, password);
      const who = await api.get<Me>('/me');
      if (who.role === 'customer') {
        // The API would refuse every page; end the session it just opened.
        await api.signOut();
        throw new Error('This account is a customer’s: the console is for staff and admins.');
      }
      setMe(who);
      return who;
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } finally {
      setMe(null);
      queries.clear();
    }
  }, [api, queries]);

  const value = useMemo(() => ({ api, me, loading, signIn, signOut }), [api, me, loading, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function useApi(): Api {
  return useSession().api;
}

/** The signed-in user (pages under the layout are only shown to one). */
export function useMe(): Me {
  const me = useSession().me;
  if (!me) throw new Error('no one is signed in');
  return me;
}

/** Staff run the catalog; admins run everything (the API enforces the same). */
export function can(role: Role, area: 'catalog' | 'shop'): boolean {
  return area === 'catalog' ? role === 'staff' || role === 'admin' : role === 'admin';
}
