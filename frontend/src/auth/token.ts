export type Role = 'admin' | 'viewer';

export interface Identity {
  token: string;
  /** The `sub` claim: who the token was minted for. */
  name: string;
  role: Role;
  /** Expiry in seconds since the epoch. */
  expiresAt: number;
}

function decodeBase64Url(segment: string): string {
  const base64 = segment.replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * Reads the claims the UI adapts to. The signature is not checked here: the
 * server checks it on every request and answers UNAUTHENTICATED when it fails.
 */
export function decodeToken(raw: string, now: Date = new Date()): Identity | { error: string } {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || payload === undefined) {
    return { error: 'This is not a JWT: expected three dot-separated parts.' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(decodeBase64Url(payload));
  } catch {
    return { error: 'The token payload could not be read.' };
  }
  if (typeof claims !== 'object' || claims === null) return { error: 'The token payload could not be read.' };
  const { sub, role, exp } = claims as Record<string, unknown>;
  if (role !== 'admin' && role !== 'viewer') {
    return { error: 'The token has no dashboard role (admin or viewer).' };
  }
  if (typeof sub !== 'string' || typeof exp !== 'number') {
    return { error: 'The token lacks its `sub` or `exp` claim.' };
  }
  if (exp * 1000 <= now.getTime()) return { error: 'This token has expired. Ask for a new one.' };
  return { token, name: sub, role, expiresAt: exp };
}

const STORAGE_KEY = 'cognitrack.token';

/** The token lives in sessionStorage: it survives a reload, not the tab. */
export function loadStoredToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, token);
}
