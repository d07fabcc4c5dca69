/** The sidebar: who is signed in, the room actions and the room list (ordered by activity). */
import { roomTitle, type RoomEntry } from '../state/rooms';
import type { Room } from '../types';
import type { ViewContext } from './context';
import { browseDialog, createRoomDialog, dmDialog } from './dialogs';
import { avatarEl } from './avatar';
import { formatFull, formatShort, h, icon, replaceChildren, srOnly } from './dom';
import { bodyText } from './markup';

export class SidebarView {
  readonly root: HTMLElement;
  private readonly roomList: HTMLUListElement;
  private readonly roomsEmpty: HTMLElement;
  private readonly meChip: HTMLElement;
  private readonly heading: HTMLElement;

  constructor(
    private readonly ctx: ViewContext,
    logout: () => void,
    search: () => void,
  ) {
    const chat = ctx.chat;
    this.roomList = h('ul', { class: 'room-list', attrs: { 'data-testid': 'room-list' } });
    this.roomsEmpty = h('p', { class: 'sidebar__empty', text: 'Loading your rooms…' });
    this.meChip = h('div', { class: 'me' });
    const settings = h('a', { class: 'btn btn--ghost btn--sm', attrs: { href: '#/settings', 'data-testid': 'settings-link' }, text: 'Settings' });
    const signOut = h('button', { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'logout-button' }, text: 'Sign out' });
    signOut.addEventListener('click', logout);

