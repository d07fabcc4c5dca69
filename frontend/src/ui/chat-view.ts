/**
 * The signed-in screen: the sidebar and the open conversation, plus the connection banner, a toast
 * and a live region. It listens to the ChatController and re-renders, once per frame, only the
 * parts a change touches.
 */
import type { ChatController, Change, TimelineReason } from '../chat/controller';
import { Drafts } from '../drafts';
import type { Room } from '../types';
import type { ViewContext } from './context';
import { ConversationView, emptyConversation } from './conversation';
import { h, replaceChildren } from './dom';
import { showNotification } from './notifications';
import { removalText, removedNotice } from './removed';
import { searchDialog } from './search';
import { onShortcut } from './shortcuts';
import { SidebarView } from './sidebar';

export interface ViewDeps {
  navigate(hash: string): void;
  logout(): void;
}

type Part = 'rooms' | 'header' | 'messages' | 'typing';

export class ChatView {
  readonly root: HTMLElement;
  private readonly ctx: ViewContext;
  private readonly banner: HTMLElement;
  private readonly sidebar: SidebarView;
  private readonly main: HTMLElement;
  private readonly live: HTMLElement;
  private readonly toast: HTMLElement;

  private roomId: number | null = null;
  private conv: ConversationView | null = null;
  private readonly drafts: Drafts;
  private dirty = new Set<Part>();
  private frame: number | null = null;
  private pendingReason = new Set<TimelineReason>();
  private bannerTimer: ReturnType<typeof setTimeout> | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;
  private readonly phone = window.matchMedia('(max-width: 720px)');
  private readonly onLayout = (): void => this.sidebar.setPrimary(this.phone.matches && this.roomId === null);
  /** After sign-in or a reload, focus starts on the room list once it is there. */
  private focusPlaced = false;
  /** A message to show once its room is open (search result, notification). */
  private pendingReveal: { roomId: number; seq: number } | null = null;
  private readonly onKeyDown = (ev: KeyboardEvent): void => onShortcut(this.ctx, ev);

