import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { ProblemError } from '../api/client';
import { api } from './api';
import type { Role } from './navigation';

/** Who is signed in, in which company. */
export interface SessionUser {
  readonly username: string;
  readonly role: Role;
  readonly tenant: string;
}

interface SessionState {
  /** undefined while asking the service, null when nobody is signed in. */
  readonly user: SessionUser | null | undefined;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);
const meKey = ['session', 'me'] as const;

/** Asks the service who the session cookie belongs to (GET /api/me); a 401 or 404 means nobody. */
async function whoIsSignedIn(): Promise<SessionUser | null> {
  if (api.asksForTenant && !api.tenant()) return null;
  try {
    const me = await api.get<{ user: { username: string; role: Role }; tenant: string }>('/api/me');
    return { username: me.user.username, role: me.user.role, tenant: me.tenant };
  } catch (error) {
    if (error instanceof ProblemError && (error.status === 401 || error.status === 404)) return null;
    throw error;
  }
}

/** Provides the session to the whole app. */
export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const queries = useQueryClient();
  const me = useQuery({ queryKey: meKey, queryFn: whoIsSignedIn, staleTime: Number.POSITIVE_INFINITY });
  const state: SessionState = {
    user: me.isPending ? undefined : (me.data ?? null),
    async signIn(username, password) {
      const answer = await api.login(username, password);
      queries.setQueryData(meKey, { username: answer.user.username, role: answer.user.role, tenant: answer.tenant });
    },
    async signOut() {
      await api.logout().catch(() => undefined);
      queries.clear();
      queries.setQueryData(meKey, null);
    },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

/** The session of the page (inside SessionProvider). */
export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
