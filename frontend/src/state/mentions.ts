/**
 * `@` autocomplete in the composer (PROTOCOL §6 "Mentions"). Pure: where the mention being typed
 * is, which members match it, and the text after choosing one. No DOM.
 */
import type { Message } from '../types';

/** The `@word` being typed: `start` is the index of the `@`, `end` the caret. */
export interface MentionQuery {
  start: number;
  end: number;
  /** What follows the `@` (may be empty: just typed `@`). */
  query: string;
}

export interface MentionCandidate {
  id: number;
  username: string;
  display_name: string;
}

/** Usernames are 3–32 chars of `[a-z0-9_.-]` (contract §1). */
const NAME_CHAR = /[a-z0-9_.-]/i;
const MAX_QUERY = 32;

/**
 * The mention the caret is in, if any: an `@` at the start or after a space or opening
 * punctuation (not inside `mail@example.com`), followed only by username characters up to the caret.
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  let i = caret - 1;
  while (i >= 0 && caret - i <= MAX_QUERY + 1 && NAME_CHAR.test(text.charAt(i))) i -= 1;
  if (i < 0 || text.charAt(i) !== '@') return null;
  const before = i > 0 ? text.charAt(i - 1) : '';
  if (before !== '' && !/[\s([{"'>]/.test(before)) return null;
  const query = text.slice(i + 1, caret);
  if (query.length > MAX_QUERY) return null;
  return { start: i, end: caret, query };
}

/**
 * Members matching a query, best first: username prefix, then a word of the display name, then
 * the username containing it; alphabetical within each. `exclude` (the writer) is left out.
 */
export function matchMentions<T extends MentionCandidate>(members: readonly T[], query: string, opts: { exclude?: number; limit?: number } = {}): T[] {
  const q = query.toLowerCase();
  const limit = opts.limit ?? 8;
  const ranked: Array<{ m: T; rank: number }> = [];
  for (const m of members) {
    if (m.id === opts.exclude) continue;
    const user = m.username.toLowerCase();
    const words = m.display_name.toLowerCase().split(/\s+/).filter(Boolean);
    let rank = -1;
    if (user.startsWith(q)) rank = 0;
    else if (words.some((w) => w.startsWith(q)) || m.display_name.toLowerCase().startsWith(q)) rank = 1;
    else if (q.length > 0 && user.includes(q)) rank = 2;
    if (rank >= 0) ranked.push({ m, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.m.username.localeCompare(b.m.username));
  return ranked.slice(0, limit).map((r) => r.m);
}

/** The text with the mention replaced by `@username ` and where the caret goes. */
export function applyMention(text: string, q: MentionQuery, username: string): { text: string; caret: number } {
  const after = text.slice(q.end);
  const insert = `@${username}${/^\s/.test(after) ? '' : ' '}`;
  const next = text.slice(0, q.start) + insert + after;
  return { text: next, caret: q.start + insert.length + (/^\s/.test(after) ? 1 : 0) };
}

/** The message names this user (`@them` or `@room`). */
export function mentionsUser(m: Pick<Message, 'mentions'>, userId: number): boolean {
  return (m.mentions ?? []).includes(userId);
}

/** What `mention_count` counts: a message from someone else that mentions the user or replies to them. */
export function concernsUser(m: Pick<Message, 'mentions' | 'reply_to' | 'sender' | 'deleted'>, userId: number): boolean {
  if (m.sender.id === userId || m.deleted) return false;
  return mentionsUser(m, userId) || m.reply_to?.sender.id === userId;
}
