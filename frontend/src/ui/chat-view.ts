/**
 * The signed-in screen: the room list (sidebar) and the open conversation. It renders from the
 * ChatController's state and re-renders only the parts a change touches; the message list is
 * reconciled by key so existing message elements (and the scroll position) are kept.
 */
import type { ChatController, Change } from '../chat';
import { roomTitle, type RoomEntry } from '../state/rooms';
import type { PendingMessage } from '../state/timeline';
import { typingText } from '../state/typing';
import type { Message, Room, User } from '../types';
import { addMemberDialog, browseDialog, confirmDialog, createRoomDialog, dmDialog } from './dialogs';
import {
  avatarClass,
  dayKey,
  formatDay,
  formatFull,
  formatShort,
  formatTime,
  h,
  icon,
  initials,
  replaceChildren,
  srOnly,
} from './dom';
import { bodyText, bodyToSource, renderBody } from './markup';

export interface ViewDeps {
  navigate(hash: string): void;
  logout(): void;
}

interface Rendered {
  ref: unknown;
  sig: string;
  el: HTMLElement;
}

const GROUP_MS = 5 * 60 * 1000;
const NEAR_BOTTOM_PX = 48;
const LOAD_OLDER_PX = 300;

export class ChatView {
  readonly root: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly roomList: HTMLUListElement;
  private readonly roomsEmpty: HTMLElement;
  private readonly conversation: HTMLElement;
  private readonly live: HTMLElement;
  private readonly toast: HTMLElement;
  private readonly meChip: HTMLElement;

