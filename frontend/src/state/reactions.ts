/**
 * Reactions (PROTOCOL §6): what a click on a chip or a picked emoji does, how a chip is named,
 * and arrow-key movement in the picker's grid. Pure, no DOM.
 */
import type { Reaction } from '../types';

/** The picker's dozen common emoji with their spoken names. */
export const PICKER_EMOJI: ReadonlyArray<{ emoji: string; name: string }> = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'red heart' },
  { emoji: '😂', name: 'face with tears of joy' },
  { emoji: '🎉', name: 'party popper' },
  { emoji: '😮', name: 'face with open mouth' },
  { emoji: '😢', name: 'crying face' },
  { emoji: '🙏', name: 'folded hands' },
  { emoji: '👀', name: 'eyes' },
  { emoji: '🔥', name: 'fire' },
  { emoji: '✅', name: 'check mark' },
  { emoji: '👎', name: 'thumbs down' },
  { emoji: '🚀', name: 'rocket' },
];

/** Columns of the picker grid (arrow keys move by one cell or one row). */
export const PICKER_COLUMNS = 4;

export function reactedBy(r: Reaction | undefined, userId: number): boolean {
  return r !== undefined && r.user_ids.includes(userId);
}

/** A chip or a picked emoji toggles: remove when this user already reacted with it, else add. */
export function reactionAction(reactions: readonly Reaction[] | undefined, emoji: string, userId: number): 'add' | 'remove' {
  return reactedBy((reactions ?? []).find((r) => r.emoji === emoji), userId) ? 'remove' : 'add';
}

/**
 * The reactions as they will be once the toggle is applied (for an immediate, optimistic chip;
 * the server's `message:updated` replaces it). First-use order is kept; a count reaching 0 goes.
 */
export function toggled(reactions: readonly Reaction[] | undefined, emoji: string, userId: number): Reaction[] {
  const list = (reactions ?? []).map((r) => ({ ...r, user_ids: [...r.user_ids] }));
  const i = list.findIndex((r) => r.emoji === emoji);
  const r = list[i];
  if (r && r.user_ids.includes(userId)) {
    r.user_ids = r.user_ids.filter((id) => id !== userId);
    r.count = Math.max(0, r.count - 1);
    if (r.count === 0) list.splice(i, 1);
  } else if (r) {
    r.user_ids.push(userId);
    r.count += 1;
  } else {
    list.push({ emoji, count: 1, user_ids: [userId] });
  }
  return list;
}

/** A chip's accessible name and tooltip: "👍 2 reactions: you and Dave". */
export function reactionLabel(r: Reaction, userId: number, nameOf: (id: number) => string | null): string {
  const names = r.user_ids.map((id) => (id === userId ? 'you' : (nameOf(id) ?? 'someone')));
  const more = r.count - names.length;
  if (more > 0) names.push(`${more} more`);
  const who = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${r.emoji} ${r.count} ${r.count === 1 ? 'reaction' : 'reactions'}${who ? `: ${who}` : ''}`;
}

/** The cell an arrow key (or Home/End) moves to in a grid of `count` cells; null for other keys. */
export function gridMove(index: number, key: string, count: number, columns = PICKER_COLUMNS): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'ArrowDown':
      return index + columns < count ? index + columns : index % columns;
    case 'ArrowUp': {
      if (index - columns >= 0) return index - columns;
      const lastRowStart = Math.floor((count - 1) / columns) * columns;
      const up = lastRowStart + (index % columns);
      return up < count ? up : up - columns;
    }
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