  constructor(
    private readonly chat: ChatController,
    private readonly deps: ViewDeps,
  ) {
    this.drafts = new Drafts(chat.me.id);
    this.ctx = {
      chat,
      navigate: (hash) => deps.navigate(hash),
      openRoom: (room: Room) => deps.navigate(`#/rooms/${room.id}`),
      openMessage: (roomId, seq) => this.openMessage(roomId, seq),
      toast: (text) => this.showToast(text),
    };
    this.banner = h(
      'div',
      { class: 'banner', attrs: { 'data-testid': 'reconnecting-banner', role: 'status', hidden: true } },
      h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'banner__text', text: 'Reconnecting…' }),
    );
    this.sidebar = new SidebarView(this.ctx, () => deps.logout(), () => searchDialog(this.ctx));
    this.main = h('main', { class: 'conversation', attrs: { id: 'main', tabindex: '-1' } });
    this.live = h('div', { class: 'sr-only', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'live-region' } });
    this.toast = h('div', { class: 'toast', attrs: { role: 'alert', hidden: true, 'data-testid': 'toast' } });
    this.root = h('div', { class: 'app' }, this.banner, this.sidebar.root, this.main, this.live, this.toast);
    this.unsubscribe = chat.subscribe((c) => this.onChange(c));
    this.sidebar.renderRooms(null);
    this.renderConversation(null);
    document.addEventListener('keydown', this.onKeyDown);
    this.phone.addEventListener('change', this.onLayout);
    this.onLayout();
  }

  destroy(): void {
    this.unsubscribe();
    document.removeEventListener('keydown', this.onKeyDown);
    this.phone.removeEventListener('change', this.onLayout);
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.bannerTimer !== null) clearTimeout(this.bannerTimer);
    this.root.remove();
  }

  /** Route: `#/rooms` (null) or `#/rooms/{id}`. */
  showRoom(roomId: number | null): void {
    if (roomId === this.roomId) return;
    this.conv?.saveDraft();
    this.roomId = roomId;
    this.pendingReason.clear();
    // Where "New messages" starts: the first of the room's unread messages, as the list told us
    // (read before opening the room marks them read).
    const entry = roomId !== null ? this.chat.rooms.get(roomId) : undefined;
    const unreadFrom = entry && entry.unread > 0 ? entry.room.last_seq - entry.unread + 1 : null;
    this.chat.openRoom(roomId);
    this.root.classList.toggle('app--room-open', roomId !== null);
    this.onLayout();
    this.renderConversation(unreadFrom);
    this.sidebar.renderRooms(roomId);
    const reveal = this.pendingReveal;
    this.pendingReveal = null;
    if (roomId !== null && reveal?.roomId === roomId) {
      this.focusPlaced = true;
      this.conv?.reveal(reveal.seq); // focus goes to the message
    } else if (roomId !== null) {
      this.focusPlaced = true;
      this.conv?.focusComposer();
    } else if (!document.activeElement || document.activeElement === document.body) {
      // Back from a room (or it was left): the control that had focus is gone; the list takes it.
      this.sidebar.focusStart();
    }
  }

  /** A room at one message: the open room jumps there, another one opens first. */
  private openMessage(roomId: number, seq: number): void {
    if (roomId === this.roomId && this.conv) {
      this.conv.reveal(seq);
      return;
    }
    this.pendingReveal = { roomId, seq };
    this.deps.navigate(`#/rooms/${roomId}`);
  }

  private renderConversation(unreadFrom: number | null): void {
    const roomId = this.roomId;
    if (roomId === null) {
      this.conv = null;
      replaceChildren(this.main, emptyConversation(this.ctx));
      return;
    }
    this.conv = new ConversationView(this.ctx, roomId, { unreadFrom, drafts: this.drafts, requestRender: () => this.mark('messages') });
    replaceChildren(this.main, this.conv.root);
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
          if (c.mine && (c.reason === 'pending' || c.reason === 'new')) this.conv?.followBottom();
        }
        this.mark('rooms');
        break;
      case 'receipts':
        if (c.roomId === this.roomId) this.mark('messages');
        break;
      case 'members':
        if (c.roomId === this.roomId) this.mark('header');
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
        this.mark('rooms'); // presence dots: unknown while offline
        this.mark('header');
        break;
      case 'announce':
        this.announce(c.text);
        break;
      case 'notification':
        showNotification(this.ctx, c.event);
        break;
      case 'removed':
        this.onRemoved(c);
        break;
      case 'expired':
        break;
    }
  }

  /** Out of a room: by our own hand, go back to the list; otherwise say why (PROTOCOL §6 `room:removed`). */
  private onRemoved(c: Extract<Change, { type: 'removed' }>): void {
    if (c.reason === 'left') {
      if (c.roomId === this.roomId) this.deps.navigate('#/rooms');
      return;
    }
    const text = removalText(c);
    if (c.roomId !== this.roomId) {
      if (c.reason !== 'gone') {
        this.showToast(`${text.title}. ${text.detail}`);
        this.announce(`${text.title}. ${text.detail}`);
      }
      return;
    }
    // The open room: its dialogs (settings, members, a confirmation) no longer apply.
    for (const d of document.querySelectorAll<HTMLDialogElement>('dialog[open]')) d.close();
    this.conv?.saveDraft();
    this.conv = null;
    const { notice, heading } = removedNotice(c, text, () => this.deps.navigate('#/rooms'));
    replaceChildren(this.main, notice);
    // Focus on the heading: a screen reader reads why, and Tab goes on to "Back to rooms".
    heading.focus();
  }

  private mark(part: Part): void {
    this.dirty.add(part);
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = null;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has('rooms')) {
      this.sidebar.renderRooms(this.roomId);
      if (!this.focusPlaced && this.chat.roomsLoaded) {
        this.focusPlaced = true;
        const idle = !document.activeElement || document.activeElement === document.body;
        if (idle && this.roomId === null) this.sidebar.focusStart();
      }
    }
    if (!this.conv) return;
    if (dirty.has('header')) this.conv.renderHeader();
    if (dirty.has('messages')) {
      const reasons = this.pendingReason;
      this.pendingReason = new Set();
      this.conv.renderMessages(reasons);
    }
    if (dirty.has('typing')) this.conv.renderTyping();
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
}