  private roomId: number | null = null;
  private conv: ConversationParts | null = null;
  private readonly rendered = new Map<string, Rendered>();
  private readonly drafts = new Map<number, string>();
  private editingSeq: number | null = null;
  private unreadFrom: number | null = null;
  private dirty = new Set<string>();
  private frame: number | null = null;
  private pendingReason: Set<string> = new Set();
  private stickToBottom = true;
  private unseenBelow = 0;
  private bannerTimer: ReturnType<typeof setTimeout> | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly chat: ChatController,
    private readonly deps: ViewDeps,
  ) {
    this.banner = h(
      'div',
      { class: 'banner', attrs: { 'data-testid': 'reconnecting-banner', role: 'status', hidden: true } },
      h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'banner__text', text: 'Reconnecting…' }),
    );
    this.roomList = h('ul', { class: 'room-list', attrs: { 'data-testid': 'room-list' } });
    this.roomsEmpty = h('p', { class: 'sidebar__empty', text: 'Loading your rooms…' });
    this.meChip = h('div', { class: 'me' });
    const logout = h('button', { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'logout-button' }, text: 'Sign out' });
    logout.addEventListener('click', () => this.deps.logout());
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
    const sidebar = h(
      'aside',
      { class: 'sidebar', attrs: { 'aria-label': 'Rooms' } },
      h(
        'header',
        { class: 'sidebar__header' },
        h('div', { class: 'brand brand--small' }, h('span', { class: 'brand__mark', attrs: { 'aria-hidden': 'true' } }), 'chatty'),
        logout,
      ),
      this.meChip,
      h(
        'div',
        { class: 'sidebar__actions' },
        action('New room', icon('plus'), 'create-room-button', () => createRoomDialog(this.chat, (r) => this.openRoom(r))),
        action('Browse', icon('compass'), 'browse-rooms-button', () => browseDialog(this.chat, (r) => this.openRoom(r))),
        action('Message', icon('at'), 'new-dm-button', () => dmDialog(this.chat, (r) => this.openRoom(r))),
      ),
      h('nav', { class: 'sidebar__rooms', attrs: { 'aria-label': 'Your rooms' } }, this.roomList, this.roomsEmpty),
    );
    this.conversation = h('main', { class: 'conversation', attrs: { id: 'main', tabindex: '-1' } });
    this.live = h('div', { class: 'sr-only', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'live-region' } });
    this.toast = h('div', { class: 'toast', attrs: { role: 'alert', hidden: true, 'data-testid': 'toast' } });
    this.root = h('div', { class: 'app' }, this.banner, sidebar, this.conversation, this.live, this.toast);
    this.unsubscribe = chat.subscribe((c) => this.onChange(c));
    this.renderMe();
    this.renderRooms();
    this.renderConversation();
  }

  destroy(): void {
    this.unsubscribe();
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.bannerTimer !== null) clearTimeout(this.bannerTimer);
    this.root.remove();
  }

  /** Route: `#/rooms` (null) or `#/rooms/{id}`. */
  showRoom(roomId: number | null): void {
    if (roomId === this.roomId) return;
    this.saveDraft();
    this.roomId = roomId;
    this.editingSeq = null;
    // Where "New messages" starts: the first of the room's unread messages, as the list told us.
    const entry = roomId !== null ? this.chat.rooms.get(roomId) : undefined;
    this.unreadFrom = entry && entry.unread > 0 ? entry.room.last_seq - entry.unread + 1 : null;
    this.rendered.clear();
    this.chat.openRoom(roomId);
    this.root.classList.toggle('app--room-open', roomId !== null);
    this.renderConversation();
    this.renderRooms();
    if (roomId !== null) this.conv?.input.focus();
  }

  private openRoom(room: Room): void {
    this.deps.navigate(`#/rooms/${room.id}`);
  }

  // --- change scheduling ----------------------------------------------------------------------

  private onChange(c: Change): void {
    switch (c.type) {
      case 'rooms':
        this.mark('rooms');
        if (this.roomId !== null) this.mark('header');
        break;
      case 'timeline':
        if (c.roomId === this.roomId) {
          this.mark('messages');
          this.pendingReason.add(c.reason);
          if (c.mine && (c.reason === 'pending' || c.reason === 'new')) this.stickToBottom = true;
        }
        this.mark('rooms');
        break;
      case 'receipts':
        if (c.roomId === this.roomId) this.mark('messages');
        break;
      case 'typing':
        if (c.roomId === this.roomId) this.mark('typing');
        break;
      case 'presence':
        this.mark('rooms');
        this.mark('header');
        break;
      case 'connection':
        this.renderBanner();
        break;
      case 'announce':
        this.announce(c.text);
        break;
      case 'removed':
        if (c.roomId === this.roomId) this.deps.navigate('#/rooms');
        break;
      case 'expired':
        break;
    }
  }

  private mark(part: string): void {
    this.dirty.add(part);
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = null;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('rooms')) this.renderRooms();
    if (dirty.has('header')) this.renderHeader();
    if (dirty.has('messages')) this.renderMessages();
    if (dirty.has('typing')) this.renderTyping();
  }

  // --- banner, toast, live region ---------------------------------------------------------------

  private renderBanner(): void {
    const state = this.chat.connection;
    if (state === 'connected') {
      if (this.bannerTimer !== null) clearTimeout(this.bannerTimer);
      this.bannerTimer = null;
      this.banner.hidden = true;
      this.root.classList.remove('app--offline');
      return;
    }
    const text = this.banner.querySelector('.banner__text');
    if (text) text.textContent = state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
    const show = (): void => {
      this.banner.hidden = false;
      this.root.classList.add('app--offline');
    };
    // A first connect usually takes a moment: only show the banner if it drags on.
    if (state === 'reconnecting') show();
    else if (this.bannerTimer === null && this.banner.hidden) this.bannerTimer = setTimeout(show, 1500);
  }

  private announce(text: string): void {
    this.live.textContent = '';
    setTimeout(() => (this.live.textContent = text), 50);
  }

  private showToast(text: string): void {
    this.toast.textContent = text;
    this.toast.hidden = false;
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toast.hidden = true), 5000);
  }

  // --- sidebar ----------------------------------------------------------------------------------

  private renderMe(): void {
    const me = this.chat.me;
    replaceChildren(
      this.meChip,
      h('span', { class: `avatar avatar--sm ${avatarClass(me.username)}`, attrs: { 'aria-hidden': 'true' }, text: initials(me.display_name || me.username) }),
      h(
        'span',
        { class: 'user-label' },
        h('span', { class: 'user-label__name', attrs: { 'data-testid': 'me-name' }, text: me.display_name || me.username }),
        h('span', { class: 'user-label__handle', text: `@${me.username}` }),
      ),
    );
  }

  private renderRooms(): void {
    const entries = this.chat.rooms.sorted();
    const focusedId = (document.activeElement as HTMLElement | null)?.closest?.('[data-room-id]')?.getAttribute('data-room-id');
    replaceChildren(this.roomList, ...entries.map((e) => h('li', {}, this.roomItem(e))));
    if (focusedId && this.roomList.contains(document.activeElement) === false) {
      this.roomList.querySelector<HTMLElement>(`[data-room-id="${CSS.escape(focusedId)}"]`)?.focus();
    }
    this.roomsEmpty.hidden = entries.length > 0;
    this.roomsEmpty.textContent = this.chat.roomsLoaded ? 'No rooms yet. Create one, browse public rooms, or message someone.' : 'Loading your rooms…';
    const total = this.chat.rooms.totalUnread();
    document.title = total > 0 ? `(${total}) chatty` : 'chatty';
  }

  private roomItem(e: RoomEntry): HTMLElement {
    const room = e.room;
    const active = room.id === this.roomId;
    const title = roomTitle(room);
    const tl = this.chat.timeline(room.id);
    const msgs = tl.messages();
    const last = msgs[msgs.length - 1];
    let preview = '';
    if (last) {
      const who = last.sender.id === this.chat.me.id ? 'You' : last.sender.display_name || last.sender.username;
      preview = last.deleted ? `${who}: message deleted` : room.kind === 'dm' && who !== 'You' ? bodyText(last.body) : `${who}: ${bodyText(last.body)}`;
    } else {
      preview = room.kind === 'dm' ? `@${room.peer?.username ?? ''}` : `${room.kind === 'private' ? 'Private' : 'Public'} · ${room.member_count} ${room.member_count === 1 ? 'member' : 'members'}`;
    }
    const when = e.lastActivityAt ?? (last ? last.created_at : null);
    const icon = this.roomIcon(room);
    const a = h(
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
      icon,
      h(
        'span',
        { class: 'room-item__main' },
        h('span', { class: 'room-item__name', attrs: { 'data-testid': 'room-item-name' }, text: title }),
        h('span', { class: 'room-item__preview', text: preview }),
      ),
      h(
        'span',
        { class: 'room-item__side' },
        when ? h('time', { class: 'room-item__time', attrs: { datetime: when, title: formatFull(when) }, text: formatShort(when) }) : null,
        e.unread > 0
          ? h('span', { class: 'badge', attrs: { 'data-testid': 'unread-badge' } }, String(e.unread > 99 ? '99+' : e.unread), srOnly(e.unread === 1 ? ' unread message' : ' unread messages'))
          : null,
      ),
    );
    return a;
  }

  private roomIcon(room: Room): HTMLElement {
    if (room.kind === 'dm' && room.peer) {
      const peer = room.peer;
      const online = this.chat.online.has(peer.id);
      return h(
        'span',
        { class: `avatar ${avatarClass(peer.username)}`, attrs: { 'aria-hidden': 'true' } },
        initials(peer.display_name || peer.username),
        h('span', { class: `presence${online ? ' presence--online' : ''}`, attrs: { 'data-testid': 'presence-dot', 'data-online': String(online) } }),
      );
    }
    return h(
      'span',
      { class: `room-glyph${room.kind === 'private' ? ' room-glyph--private' : ''}`, attrs: { 'aria-hidden': 'true' } },
      icon(room.kind === 'private' ? 'lock' : 'hash'),
    );
  }

  // --- conversation ---------------------------------------------------------------------------

  private renderConversation(): void {
    this.conv = null;
    const roomId = this.roomId;
    if (roomId === null) {
      const b = (label: string, testid: string, fn: () => void): HTMLButtonElement => {
        const el = h('button', { class: 'btn btn--secondary', attrs: { type: 'button', 'data-testid': testid }, text: label });
        el.addEventListener('click', fn);
        return el;
      };
      replaceChildren(
        this.conversation,
        h(
          'div',
          { class: 'conv-empty' },
          h('div', { class: 'conv-empty__art', attrs: { 'aria-hidden': 'true' } }),
          h('h1', { class: 'conv-empty__title', text: `Hi, ${this.chat.me.display_name || this.chat.me.username}!` }),
          h('p', { text: 'Pick a conversation, or start a new one.' }),
          h(
            'div',
            { class: 'conv-empty__actions' },
            b('Create a room', 'empty-create-room', () => createRoomDialog(this.chat, (r) => this.openRoom(r))),
            b('Browse public rooms', 'empty-browse', () => browseDialog(this.chat, (r) => this.openRoom(r))),
          ),
        ),
      );
      return;
    }
    const parts = buildConversation(roomId);
    this.conv = parts;
    replaceChildren(this.conversation, parts.root);
    parts.back.addEventListener('click', () => this.deps.navigate('#/rooms'));
    parts.addMember.addEventListener('click', () => {
      const room = this.chat.rooms.get(roomId)?.room;
      if (room) addMemberDialog(this.chat, room);
    });
    parts.leave.addEventListener('click', () => {
      const room = this.chat.rooms.get(roomId)?.room;
      if (!room) return;
      void confirmDialog('Leave room?', `You will stop receiving messages from ${room.name}.`, 'Leave').then((yes) => {
        if (!yes) return;
        this.chat.leaveRoom(roomId).then(
          () => this.deps.navigate('#/rooms'),
          (err: unknown) => this.showToast(err instanceof Error ? err.message : 'Could not leave the room.'),
        );
      });
    });
    parts.jump.addEventListener('click', () => this.scrollToBottom());
    parts.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    parts.retryLoad.addEventListener('click', () => void this.chat.retryHistory(roomId));

    // Composer: Enter sends, Shift+Enter is a newline.
    parts.input.value = this.drafts.get(roomId) ?? '';
    this.fitComposer();
    parts.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        parts.form.requestSubmit();
      }
    });
    parts.input.addEventListener('input', () => {
      this.fitComposer();
      if (parts.input.value.trim()) this.chat.composerInput();
      else this.chat.composerIdle();
    });
    parts.input.addEventListener('blur', () => this.chat.composerIdle());
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const error = this.chat.send(roomId, parts.input.value);
      if (error) {
        this.showToast(error);
        return;
      }
      parts.input.value = '';
      this.drafts.delete(roomId);
      if (this.unreadFrom !== null) {
        this.unreadFrom = null; // replying means the new messages have been read
        this.mark('messages');
      }
      this.fitComposer();
      this.stickToBottom = true;
      parts.input.focus();
    });

    this.stickToBottom = true;
    this.unseenBelow = 0;
    this.renderHeader();
    this.renderMessages();
    this.renderTyping();
  }

  private fitComposer(): void {
    const input = this.conv?.input;
    if (!input) return;
    // Rows, not inline styles: the CSP forbids style attributes.
    input.rows = Math.min(6, Math.max(1, input.value.split('\n').length));
    this.conv?.send.toggleAttribute('aria-disabled', input.value.trim() === '');
  }

  private saveDraft(): void {
    if (this.roomId !== null && this.conv) {
      const v = this.conv.input.value;
      if (v) this.drafts.set(this.roomId, v);
      else this.drafts.delete(this.roomId);
    }
  }

  private renderHeader(): void {
    const parts = this.conv;
    if (!parts || this.roomId === null) return;
    const entry = this.chat.rooms.get(this.roomId);
    if (!entry) {
      parts.title.textContent = this.chat.roomsLoaded ? 'Room not found' : 'Loading…';
      parts.subtitle.textContent = this.chat.roomsLoaded ? 'You are not a member of this room.' : '';
      parts.addMember.hidden = true;
      parts.leave.hidden = true;
      parts.form.hidden = this.chat.roomsLoaded;
      return;
    }
    parts.form.hidden = false;
    const room = entry.room;
    parts.title.textContent = roomTitle(room);
    replaceChildren(parts.icon, this.roomIcon(room));
    if (room.kind === 'dm' && room.peer) {
      const online = this.chat.online.has(room.peer.id);
      // Presence is only known from `presence` events, so "offline" is not claimed, just not "online".
      parts.subtitle.textContent = online ? `@${room.peer.username} · online` : `@${room.peer.username}`;
    } else {
      parts.subtitle.textContent = `${room.kind === 'private' ? 'Private' : 'Public'} room · ${room.member_count} ${room.member_count === 1 ? 'member' : 'members'}`;
    }
    parts.addMember.hidden = room.kind === 'dm';
    parts.leave.hidden = room.kind === 'dm';
    const label = room.kind === 'dm' ? `Message ${roomTitle(room)}` : `Message #${room.name}`;
    parts.input.placeholder = label;
    parts.inputLabel.textContent = label;
  }

  private renderTyping(): void {
    if (!this.conv || this.roomId === null) return;
    const text = typingText(this.chat.typing.typers(this.roomId, Date.now()));
    this.conv.typing.textContent = text;
    this.conv.typing.classList.toggle('typing--on', text !== '');
  }

  private onScroll(): void {
    const parts = this.conv;
    if (!parts || this.roomId === null) return;
    const s = parts.scroller;
    const atBottom = s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
    this.stickToBottom = atBottom;
    if (atBottom) {
      this.unseenBelow = 0;
      parts.jump.hidden = true;
    }
    this.chat.setViewport(this.roomId, atBottom);
    if (s.scrollTop < LOAD_OLDER_PX) void this.chat.loadOlder(this.roomId);
  }

  private scrollToBottom(): void {
    const parts = this.conv;
    if (!parts) return;
    parts.scroller.scrollTop = parts.scroller.scrollHeight;
    this.stickToBottom = true;
    this.unseenBelow = 0;
    parts.jump.hidden = true;
    if (this.roomId !== null) this.chat.setViewport(this.roomId, true);
  }

  // --- messages -------------------------------------------------------------------------------

  private renderMessages(): void {
    const parts = this.conv;
    const roomId = this.roomId;
    if (!parts || roomId === null) return;
    const reasons = this.pendingReason;
    this.pendingReason = new Set();
    const tl = this.chat.timeline(roomId);
    const scroller = parts.scroller;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    const wasAtBottom = this.stickToBottom;
    const countBefore = parts.list.childElementCount;

    // The top of the list: a loader, an error with retry, or the start of the room.
    const loading = this.chat.loadingRooms.has(roomId);
    const error = this.chat.historyErrors.get(roomId);
    parts.topStatus.textContent = loading
      ? 'Loading messages…'
      : error
        ? `Could not load messages: ${error}`
        : tl.loadedLatest && !tl.hasMoreBefore
          ? tl.size === 0 && tl.pendingMessages().length === 0
            ? 'No messages yet. Say hello!'
            : 'This is the beginning of the conversation.'
          : '';
    parts.retryLoad.hidden = !error;

    const me = this.chat.me.id;
    const msgs = tl.messages();
    const placements = this.chat.receipts.placements(
      roomId,
      msgs.map((m) => m.seq),
      me,
    );
    const wanted: Array<{ key: string; ref: unknown; sig: string; make: () => HTMLElement }> = [];
    let prev: { senderId: number; at: number; day: string } | null = null;
    let markerPlaced = false;
    for (const m of msgs) {
      const day = dayKey(m.created_at);
      if (!prev || prev.day !== day) {
        wanted.push({ key: `d:${day}`, ref: day, sig: '', make: () => daySeparator(m.created_at) });
        prev = null;
      }
      if (this.unreadFrom !== null && m.seq >= this.unreadFrom && m.sender.id !== me && !markerPlaced) {
        markerPlaced = true;
        wanted.push({ key: 'unread', ref: m.seq, sig: '', make: () => unreadSeparator() });
        prev = null;
      }
      const at = Date.parse(m.created_at);
      const cont = prev !== null && prev.senderId === m.sender.id && at - prev.at < GROUP_MS;
      prev = { senderId: m.sender.id, at, day };
      const readers = (placements.get(m.seq) ?? [])
        .filter((id) => id !== m.sender.id)
        .map((id) => this.chat.userName(id) ?? 'someone');
      const editing = this.editingSeq === m.seq;
      const sig = `${cont}|${readers.join(',')}|${editing}`;
      wanted.push({ key: `s:${m.seq}`, ref: m, sig, make: () => this.messageEl(m, cont, readers, editing) });
    }
    for (const p of tl.pendingMessages()) {
      wanted.push({ key: `p:${p.clientMsgId}`, ref: p, sig: '', make: () => this.pendingEl(roomId, p) });
    }

    // Reconcile: reuse unchanged elements, replace changed ones, keep DOM order.
    const seen = new Set<string>();
    let cursor: ChildNode | null = parts.list.firstChild;
    for (const w of wanted) {
      seen.add(w.key);
      let r = this.rendered.get(w.key);
      if (!r || r.ref !== w.ref || r.sig !== w.sig) {
        const el = w.make();
        if (r) {
          if (cursor === r.el) cursor = el;
          r.el.replaceWith(el);
        }
        r = { ref: w.ref, sig: w.sig, el };
        this.rendered.set(w.key, r);
      }
      if (r.el !== cursor) parts.list.insertBefore(r.el, cursor);
      else cursor = cursor.nextSibling;
      if (r.el === cursor) cursor = cursor.nextSibling;
    }
    for (const [key, r] of this.rendered) {
      if (!seen.has(key)) {
        r.el.remove();
        this.rendered.delete(key);
      }
    }

    // Scroll: follow the bottom when we were there; keep the view steady when history grows above.
    const added = parts.list.childElementCount - countBefore;
    if (wasAtBottom || reasons.has('latest')) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (reasons.has('older')) {
      scroller.scrollTop = scroller.scrollHeight - fromBottom;
    } else if (reasons.has('new') && added > 0) {
      this.unseenBelow += added;
      parts.jump.hidden = false;
      parts.jump.textContent = this.unseenBelow === 1 ? '1 new message ↓' : `${this.unseenBelow} new messages ↓`;
    }
    this.chat.setViewport(roomId, this.stickToBottom);
    // Fill the viewport: a short first page may not be scrollable yet.
    if (!loading && tl.loadedLatest && tl.hasMoreBefore && scroller.scrollHeight <= scroller.clientHeight + LOAD_OLDER_PX && !error) {
      void this.chat.loadOlder(roomId);
    }
  }

  private messageEl(m: Message, cont: boolean, readers: string[], editing: boolean): HTMLElement {
    const own = m.sender.id === this.chat.me.id;
    const name = m.sender.display_name || m.sender.username;
    const classes = ['msg', own ? 'msg--own' : 'msg--other', cont ? 'msg--cont' : '', m.deleted ? 'msg--deleted' : '', editing ? 'msg--editing' : '']
      .filter(Boolean)
      .join(' ');
    const li = h('li', {
      class: classes,
      attrs: {
        'data-testid': 'message',
        'data-seq': m.seq,
        'data-message-id': m.id,
        'data-client-msg-id': m.client_msg_id ?? null,
        'data-sender': m.sender.username,
        'data-state': 'delivered',
      },
    });
    const gutter = own
      ? null
      : cont
        ? h('span', { class: 'msg__gutter', attrs: { 'aria-hidden': 'true' } })
        : h('span', { class: `avatar msg__avatar ${avatarClass(m.sender.username)}`, attrs: { 'aria-hidden': 'true' } }, initials(name), this.presenceDot(m.sender));
    const time = h('time', { class: 'msg__time', attrs: { datetime: m.created_at, title: formatFull(m.created_at) }, text: formatTime(m.created_at) });
    const meta = cont
      ? srOnly(`${own ? 'You' : name}, ${formatTime(m.created_at)}`)
      : h('div', { class: 'msg__meta' }, h('span', { class: 'msg__author', attrs: { 'data-testid': 'message-author' }, text: own ? 'You' : name }), time);
    const main = h('div', { class: 'msg__main' }, meta);
    if (editing) {
      main.append(this.editForm(m));
    } else {
      const body = h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' } });
      if (m.deleted) body.textContent = 'This message was deleted.';
      else body.append(renderBody(m.body));
      const bubble = h('div', { class: 'msg__bubble' }, body);
      if (m.edited_at && !m.deleted) bubble.append(h('span', { class: 'msg__edited', attrs: { title: formatFull(m.edited_at) }, text: '(edited)' }));
      const row = h('div', { class: 'msg__bubble-row' }, bubble);
      main.append(row);
      if (own && !m.deleted) {
        const edit = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'edit-message', 'aria-label': `Edit message from ${formatTime(m.created_at)}` }, text: 'Edit' });
        const del = h('button', { class: 'msg__action msg__action--danger', attrs: { type: 'button', 'data-testid': 'delete-message', 'aria-label': `Delete message from ${formatTime(m.created_at)}` }, text: 'Delete' });
        edit.addEventListener('click', () => this.startEdit(m.seq));
        del.addEventListener('click', () => this.deleteMessage(m));
        row.append(h('div', { class: 'msg__actions' }, edit, del));
        // Touch screens: a tap on the bubble shows or hides the actions (see styles.css).
        bubble.addEventListener('click', (ev) => {
          if ((ev.target as Element).closest('a')) return;
          li.classList.toggle('msg--selected');
        });
      }
    }
    if (readers.length > 0) {
      main.append(h('div', { class: 'msg__receipts', attrs: { 'data-testid': 'read-receipt' }, text: `Seen by ${readers.join(', ')}` }));
    }
    if (gutter) li.append(gutter);
    li.append(main);
    return li;
  }

  private presenceDot(user: User): HTMLElement | null {
    const online = this.chat.online.has(user.id);
    return online ? h('span', { class: 'presence presence--online', attrs: { title: 'online' } }) : null;
  }

  private pendingEl(roomId: number, p: PendingMessage): HTMLElement {
    const stateText = p.state === 'sending' ? 'Sending…' : p.state === 'sent' ? 'Sent' : `Not delivered${p.error ? `: ${p.error}` : ''}`;
    const status = h('div', { class: 'msg__status', attrs: { 'data-testid': 'message-status' } }, h('span', { text: stateText }));
    if (p.state === 'failed') {
      if (p.retryable !== false) {
        const retry = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'retry-message' }, text: 'Retry' });
        retry.addEventListener('click', () => this.chat.retry(roomId, p.clientMsgId));
        status.append(retry);
      }
      const discard = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'discard-message' }, text: 'Discard' });
      discard.addEventListener('click', () => this.chat.discard(roomId, p.clientMsgId));
      status.append(discard);
    }
    return h(
      'li',
      {
        class: `msg msg--own msg--pending msg--${p.state}`,
        attrs: { 'data-testid': 'message', 'data-state': p.state, 'data-client-msg-id': p.clientMsgId },
      },
      h(
        'div',
        { class: 'msg__main' },
        // The user's own text, shown as text: it becomes HTML only once the server has cleaned it.
        h('div', { class: 'msg__bubble' }, h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' }, text: p.body })),
        status,
      ),
    );
  }

  private startEdit(seq: number): void {
    this.editingSeq = seq;
    this.mark('messages');
    requestAnimationFrame(() => {
      const input = this.conv?.list.querySelector<HTMLTextAreaElement>('.msg--editing textarea');
      if (input) {
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      }
    });
  }

  private stopEdit(): void {
    this.editingSeq = null;
    this.mark('messages');
    requestAnimationFrame(() => this.conv?.input.focus());
  }

  private editForm(m: Message): HTMLElement {
    const input = h('textarea', { class: 'input msg__edit-input', attrs: { 'data-testid': 'edit-input', rows: 2, maxlength: 4000, 'aria-label': 'Edit message' } });
    input.value = bodyToSource(m.body);
    const save = h('button', { class: 'btn btn--primary btn--sm', attrs: { type: 'submit', 'data-testid': 'edit-save' }, text: 'Save' });
    const cancel = h('button', { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'edit-cancel' }, text: 'Cancel' });
    const hint = h('span', { class: 'msg__edit-hint', text: 'Enter to save · Esc to cancel' });
    const form = h('form', { class: 'msg__edit' }, input, h('div', { class: 'msg__edit-actions' }, hint, cancel, save));
    cancel.addEventListener('click', () => this.stopEdit());
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        this.stopEdit();
      } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (input.value.trim() === bodyToSource(m.body).trim()) {
        this.stopEdit();
        return;
      }
      save.disabled = true;
      void this.chat.edit(m, input.value).then((err) => {
        save.disabled = false;
        if (err) this.showToast(`Could not edit: ${err}`);
        else this.stopEdit();
      });
    });
    return form;
  }

  private deleteMessage(m: Message): void {
    void confirmDialog('Delete message?', 'Everyone in the room will see that a message was deleted.', 'Delete').then((yes) => {
      // The button that opened the dialog may be gone (re-rendered): keep focus somewhere useful.
      requestAnimationFrame(() => {
        if (!document.activeElement || document.activeElement === document.body) this.conv?.input.focus();
      });
      if (!yes) return;
      void this.chat.remove(m).then((err) => {
        if (err) this.showToast(`Could not delete: ${err}`);
      });
    });
  }
}

