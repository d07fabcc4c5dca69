/** Replies (PROTOCOL §6): the words around them. Pure, no DOM. */
import type { ReplyRef, User } from '../types';

/** "1 reply", "3 replies". */
export function replyCountText(n: number): string {
  return n === 1 ? '1 reply' : `${n} replies`;
}

/** Shorten an excerpt for a one-line quote, on a word boundary when one is near. */
export function shorten(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function displayName(u: Pick<User, 'display_name' | 'username'>): string {
  return u.display_name || u.username;
}

/** "Replying to Carol" / "Replying to yourself" and the quoted text ("" → "a deleted message"). */
export function replyingTo(ref: Pick<ReplyRef, 'sender'>, excerptText: string, meId: number): { who: string; text: string } {
  return {
    who: ref.sender.id === meId ? 'yourself' : displayName(ref.sender),
    text: excerptText.trim() === '' ? 'a deleted message' : shorten(excerptText),
  };
}
