/** The room dialogs: create a room, browse public rooms, start a direct message, add people. */
import { ApiError, describeError } from '../api';
import type { ChatController } from '../chat/controller';
import type { Room, User } from '../types';
import { avatarEl } from './avatar';
import { openDialog, userLabel } from './dialog';
import { field, h, icon, replaceChildren, srOnly, uid } from './dom';

function avatar(user: User, extra = ''): HTMLElement {
  return avatarEl(user, extra);
}

/** A search-as-you-type user picker over GET /users?q=. */
function userSearch(
  chat: ChatController,
  opts: {
    label: string;
    inputTestId: string;
    resultTestId: string;
    action: string;
    onPick(user: User, button: HTMLButtonElement): Promise<void>;
    /** Results already done (say, already members): shown so, not offered. */
    done?(user: User): string | null;
  },
): Node[] {
  const input = h('input', {
    class: 'input',
    attrs: { type: 'search', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'data-testid': opts.inputTestId, placeholder: 'Start typing a username' },
  });
  const results = h('ul', { class: 'picker', attrs: { 'aria-label': 'Matching people' } });
  const status = h('p', { class: 'picker__status', attrs: { role: 'status', 'aria-live': 'polite' } });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let controller: AbortController | null = null;

  const search = (): void => {
    const q = input.value.trim().toLowerCase();
    controller?.abort();
    if (q.length === 0) {
      replaceChildren(results);
      status.textContent = '';
      return;
    }
    controller = new AbortController();
    const mine = controller;
    status.textContent = 'Searching…';
    chat.api
      .searchUsers(q, mine.signal)
      .then((users) => {
        if (mine.signal.aborted) return;
        const others = users.filter((u) => u.id !== chat.me.id);
        status.textContent = others.length === 0 ? 'Nobody found.' : `${others.length} ${others.length === 1 ? 'person' : 'people'} found.`;
        replaceChildren(
          results,
          ...others.map((u) => {
            const done = opts.done?.(u) ?? null;
            const b = h(
              'button',
              {
                class: `picker__item${done ? ' picker__item--done' : ''}`,
                attrs: { type: 'button', 'data-testid': opts.resultTestId, 'data-username': u.username, 'data-added': done ? 'true' : null, 'aria-disabled': done ? 'true' : null },
              },
              avatar(u, 'avatar--sm'),
              userLabel(u),
              h('span', { class: 'picker__action', text: done ?? opts.action }),
            );
            b.addEventListener('click', () => {
              if (b.getAttribute('aria-disabled') === 'true') return;
              b.disabled = true;
              opts.onPick(u, b).catch((err: unknown) => {
                b.disabled = false;
                status.textContent = describeError(err);
              });
            });
            return h('li', {}, b);
          }),
        );
      })
      .catch((err: unknown) => {
        if (!mine.signal.aborted) status.textContent = describeError(err);
      });
  };
  input.addEventListener('input', () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      if (timer !== null) clearTimeout(timer);
      search();
    } else if (ev.key === 'Escape') {
      // A search field would only clear itself: Escape closes the dialog, as everywhere else.
      ev.preventDefault();
      input.closest('dialog')?.close();
    }
  });
  queueMicrotask(() => input.focus());
  return [field(opts.label, input), status, results];
}

export function createRoomDialog(chat: ChatController, created: (room: Room) => void): void {
  openDialog('Create a room', 'create-room-dialog', (close) => {
    const name = h('input', { class: 'input', attrs: { type: 'text', maxlength: 80, required: true, 'data-testid': 'room-name-input', autocomplete: 'off' } });
    const radio = (value: string, label: string, hint: string, checked: boolean): HTMLElement => {
      const id = uid('kind');
      return h(
        'label',
        { class: 'choice', attrs: { for: id } },
        h('input', { attrs: { type: 'radio', name: 'kind', value, id, checked, 'data-testid': `room-kind-${value}` } }),
        h('span', { class: 'choice__text' }, h('strong', { text: label }), h('span', { class: 'choice__hint', text: hint })),
      );
    };
    const error = h('p', { class: 'form-error', attrs: { role: 'alert', hidden: true } });
    const submit = h('button', { class: 'btn btn--primary', attrs: { type: 'submit', 'data-testid': 'create-room-submit' }, text: 'Create room' });
    const form = h(
      'form',
      { class: 'form', attrs: { 'data-testid': 'create-room-form', novalidate: true } },
      field('Room name', name),
      h(
        'fieldset',
        { class: 'choices' },
        h('legend', { text: 'Who can join' }),
        radio('public', 'Public', 'Anyone can find and join it.', true),
        radio('private', 'Private', 'Only people added by a member.', false),
      ),
      error,
      h('div', { class: 'form__actions' }, submit),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = name.value.trim();
      if (value.length === 0) {
        error.textContent = 'Give the room a name.';
        error.hidden = false;
        name.focus();
        return;
      }
      const kind = (form.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value ?? 'public') as 'public' | 'private';
      submit.disabled = true;
      chat
        .createRoom(value, kind)
        .then((room) => {
          close();
          created(room);
        })
        .catch((err: unknown) => {
          submit.disabled = false;
          // Public names are unique (README "Room names"): say where the existing room is.
          error.textContent =
            err instanceof ApiError && err.code === 'conflict'
              ? `A public room named “${value}” already exists. Join it from Browse, or pick another name.`
              : describeError(err);
          error.hidden = false;
          name.focus();
        });
    });
    queueMicrotask(() => name.focus());
    return [form];
  });
}

