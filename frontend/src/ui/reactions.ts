/**
 * Reactions (PROTOCOL §6): the chips under a message (a toggle button each, `aria-pressed` when
 * the user reacted) and the small emoji picker behind a message's "React" action (arrow keys move,
 * Enter or a click picks, Escape closes). Changes arrive as `message:updated`.
 */
import { PICKER_EMOJI, gridMove, reactedBy, reactionLabel } from '../state/reactions';
import type { Message } from '../types';
import type { ViewContext } from './context';
import { openDialog } from './dialog';
import { h } from './dom';

function react(ctx: ViewContext, m: Message, emoji: string): void {
  void ctx.chat.react(m, emoji).then((err) => {
    if (err) ctx.toast(`Could not react: ${err}`);
  });
}

/** The reaction chips of a message, or null when it has none. */
export function reactionChips(ctx: ViewContext, m: Message): HTMLElement | null {
  const reactions = m.reactions ?? [];
  if (reactions.length === 0 || m.deleted) return null;
  const me = ctx.chat.me.id;
  return h(
    'div',
    { class: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions', 'data-testid': 'reactions' } },
    ...reactions.map((r) => {
      const mine = reactedBy(r, me);
      const label = reactionLabel(r, me, (id) => ctx.chat.userName(id));
      const b = h(
        'button',
        {
          class: `reaction${mine ? ' reaction--mine' : ''}`,
          attrs: { type: 'button', 'data-testid': 'reaction', 'data-emoji': r.emoji, 'data-count': r.count, 'aria-pressed': String(mine), 'aria-label': label, title: label },
        },
        h('span', { class: 'reaction__emoji', attrs: { 'aria-hidden': 'true' }, text: r.emoji }),
        h('span', { class: 'reaction__count', attrs: { 'aria-hidden': 'true' }, text: String(r.count) }),
      );
      b.addEventListener('click', () => react(ctx, m, r.emoji));
      return b;
    }),
  );
}

/** The picker: a dozen emoji in a grid with one tab stop. `done` runs after it closes. */
export function emojiPicker(ctx: ViewContext, m: Message, done: () => void): void {
  const me = ctx.chat.me.id;
  const dialog = openDialog('Add a reaction', 'emoji-picker', (close) => {
    const hint = h('p', { class: 'picker__status', attrs: { id: 'emoji-hint' }, text: 'Arrow keys to move, Enter to react, Esc to close.' });
    const buttons = PICKER_EMOJI.map(({ emoji, name }, i) => {
      const mine = reactedBy(m.reactions?.find((r) => r.emoji === emoji), me);
      const b = h('button', {
        class: `emoji-grid__item${mine ? ' emoji-grid__item--mine' : ''}`,
        attrs: { type: 'button', 'data-testid': 'emoji-option', 'data-emoji': emoji, 'aria-label': name, 'aria-pressed': String(mine), title: name, tabindex: i === 0 ? 0 : -1 },
        text: emoji,
      });
      b.addEventListener('click', () => {
        react(ctx, m, emoji);
        close();
      });
      return b;
    });
    const grid = h('div', { class: 'emoji-grid', attrs: { role: 'group', 'aria-label': 'Emoji', 'aria-describedby': 'emoji-hint' } }, ...buttons);
    grid.addEventListener('keydown', (ev) => {
      const i = buttons.indexOf(ev.target as HTMLButtonElement);
      const next = i < 0 ? null : gridMove(i, ev.key, buttons.length);
      if (next === null) return;
      ev.preventDefault();
      buttons[i]!.tabIndex = -1;
      buttons[next]!.tabIndex = 0;
      buttons[next]!.focus();
    });
    queueMicrotask(() => buttons[0]?.focus());
    return [grid, hint];
  });
  dialog.classList.add('dialog--narrow');
  dialog.addEventListener('close', () => done());
}