interface ConversationParts {
  root: HTMLElement;
  back: HTMLButtonElement;
  icon: HTMLElement;
  title: HTMLElement;
  subtitle: HTMLElement;
  addMember: HTMLButtonElement;
  leave: HTMLButtonElement;
  scroller: HTMLElement;
  topStatus: HTMLElement;
  retryLoad: HTMLButtonElement;
  list: HTMLOListElement;
  jump: HTMLButtonElement;
  typing: HTMLElement;
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  inputLabel: HTMLElement;
  send: HTMLButtonElement;
}

function buildConversation(roomId: number): ConversationParts {
  const back = h('button', { class: 'icon-btn conv__back', attrs: { type: 'button', 'aria-label': 'Back to rooms', 'data-testid': 'back-button' } }, icon('back'));
  const iconSlot = h('span', { class: 'conv__icon' });
  const title = h('h1', { class: 'conv__title', attrs: { 'data-testid': 'room-title' } });
  const subtitle = h('p', { class: 'conv__subtitle', attrs: { 'data-testid': 'room-subtitle' } });
  const addMember = h(
    'button',
    { class: 'btn btn--secondary btn--sm', attrs: { type: 'button', 'data-testid': 'add-member-button' } },
    icon('userPlus'),
    h('span', { class: 'btn__label', text: 'Add people' }),
  );
  const leave = h(
    'button',
    { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'leave-room-button' } },
    icon('leave'),
    h('span', { class: 'btn__label', text: 'Leave' }),
  );
  const topStatus = h('p', { class: 'conv__top-status', attrs: { role: 'status' } });
  const retryLoad = h('button', { class: 'btn btn--secondary btn--sm', attrs: { type: 'button', hidden: true }, text: 'Try again' });
  const list = h('ol', { class: 'messages', attrs: { 'data-testid': 'message-list', 'aria-label': 'Messages' } });
  const scroller = h('div', { class: 'conv__scroller', attrs: { 'data-testid': 'message-scroller', tabindex: '0', 'aria-label': 'Conversation' } }, h('div', { class: 'conv__top' }, topStatus, retryLoad), list);
  const jump = h('button', { class: 'jump', attrs: { type: 'button', hidden: true, 'data-testid': 'jump-to-latest' }, text: 'New messages ↓' });
  const typing = h('div', { class: 'typing', attrs: { 'data-testid': 'typing-indicator' } });
  const inputId = `composer-${roomId}`;
  const inputLabel = h('label', { class: 'sr-only', attrs: { for: inputId }, text: 'Message' });
  const input = h('textarea', {
    class: 'composer__input',
    attrs: { id: inputId, rows: 1, maxlength: 4000, 'data-testid': 'message-input', autocomplete: 'off', enterkeyhint: 'send', 'aria-describedby': `${inputId}-hint` },
  });
  const hint = h('span', { class: 'sr-only', attrs: { id: `${inputId}-hint` }, text: 'Enter to send, Shift+Enter for a new line.' });
  const send = h('button', { class: 'composer__send', attrs: { type: 'submit', 'data-testid': 'send-button' } }, icon('send'), h('span', { class: 'composer__send-text', text: 'Send' }));
  const form = h('form', { class: 'composer', attrs: { 'data-testid': 'composer' } }, inputLabel, hint, input, send);
  const root = h(
    'div',
    { class: 'conv' },
    h(
      'header',
      { class: 'conv__header' },
      back,
      iconSlot,
      h('div', { class: 'conv__heading' }, title, subtitle),
      h('div', { class: 'conv__tools' }, addMember, leave),
    ),
    h('div', { class: 'conv__body' }, scroller, jump),
    typing,
    form,
  );
  return { root, back, icon: iconSlot, title, subtitle, addMember, leave, scroller, topStatus, retryLoad, list, jump, typing, form, input, inputLabel, send };
}

function unreadSeparator(): HTMLElement {
  return h('li', { class: 'day day--unread', attrs: { 'data-testid': 'unread-marker' } }, h('span', { class: 'day__label', text: 'New messages' }));
}

function daySeparator(iso: string): HTMLElement {
  return h('li', { class: 'day' }, h('span', { class: 'day__label', text: formatDay(iso) }));
}
