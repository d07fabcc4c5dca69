/**
 * `@` autocomplete in the composer (PROTOCOL §6 "Mentions"): the room's members (from
 * `GET /rooms/{id}/members`) matching what follows the `@`, in a listbox under the input.
 * Up/Down move, Enter or Tab insert `@username `, Escape closes; the textarea keeps focus and
 * points at the active option with `aria-activedescendant`.
 */
import { applyMention, matchMentions, mentionAt, type MentionCandidate, type MentionQuery } from '../state/mentions';
import type { ViewContext } from './context';
import { h, replaceChildren, uid } from './dom';

const EVERYONE: MentionCandidate = { id: -1, username: 'room', display_name: 'Everyone in this room' };

export class MentionAutocomplete {
  readonly list: HTMLUListElement;
  readonly status: HTMLElement;
  private readonly listId = uid('mentions');
  private matches: MentionCandidate[] = [];
  private active = 0;
  private query: MentionQuery | null = null;

  constructor(
    private readonly ctx: ViewContext,
    private readonly roomId: number,
    private readonly input: HTMLTextAreaElement,
  ) {
    this.list = h('ul', { class: 'mentions', attrs: { id: this.listId, role: 'listbox', 'aria-label': 'People to mention', 'data-testid': 'mention-list', hidden: true } });
    this.status = h('span', { class: 'sr-only', attrs: { role: 'status' } });
    input.setAttribute('aria-controls', this.listId);
    // Registered before the composer's own keydown listener: it runs first and may stop it.
    input.addEventListener('keydown', (ev) => this.onKey(ev));
    input.addEventListener('input', () => this.update());
    input.addEventListener('click', () => this.update());
    input.addEventListener('blur', () => this.close());
    // A pointer on an option must not take focus from the input.
    this.list.addEventListener('mousedown', (ev) => ev.preventDefault());
  }

  get open(): boolean {
    return this.query !== null && this.matches.length > 0;
  }

  update(): void {
    const { value, selectionStart, selectionEnd } = this.input;
    const q = selectionStart === selectionEnd ? mentionAt(value, selectionStart) : null;
    if (!q) {
      this.close();
      return;
    }
    const chat = this.ctx.chat;
    const room = chat.rooms.get(this.roomId)?.room;
    const members: MentionCandidate[] = [...(chat.members.get(this.roomId) ?? [])];
    if (room && room.kind !== 'dm') members.push(EVERYONE);
    const before = this.matches[this.active]?.username;
    this.query = q;
    this.matches = matchMentions(members, q.query, { exclude: chat.me.id });
    const keep = this.matches.findIndex((m) => m.username === before);
    this.active = keep >= 0 ? keep : 0;
    this.render();
  }

  close(): void {
    if (this.query === null && this.list.hidden) return;
    this.query = null;
    this.matches = [];
    this.render();
  }

  private render(): void {
    const open = this.open;
    this.list.hidden = !open;
    if (!open) {
      replaceChildren(this.list);
      this.input.removeAttribute('aria-activedescendant');
      this.status.textContent = '';
      return;
    }
    replaceChildren(
      this.list,
      ...this.matches.map((m, i) => {
        const li = h(
          'li',
          {
            class: `mentions__option${i === this.active ? ' mentions__option--active' : ''}`,
            attrs: { id: `${this.listId}-${i}`, role: 'option', 'aria-selected': String(i === this.active), 'data-testid': 'mention-option', 'data-username': m.username },
          },
          h('span', { class: 'mentions__name', text: m.display_name || m.username }),
          h('span', { class: 'mentions__handle', text: `@${m.username}` }),
        );
        li.addEventListener('click', () => this.choose(i));
        return li;
      }),
    );
    this.input.setAttribute('aria-activedescendant', `${this.listId}-${this.active}`);
    const n = this.matches.length;
    this.status.textContent = `${n} ${n === 1 ? 'person' : 'people'} to mention. Up and Down to choose, Enter to insert.`;
  }

  private onKey(ev: KeyboardEvent): void {
    if (!this.open || ev.isComposing) return;
    const n = this.matches.length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : -1) + n) % n;
      this.render();
    } else if ((ev.key === 'Enter' && !ev.shiftKey) || (ev.key === 'Tab' && !ev.shiftKey)) {
      this.choose(this.active);
    } else if (ev.key === 'Escape') {
      this.close();
    } else return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }

  private choose(i: number): void {
    const m = this.matches[i];
    const q = this.query;
    if (!m || !q) return;
    const next = applyMention(this.input.value, q, m.username);
    this.input.value = next.text;
    this.input.setSelectionRange(next.caret, next.caret);
    this.close();
    this.input.focus();
    // The composer keeps its draft, counter and typing state from the input event.
    this.input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}
