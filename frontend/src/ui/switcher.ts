/** Ctrl/Cmd+K: jump to a room by typing part of its name (a combobox over the room list). */
import { roomTitle } from '../state/rooms';
import type { ViewContext } from './context';
import { openDialog } from './dialog';
import { h, replaceChildren, uid } from './dom';

export function roomSwitcher(ctx: ViewContext): void {
  const chat = ctx.chat;
  openDialog('Switch to a room', 'room-switcher', (close) => {
    const listId = uid('switcher');
    const input = h('input', {
      class: 'input',
      attrs: {
        type: 'text',
        role: 'combobox',
        'aria-label': 'Room name',
        'aria-expanded': 'true',
        'aria-controls': listId,
        'aria-autocomplete': 'list',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: 'Type a room or a person',
        'data-testid': 'switcher-input',
      },
    });
    const list = h('ul', { class: 'picker switcher', attrs: { id: listId, role: 'listbox', 'aria-label': 'Rooms' } });
    const status = h('p', { class: 'picker__status', attrs: { role: 'status' } });
    let active = 0;
    let shown: Array<{ id: number; title: string }> = [];

    const go = (index: number): void => {
      const r = shown[index];
      if (!r) return;
      close();
      ctx.navigate(`#/rooms/${r.id}`);
    };
    const render = (): void => {
      const q = input.value.trim().toLowerCase();
      shown = chat.rooms
        .sorted()
        .map((e) => ({ id: e.room.id, title: roomTitle(e.room), name: e.room.name, unread: e.unread }))
        .filter((r) => q === '' || r.title.toLowerCase().includes(q) || r.name.toLowerCase().includes(q));
      active = Math.min(active, Math.max(0, shown.length - 1));
      status.textContent = shown.length === 0 ? 'No room matches.' : '';
      replaceChildren(
        list,
        ...shown.map((r, i) => {
          const li = h('li', {
            class: `switcher__item${i === active ? ' switcher__item--active' : ''}`,
            attrs: { id: `${listId}-${i}`, role: 'option', 'aria-selected': String(i === active), 'data-testid': 'switcher-option', 'data-room-id': r.id },
            text: r.title,
          });
          li.addEventListener('click', () => go(i));
          return li;
        }),
      );
      if (shown.length > 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
      else input.removeAttribute('aria-activedescendant');
    };
    input.addEventListener('input', () => {
      active = 0;
      render();
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        if (shown.length === 0) return;
        active = (active + (ev.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
        render();
        list.querySelector(`#${CSS.escape(`${listId}-${active}`)}`)?.scrollIntoView({ block: 'nearest' });
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        go(active);
      }
    });
    render();
    queueMicrotask(() => input.focus());
    return [input, status, list];
  });
}
