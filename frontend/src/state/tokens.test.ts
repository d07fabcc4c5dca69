import { describe, expect, it } from 'vitest';
import { loadSession, needsRefresh, refreshAt, saveSession, sessionFromTokens, SESSION_KEY } from './tokens';
import { user } from './fixtures';

function memoryStore() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe('tokens', () => {
  const pair = { access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900 };

  it('refreshes a minute before a 15-minute token expires', () => {
    const s = sessionFromTokens(pair, user(1), 0);
    expect(refreshAt(s)).toBe(840_000);
    expect(needsRefresh(s, 839_999)).toBe(false);
    expect(needsRefresh(s, 840_000)).toBe(true);
  });

  it('refreshes short-lived tokens half-way at the latest', () => {
    const s = sessionFromTokens({ ...pair, expires_in: 4 }, user(1), 0);
    expect(refreshAt(s)).toBe(2_000);
  });

  it('round-trips through storage and discards garbage', () => {
    const store = memoryStore();
    const s = sessionFromTokens(pair, user(1), 10);
    saveSession(store, s);
    expect(loadSession(store)).toEqual(s);
    store.setItem(SESSION_KEY, '{not json');
    expect(loadSession(store)).toBeNull();
    expect(store.getItem(SESSION_KEY)).toBeNull();
  });
});
