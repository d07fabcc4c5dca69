/**
 * Access/refresh token bookkeeping. Pure: the storage and the clock are passed in.
 */
import type { TokenPair, User } from '../types';

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  /** Lifetime of the access token in ms, as the server last announced it. */
  ttlMs: number;
  user: User;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const SESSION_KEY = 'chatty.session.v1';

export function sessionFromTokens(pair: TokenPair, user: User, now: number): StoredSession {
  const ttlMs = Math.max(1, pair.expires_in) * 1000;
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + ttlMs,
    ttlMs,
    user,
  };
}

/**
 * When to refresh: 20 % of the lifetime before expiry, clamped to 5–60 s, and never earlier
 * than half-way through the lifetime.
 */
export function refreshAt(session: Pick<StoredSession, 'expiresAt' | 'ttlMs'>): number {
  const margin = Math.min(Math.max(session.ttlMs * 0.2, 5_000), 60_000, session.ttlMs / 2);
  return session.expiresAt - margin;
}

export function needsRefresh(session: Pick<StoredSession, 'expiresAt' | 'ttlMs'>, now: number): boolean {
  return now >= refreshAt(session);
}

export function loadSession(store: KeyValueStore): StoredSession | null {
  const raw = store.getItem(SESSION_KEY);
  if (raw === null) return null;
  try {
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (
      typeof s.accessToken === 'string' &&
      typeof s.refreshToken === 'string' &&
      typeof s.expiresAt === 'number' &&
      typeof s.ttlMs === 'number' &&
      s.user !== undefined &&
      typeof s.user.id === 'number'
    ) {
      return s as StoredSession;
    }
  } catch {
    // fall through: a corrupt entry is the same as none
  }
  store.removeItem(SESSION_KEY);
  return null;
}

export function saveSession(store: KeyValueStore, session: StoredSession): void {
  store.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(store: KeyValueStore): void {
  store.removeItem(SESSION_KEY);
}