export function browseDialog(chat: ChatController, open: (room: Room) => void): void {
  openDialog('Browse public rooms', 'browse-dialog', (close) => {
    const list = h('ul', { class: 'picker', attrs: { 'aria-label': 'Public rooms', 'data-testid': 'public-rooms' } });
    const status = h('p', { class: 'picker__status', attrs: { role: 'status', 'aria-live': 'polite' }, text: 'Loading…' });
    const filter = h('input', { class: 'input', attrs: { type: 'search', placeholder: 'Filter by name', autocomplete: 'off', 'data-testid': 'browse-filter' } });
    let rooms: Room[] = [];
    const render = (): void => {
      const q = filter.value.trim().toLowerCase();
      const shown = rooms.filter((r) => r.name.toLowerCase().includes(q));
      status.textContent = rooms.length === 0 ? 'No public rooms yet. Create one!' : shown.length === 0 ? 'No room matches.' : '';
      replaceChildren(
        list,
        ...shown.map((r) => {
          const member = chat.rooms.has(r.id);
          const b = h('button', {
            class: member ? 'btn btn--secondary btn--sm' : 'btn btn--primary btn--sm',
            attrs: { type: 'button', 'data-testid': member ? 'open-room' : 'join-room', 'data-room-id': r.id },
            text: member ? 'Open' : 'Join',
          });
          b.setAttribute('aria-label', `${member ? 'Open' : 'Join'} ${r.name}`);
          b.addEventListener('click', () => {
            if (member) {
              close();
              open(r);
              return;
            }
            b.disabled = true;
            chat
              .joinRoom(r.id)
              .then((room) => {
                close();
                open(room);
              })
              .catch((err: unknown) => {
                b.disabled = false;
                status.textContent = describeError(err);
              });
          });
          return h(
            'li',
            { class: 'picker__row' },
            h('span', { class: 'room-glyph', attrs: { 'aria-hidden': 'true' } }, icon('hash')),
            h(
              'span',
              { class: 'user-label' },
              h('span', { class: 'user-label__name', text: r.name }),
              h('span', { class: 'user-label__handle', text: `${r.member_count} ${r.member_count === 1 ? 'member' : 'members'}` }),
            ),
            b,
          );
        }),
      );
    };
    filter.addEventListener('input', render);
    chat.api
      .publicRooms()
      .then((r) => {
        rooms = r;
        render();
      })
      .catch((err: unknown) => (status.textContent = describeError(err)));
    queueMicrotask(() => filter.focus());
    return [field('Filter', filter), status, list];
  });
}

export function dmDialog(chat: ChatController, open: (room: Room) => void): void {
  openDialog('New direct message', 'dm-dialog', (close) =>
    userSearch(chat, {
      label: 'Find a person',
      inputTestId: 'dm-search-input',
      resultTestId: 'dm-result',
      action: 'Message',
      async onPick(user) {
        const room = await chat.openDm(user);
        close();
        open(room);
      },
    }),
  );
}

export function addMemberDialog(chat: ChatController, room: Room): void {
  openDialog(`Add people to ${room.name}`, 'add-member-dialog', () => {
    const memberIds = (): Set<number> => new Set((chat.members.get(room.id) ?? []).map((m) => m.id));
    const already = h('p', { class: 'picker__status', attrs: { 'data-testid': 'already-members' } });
    const members = chat.members.get(room.id) ?? [];
    already.textContent = members.length > 0 ? `Already in: ${members.map((m) => (m.id === chat.me.id ? 'you' : m.display_name || m.username)).join(', ')}` : '';
    const search = userSearch(chat, {
      label: 'Find a person',
      inputTestId: 'member-add-input',
      resultTestId: 'member-add-result',
      action: 'Add',
      done: (user) => (memberIds().has(user.id) ? 'Already in' : null),
      async onPick(user, button) {
        try {
          await chat.addMember(room.id, user);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 'conflict')) throw err; // already a member: fine
        }
        button.classList.add('picker__item--done');
        const action = button.querySelector('.picker__action');
        if (action) action.textContent = 'Added ✓';
        button.setAttribute('data-added', 'true');
        button.setAttribute('aria-disabled', 'true');
        button.disabled = false;
        // Ready for the next person: back to the search, its text selected.
        const input = button.closest('dialog')?.querySelector<HTMLInputElement>('input[type="search"]');
        input?.focus();
        input?.select();
      },
    });
    return [already, ...search];
  });
}
