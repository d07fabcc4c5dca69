/**
 * The signed-in session: keeps the token pair in localStorage, refreshes the access token before
 * it expires (rotating the refresh token), and tells listeners when the session changes or ends.
 *
 * Refresh tokens are single-use (a reused one revokes the whole family), so a refresh must never
 * run twice with the same token: refreshes are single-flight within a tab, serialised across
 * tabs with the Web Locks API where available, and a tab first adopts a pair another tab has
 * already rotated.
 */
import type { AuthResult, TokenPair, User } from './types';
import { clearShared, readShared, writeShared } from './vault';
import {
  type KeyValueStore,
  type StoredSession,
  SESSION_KEY,
  clearSession,
  loadSession,
  needsRefresh,
  refreshAt,
  saveSession,
  sessionFromTokens,
} from './state/tokens';

/** The refresh token was refused: the user must sign in again. */
export class SessionExpired extends Error {
  constructor() {
    super('Your session has expired. Please sign in again.');
    this.name = 'SessionExpired';
  }
}

type Listener = (session: StoredSession | null) => void;

export class SessionManager {
  private current: StoredSession | null;
  private inflight: Promise<StoredSession> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly store: KeyValueStore = window.localStorage,
    private readonly apiBase = '/api/v1',
  ) {
    this.current = loadSession(store);
    window.addEventListener('storage', (ev) => {
      if (ev.key !== SESSION_KEY && ev.key !== null) return;
      this.adoptFromStore();
    });
    if (this.current) this.schedule();
  }

  get session(): StoredSession | null {
    return this.current;
  }

  get user(): User | null {
    return this.current?.user ?? null;
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Start a session from a register/login/recover answer. */
  begin(result: AuthResult): void {
    const next = sessionFromTokens(result, result.user, Date.now());
    void writeShared(next);
    this.set(next);
  }

  updateUser(user: User): void {
    if (this.current === null) return;
    this.set({ ...this.current, user });
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const s = this.current;
    if (s === null) throw new SessionExpired();
    if (needsRefresh(s, Date.now())) return (await this.refresh()).accessToken;
    return s.accessToken;
  }

  /**
   * Rotate the token pair. With `rejected`, the access token the server just refused: when the
   * session has moved on since (another refresh won), that newer pair is used instead.
   */
  refresh(rejected?: string): Promise<StoredSession> {
    if (this.current === null) return Promise.reject(new SessionExpired());
    if (rejected !== undefined && this.current.accessToken !== rejected) return Promise.resolve(this.current);
    if (this.inflight) return this.inflight;
    const run = async (): Promise<StoredSession> => {
      // Another tab may have rotated while we waited for the lock.
      await this.adoptShared();
      const s = this.current;
      if (s === null) throw new SessionExpired();
      if (rejected === undefined ? !needsRefresh(s, Date.now()) : s.accessToken !== rejected) return s;
      const res = await fetch(`${this.apiBase}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: s.refreshToken }),
      });
      if (res.status === 401 || res.status === 403) {
        // Unless another tab rotated meanwhile, the session is over.
        await this.adoptShared();
        if (this.current && this.current.refreshToken !== s.refreshToken) return this.current;
        this.end();
        throw new SessionExpired();
      }
      if (!res.ok) throw new Error(`refresh failed: HTTP ${res.status}`);
      const pair = (await res.json()) as TokenPair & { user?: User };
      const next = sessionFromTokens(pair, pair.user ?? s.user, Date.now());
      await writeShared(next); // before the lock is released
      this.set(next);
      return next;
    };
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const p = (locks ? locks.request('chatty-token-refresh', run) : run()).finally(() => {
      this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  /** POST /auth/logout (best effort), then forget the session. */
  async logout(): Promise<void> {
    const s = this.current;
    this.end();
    if (s === null) return;
    try {
      await fetch(`${this.apiBase}/auth/logout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.accessToken}` },
        body: JSON.stringify({ refresh_token: s.refreshToken }),
      });
    } catch {
      // offline: the refresh token expires on its own
    }
  }

  /** Forget the session locally (after a refused refresh, or on logout). */
  end(): void {
    clearSession(this.store);
    void clearShared();
    this.set(null, false);
  }

  private set(next: StoredSession | null, persist = true): void {
    this.current = next;
    if (next && persist) saveSession(this.store, next);
    this.schedule();
    for (const fn of this.listeners) fn(next);
  }

  /** Take the pair another tab rotated, as recorded in the shared (IndexedDB) copy. */
  private async adoptShared(): Promise<void> {
    this.adoptFromStore();
    const shared = await readShared();
    const cur = this.current;
    if (shared === null || cur === null || shared.user.id !== cur.user.id) return;
    if (shared.refreshToken !== cur.refreshToken && shared.expiresAt >= cur.expiresAt) this.set(shared);
  }

  private adoptFromStore(): void {
    const stored = loadSession(this.store);
    const cur = this.current;
    if (stored === null) {
      if (cur !== null) this.set(null, false); // signed out in another tab
      return;
    }
    if (cur === null || stored.user.id !== cur.user.id) {
      if (cur === null) return; // signing in happens through begin() only
      this.set(null, false);
      return;
    }
    if (stored.refreshToken !== cur.refreshToken && stored.expiresAt >= cur.expiresAt) {
      this.set(stored, false);
    }
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const s = this.current;
    if (s === null) return;
    const delay = Math.max(1_000, refreshAt(s) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().then(
        // set() re-arms the timer after a rotation; re-arm here when nothing needed doing yet
        () => {
          if (this.timer === null) this.schedule();
        },
        () => {
          // network trouble: try again shortly (a refused token already ended the session)
          if (this.current && this.timer === null) this.timer = setTimeout(() => this.schedule(), 5_000);
        },
      );
    }, Math.min(delay, 2_000_000_000));
  }
}
