/**
 * Message search (PROTOCOL §6 "Search"): Ctrl/Cmd+Shift+F, "/" outside a text field, or the Search
 * button in the sidebar. `GET /search?q=` results grouped by room, the server's `highlight`
 * (matches in `<mark>`) rendered through the safe body renderer, "More results" with `before_id`;
 * choosing a result opens its room at that message (`around_seq` when it is not loaded).
 */
import { describeError } from '../api';
import { roomTitle } from '../state/rooms';
import { groupByRoom, nextCursor } from '../state/search';
import type { SearchResult } from '../types';
import type { ViewContext } from './context';
import { openDialog } from './dialog';
import { formatFull, formatShort, h, replaceChildren, uid } from './dom';
import { renderBody } from './markup';

const PAGE = 20;

export function searchDialog(ctx: ViewContext): void {
  const chat = ctx.chat;
  const dialog = openDialog('Search messages', 'search-dialog', (close) => {
    const input = h('input', {
      class: 'input',
      attrs: { type: 'search', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'search-input', placeholder: 'Words, "a phrase", -not, prefix*', enterkeyhint: 'search' },
    });
    const hintId = uid('search-hint');
    input.setAttribute('aria-describedby', hintId);
    const label = h('label', { attrs: { for: (input.id = uid('search')) }, text: 'Search in your rooms' });
    const hint = h('p', { class: 'field__hint', attrs: { id: hintId }, text: 'All words must match. Use "quotes" for a phrase, -word to leave out, word* for a prefix. Down arrow moves to the results.' });
    const status = h('p', { class: 'picker__status', attrs: { role: 'status', 'data-testid': 'search-status' } });
    const results = h('div', { class: 'search-results', attrs: { 'data-testid': 'search-results' } });
    const more = h('button', { class: 'btn btn--secondary btn--sm', attrs: { type: 'button', hidden: true, 'data-testid': 'search-more' }, text: 'More results' });
    const form = h('form', { class: 'search-form', attrs: { role: 'search', 'aria-label': 'Messages' } }, label, input, hint);

    let all: SearchResult[] = [];
    let query = '';
    let controller: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const choose = (r: SearchResult): void => {
      close();
      ctx.openMessage(r.room.id, r.message.seq);
    };
    const resultButtons = (): HTMLButtonElement[] => [...results.querySelectorAll<HTMLButtonElement>('[data-testid="search-result"]')];

    const render = (): void => {
      const groups = groupByRoom(all);
      replaceChildren(
        results,
        ...groups.map((g) => {
          const known = chat.rooms.get(g.room.id)?.room;
          const title = known ? roomTitle(known) : g.room.name;
          const headingId = uid('sr-room');
          return h(
            'section',
            { class: 'search-group', attrs: { 'aria-labelledby': headingId, 'data-testid': 'search-group', 'data-room-id': g.room.id } },
            h('h3', { class: 'search-group__title', attrs: { id: headingId }, text: g.room.kind === 'dm' ? title : `#${title}` }),
            h(
              'ul',
              { class: 'search-group__list' },
              ...g.results.map((r) => {
                const m = r.message;
                const b = h(
                  'button',
                  { class: 'search-result', attrs: { type: 'button', 'data-testid': 'search-result', 'data-room-id': r.room.id, 'data-seq': m.seq } },
                  h(
                    'span',
                    { class: 'search-result__meta' },
                    h('strong', { text: m.sender.id === chat.me.id ? 'You' : m.sender.display_name || m.sender.username }),
                    h('time', { attrs: { datetime: m.created_at, title: formatFull(m.created_at) }, text: formatShort(m.created_at) }),
                  ),
                  h('span', { class: 'search-result__text msg__body' }, renderBody(r.highlight)),
                );
                b.addEventListener('click', () => choose(r));
                return h('li', {}, b);
              }),
            ),
          );
        }),
      );
    };

    const run = (append: boolean): void => {
      const q = append ? query : input.value.trim();
      controller?.abort();
      if (!append) {
        query = q;
        all = [];
        render();
        more.hidden = true;
      }
      if (q === '') {
        status.textContent = '';
        return;
      }
      controller = new AbortController();
      const mine = controller;
      status.textContent = 'Searching…';
      const before = append ? nextCursor(all) : undefined;
      chat.api
        .search(q, { limit: PAGE, ...(before !== undefined ? { before_id: before } : {}) }, mine.signal)
        .then((page) => {
          if (mine.signal.aborted) return;
          const focusedIndex = resultButtons().indexOf(document.activeElement as HTMLButtonElement);
          all = [...all, ...page.results];
          render();
          more.hidden = !page.has_more;
          const n = all.length;
          status.textContent = n === 0 ? `No messages match “${q}”.` : `${n}${page.has_more ? '+' : ''} ${n === 1 ? 'message' : 'messages'} found.`;
          // "More results" goes away under the focus: continue at the first new result.
          if (append && (focusedIndex >= 0 || document.activeElement === more || document.activeElement === document.body)) {
            resultButtons()[n - page.results.length]?.focus();
          }
        })
        .catch((err: unknown) => {
          if (!mine.signal.aborted) status.textContent = `Search failed: ${describeError(err)}`;
        });
    };

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (timer !== null) clearTimeout(timer);
      run(false);
    });
    input.addEventListener('input', () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => run(false), 300);
    });
    more.addEventListener('click', () => run(true));
    // Down from the box goes to the results; Up and Down move between them.
    const arrows = (ev: KeyboardEvent): void => {
      if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
      const buttons = resultButtons();
      const i = buttons.indexOf(ev.target as HTMLButtonElement);
      if (ev.target === input && ev.key === 'ArrowDown' && buttons[0]) {
        ev.preventDefault();
        buttons[0].focus();
      } else if (i >= 0) {
        ev.preventDefault();
        (ev.key === 'ArrowDown' ? buttons[i + 1] : (buttons[i - 1] ?? input))?.focus();
      }
    };
    input.addEventListener('keydown', arrows);
    results.addEventListener('keydown', arrows);
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close();
      }
    });
    queueMicrotask(() => input.focus());
    return [form, status, results, more];
  });
  dialog.classList.add('dialog--wide');
}
