import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { decodeToken, type Identity, loadStoredToken, storeToken } from './token';

interface AuthState {
  identity: Identity | null;
  /** Why the last session ended, shown on the sign-in screen. */
  notice: string | null;
  signIn: (raw: string) => string | null;
  signOut: (notice?: string) => void;
}

/** Shown on the sign-in screen when the server refuses the token. */
export const REJECTED_NOTICE = 'The server rejected your token: it is invalid or has expired. Sign in with a new one.';

const AuthContext = createContext<AuthState | null>(null);

function restore(): { identity: Identity | null; notice: string | null } {
  const stored = loadStoredToken();
  if (stored === null) return { identity: null, notice: null };
  const decoded = decodeToken(stored);
  if ('error' in decoded) {
    storeToken(null);
    return { identity: null, notice: decoded.error };
  }
  return { identity: decoded, notice: null };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(restore);

  /** Returns an error message, or null when signed in. */
  const signIn = useCallback((raw: string) => {
    const decoded = decodeToken(raw);
    if ('error' in decoded) return decoded.error;
    storeToken(decoded.token);
    setState({ identity: decoded, notice: null });
    return null;
  }, []);

  const signOut = useCallback((notice?: string) => {
    storeToken(null);
    setState({ identity: null, notice: notice ?? null });
  }, []);

  const value = useMemo(() => ({ ...state, signIn, signOut }), [state, signIn, signOut]);
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** The signed-in identity; only used below the sign-in gate. */
export function useIdentity(): Identity {
  const { identity } = useAuth();
  if (identity === null) throw new Error('useIdentity without a signed-in user');
  return identity;
}