    const action = (label: string, glyph: Node, testid: string, fn: () => void): HTMLButtonElement => {
      const b = h(
        'button',
        { class: 'side-action', attrs: { type: 'button', 'data-testid': testid } },
        h('span', { class: 'side-action__icon', attrs: { 'aria-hidden': 'true' } }, glyph),
        h('span', { text: label }),
      );
      b.addEventListener('click', fn);
      return b;
    };
    const open = (r: Room): void => ctx.openRoom(r);
    this.heading = h('h2', { class: 'sr-only', text: 'Rooms' });
    this.root = h(
      'aside',
      { class: 'sidebar', attrs: { 'aria-label': 'Rooms' } },
      h(
        'header',
        { class: 'sidebar__header' },
        h('div', { class: 'brand brand--small' }, h('span', { class: 'brand__mark', attrs: { 'aria-hidden': 'true' } }), 'chatty'),
        h('div', { class: 'sidebar__account' }, settings, signOut),
      ),
      this.heading,
      this.meChip,
      h(
        'div',
        { class: 'sidebar__actions' },
        action('New room', icon('plus'), 'create-room-button', () => createRoomDialog(chat, open)),
        action('Browse', icon('compass'), 'browse-rooms-button', () => browseDialog(chat, open)),
        action('Message', icon('at'), 'new-dm-button', () => dmDialog(chat, open)),
        action('Search', icon('search'), 'search-button', search),
      ),
      h('nav', { class: 'sidebar__rooms', attrs: { 'aria-label': 'Your rooms' } }, this.roomList, this.roomsEmpty),
    );
    this.renderMe();
  }

  /**
   * On a phone with no room open the room list is the whole screen: it is then the page's `main`
   * landmark with its `h1` (the conversation, hidden, is not).
   */
  setPrimary(primary: boolean): void {
    if (primary) {
      this.root.setAttribute('role', 'main');
      this.heading.setAttribute('aria-level', '1');
    } else {
      this.root.removeAttribute('role');
      this.heading.removeAttribute('aria-level');
    }
  }

  /** Where focus starts after sign-in: the first room, else "New room". */
  focusStart(): void {
    (this.roomList.querySelector<HTMLElement>('[data-testid="room-item"]') ?? this.root.querySelector<HTMLElement>('[data-testid="create-room-button"]'))?.focus();
  }

  renderMe(): void {
    const me = this.ctx.chat.me;
    replaceChildren(
      this.meChip,
      avatarEl(me, 'avatar--sm'),
      h(
        'span',
        { class: 'user-label' },
        h('span', { class: 'user-label__name', attrs: { 'data-testid': 'me-name' }, text: me.display_name || me.username }),
        h('span', { class: 'user-label__handle', text: `@${me.username}` }),
      ),
    );
  }

  /** The room list, with `activeId` marked as the current page; keeps focus on the same room. */
  renderRooms(activeId: number | null): void {
    const chat = this.ctx.chat;
    const entries = chat.rooms.sorted();
    const focusedId = (document.activeElement as HTMLElement | null)?.closest?.('[data-room-id]')?.getAttribute('data-room-id');
    replaceChildren(this.roomList, ...entries.map((e) => h('li', {}, this.roomItem(e, activeId))));
    if (focusedId && this.roomList.contains(document.activeElement) === false) {
      this.roomList.querySelector<HTMLElement>(`[data-room-id="${CSS.escape(focusedId)}"]`)?.focus();
    }
    this.roomsEmpty.hidden = entries.length > 0;
    this.roomsEmpty.textContent = chat.roomsLoaded ? 'No rooms yet. Create one, browse public rooms, or message someone.' : 'Loading your rooms…';
    const total = chat.rooms.totalUnread();
    const mentions = chat.rooms.totalMentions();
    document.title = total > 0 ? `(${total}${mentions > 0 ? ` · @${mentions}` : ''}) chatty` : 'chatty';
  }

  private roomItem(e: RoomEntry, activeId: number | null): HTMLElement {
    const chat = this.ctx.chat;
    const room = e.room;
    const active = room.id === activeId;
    const last = chat.lastMessage(room.id);
    let preview = '';
    if (last) {
      const who = last.sender.id === chat.me.id ? 'You' : last.sender.display_name || last.sender.username;
      const files = last.attachments?.length ?? 0;
      const text = bodyText(last.body) || (files > 0 ? (files === 1 ? `📎 ${last.attachments![0]!.name}` : `📎 ${files} files`) : '');
      preview = last.deleted ? `${who}: message deleted` : room.kind === 'dm' && who !== 'You' ? text : `${who}: ${text}`;
    } else {
      preview = room.kind === 'dm' ? `@${room.peer?.username ?? ''}` : `${room.kind === 'private' ? 'Private' : 'Public'} · ${room.member_count} ${room.member_count === 1 ? 'member' : 'members'}`;
    }
    const when = e.lastActivityAt ?? (last ? last.created_at : null);
    return h(
      'a',
      {
        class: `room-item${active ? ' room-item--active' : ''}${e.unread > 0 ? ' room-item--unread' : ''}`,
        attrs: {
          href: `#/rooms/${room.id}`,
          'data-testid': 'room-item',
          'data-room-id': room.id,
          'data-room-name': room.name,
          'data-room-kind': room.kind,
          'aria-current': active ? 'page' : null,
        },
      },
      roomIcon(this.ctx, room),
      h(
        'span',
        { class: 'room-item__main' },
        h('span', { class: 'room-item__name', attrs: { 'data-testid': 'room-item-name' }, text: roomTitle(room) }),
        h('span', { class: 'room-item__preview', text: preview }),
      ),
      h(
        'span',
        { class: 'room-item__side' },
        when ? h('time', { class: 'room-item__time', attrs: { datetime: when, title: formatFull(when) }, text: formatShort(when) }) : null,
        e.mentions > 0 && e.unread > 0
          ? h(
              'span',
              { class: 'badge badge--mention', attrs: { 'data-testid': 'mention-badge' } },
              `@${e.mentions > 99 ? '99+' : e.mentions}`,
              srOnly(e.mentions === 1 ? ' mention of you' : ' mentions of you'),
            )
          : null,
        e.unread > 0
          ? h('span', { class: 'badge', attrs: { 'data-testid': 'unread-badge' } }, String(e.unread > 99 ? '99+' : e.unread), srOnly(e.unread === 1 ? ' unread message' : ' unread messages'))
          : null,
      ),
    );
  }
}

/** A DM's avatar with the peer's presence, or the room's # / lock glyph. */
export function roomIcon(ctx: ViewContext, room: Room): HTMLElement {
  if (room.kind === 'dm' && room.peer) {
    const peer = room.peer;
    return avatarEl(ctx.chat.users.get(peer.id) ?? peer, '', presenceDot(ctx, peer.id));
  }
  return h(
    'span',
    { class: `room-glyph${room.kind === 'private' ? ' room-glyph--private' : ''}`, attrs: { 'aria-hidden': 'true' } },
    icon(room.kind === 'private' ? 'lock' : 'hash'),
  );
}

/** online / offline / unknown (no connection: presence comes as events, so it is not known). */
export function presenceOf(ctx: ViewContext, userId: number): 'online' | 'offline' | 'unknown' {
  if (!ctx.chat.presenceKnown) return 'unknown';
  return ctx.chat.online.has(userId) ? 'online' : 'offline';
}

export function presenceDot(ctx: ViewContext, userId: number): HTMLElement {
  const state = presenceOf(ctx, userId);
  return h('span', {
    class: `presence presence--${state}`,
    attrs: { 'data-testid': 'presence-dot', 'data-online': state === 'unknown' ? 'unknown' : String(state === 'online') },
  });
}
