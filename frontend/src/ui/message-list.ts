/**
 * The message list of one room: its top status, and where it is scrolled (the first unread, the
 * bottom while the reader is there, steady when history grows above, a jump to one message);
 * loads older history at the top. The items are built by ui/message-item.ts and reconciled by
 * key (ui/reconcile.ts), so unchanged message elements and the scroll position are kept; editing
 * is ui/message-edit.ts, keyboard access ui/message-focus.ts.
 */
import type { TimelineReason } from '../chat/controller';
import type { RoomTimeline } from '../state/timeline';
import type { Message } from '../types';
import type { ViewContext } from './context';
import { h } from './dom';
import { MessageEditor } from './message-edit';
import { RovingFocus } from './message-focus';
import { listItems, type MessageActions } from './message-item';
import { reconcile, type Rendered } from './reconcile';

export interface MessageListHooks {
  /** Ask for `render` at the next frame. */
  requestRender(): void;
  /** Where focus goes when an edit ends. */
  focusComposer(): void;
  /** "Reply" on a message: the composer answers it (ui/reply.ts). */
  reply(m: Message): void;
}

const NEAR_BOTTOM_PX = 48;
const LOAD_OLDER_PX = 300;
const MAX_UNREAD_PAGES = 4;

export class MessageListView {
  /** The scrolling area and the "new messages" jump button. */
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly topStatus: HTMLElement;
  private readonly retryLoad: HTMLButtonElement;
  private readonly list: HTMLOListElement;
  private readonly jump: HTMLButtonElement;
  private readonly jumpUnread: HTMLButtonElement;
  private readonly rendered = new Map<string, Rendered>();
  private readonly focus: RovingFocus;
  private readonly actions: MessageActions;
  private readonly editor: MessageEditor;
  /** Opening a room with unread messages starts at the first of them, not at the bottom. */
  private startAtUnread: boolean;
  /** Older pages fetched to reach the first unread; past MAX_UNREAD_PAGES it opens at the oldest loaded. */
  private unreadPages = 0;
  private stickToBottom = true;
  private unseenBelow = 0;
  /** A message to scroll to, focus and highlight once rendered (a jump to a reply's original, a search result). */
  private revealSeq: number | null = null;
  private flashTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly ctx: ViewContext,
    private readonly roomId: number,
    /** Where "New messages" starts: the first of the room's unread messages when it was opened. */
    private unreadFrom: number | null,
    private readonly hooks: MessageListHooks,
  ) {
    this.topStatus = h('p', { class: 'conv__top-status', attrs: { role: 'status' } });
    this.retryLoad = h('button', { class: 'btn btn--secondary btn--sm', attrs: { type: 'button', hidden: true }, text: 'Try again' });
    this.list = h('ol', { class: 'messages', attrs: { 'data-testid': 'message-list', 'aria-label': 'Messages' } });
    // One tab stop: the messages carry a roving tabindex (arrow keys move between them).
    this.scroller = h(
      'div',
      { class: 'conv__scroller', attrs: { 'data-testid': 'message-scroller' } },
      h('div', { class: 'conv__top' }, this.topStatus, this.retryLoad),
      this.list,
    );
    this.jump = h('button', { class: 'jump', attrs: { type: 'button', hidden: true, 'data-testid': 'jump-to-latest' }, text: 'New messages ↓' });
    this.jumpUnread = h('button', { class: 'jump jump--up', attrs: { type: 'button', hidden: true, 'data-testid': 'jump-to-unread' }, text: '↑ Jump to first unread' });
    this.root = h('div', { class: 'conv__body' }, this.jumpUnread, this.scroller, this.jump);
    this.startAtUnread = unreadFrom !== null;
    this.jump.addEventListener('click', () => this.scrollToBottom());
    this.jumpUnread.addEventListener('click', () => this.scrollToUnread());
    this.focus = new RovingFocus(this.list, {
      elementFor: (key) => this.rendered.get(key)?.el,
      focusComposer: () => hooks.focusComposer(),
      loadOlder: () => void ctx.chat.loadOlder(roomId),
    });
    this.editor = new MessageEditor(ctx, { requestRender: () => hooks.requestRender(), focusComposer: () => hooks.focusComposer(), list: this.list });
    this.actions = {
      reply: (m) => hooks.reply(m),
      jumpTo: (seq) => this.jumpTo(seq),
      startEdit: (seq) => this.editor.start(seq),
      deleteMessage: (m) => this.editor.delete(m),
      refocus: (seq, testid) => this.refocus(seq, testid),
      editForm: (m) => this.editor.form(m),
    };
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.retryLoad.addEventListener('click', () => void ctx.chat.retryHistory(roomId));
  }

  /** The reader sent a message: follow it to the bottom; the new messages count as read. */
  onOwnMessage(): void {
    if (this.unreadFrom !== null) {
      this.unreadFrom = null;
      this.hooks.requestRender();
    }
    this.stickToBottom = true;
  }

  /** A change of the reader's own making (sent, echoed back) keeps the view at the bottom. */
  followBottom(): void {
    this.stickToBottom = true;
  }

  /** Edit the newest own message that is not deleted; false when there is none. */
  editLast(): boolean {
    const chat = this.ctx.chat;
    const msgs = chat.timeline(this.roomId).messages();
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i]!;
      if (m.sender.id === chat.me.id && !m.deleted) {
        this.editor.start(m.seq);
        return true;
      }
    }
    return false;
  }

  /** Jump to a message: load it if needed (`around_seq`), then scroll to it, focus and highlight it. */
  jumpTo(seq: number): void {
    this.startAtUnread = false;
    void this.ctx.chat.reveal(this.roomId, seq).then((ok) => {
      if (!ok) {
        this.ctx.toast('That message could not be loaded here.');
        return;
      }
      this.revealSeq = seq;
      this.hooks.requestRender();
    });
  }

  render(reasons: ReadonlySet<TimelineReason>): void {
    const chat = this.ctx.chat;
    const roomId = this.roomId;
    const tl = chat.timeline(roomId);
    const scroller = this.scroller;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    const wasAtBottom = this.stickToBottom;
    const countBefore = this.list.childElementCount;
    const loading = chat.loadingRooms.has(roomId);
    const error = chat.historyErrors.get(roomId);
    this.renderTopStatus(tl, loading, error);
    reconcile(this.list, this.rendered, listItems(this.ctx, tl, { unreadFrom: this.unreadFrom, editingSeq: this.editor.editingSeq }, this.actions));
    this.focus.update();
    this.placeScroll(tl, reasons, { fromBottom, wasAtBottom, added: this.list.childElementCount - countBefore, error });
    if (this.revealSeq !== null) this.revealNow(this.revealSeq);
    this.updateJumpUnread();
    // Nothing counts as read before the list is placed at the first unread.
    chat.setViewport(roomId, this.stickToBottom && !this.startAtUnread);
    // Fill the viewport: a short first page may not be scrollable yet.
    if (!loading && tl.loadedLatest && tl.hasMoreBefore && scroller.scrollHeight <= scroller.clientHeight + LOAD_OLDER_PX && !error) {
      void chat.loadOlder(roomId);
    }
  }

  /** The top of the list: a loader, an error with retry, or the start of the room. */
  private renderTopStatus(tl: RoomTimeline, loading: boolean, error: string | undefined): void {
    this.topStatus.textContent = loading
      ? 'Loading messages…'
      : error
        ? `Could not load messages: ${error}`
        : tl.loadedLatest && !tl.hasMoreBefore
          ? tl.size === 0 && tl.pendingMessages().length === 0
            ? 'No messages yet. Say hello!'
            : 'This is the beginning of the conversation.'
          : '';
    this.retryLoad.hidden = !error;
  }

  /**
   * Scroll: start at the first unread; follow the bottom when we were there; keep the view
   * steady when history grows above.
   */
  private placeScroll(tl: RoomTimeline, reasons: ReadonlySet<TimelineReason>, at: { fromBottom: number; wasAtBottom: boolean; added: number; error: string | undefined }): void {
    const scroller = this.scroller;
    const marker = this.rendered.get('unread')?.el;
    const oldest = tl.oldestSeq();
    const unreadFurtherBack = tl.hasMoreBefore && oldest !== null && this.unreadFrom !== null && oldest > this.unreadFrom && !at.error;
    if (this.startAtUnread && tl.loadedLatest && !marker && unreadFurtherBack) {
      scroller.scrollTop = 0; // the first unread is further back: fetch older pages first
      if (reasons.has('older')) this.unreadPages += 1;
      if (this.unreadPages < MAX_UNREAD_PAGES) void this.ctx.chat.loadOlder(this.roomId);
      else {
        this.startAtUnread = false; // very many unread: start at the oldest loaded
        this.stickToBottom = this.atBottom();
      }
    } else if (this.startAtUnread && tl.loadedLatest && marker) {
      this.startAtUnread = false;
      scroller.scrollTop += marker.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
      this.stickToBottom = this.atBottom();
      if (!this.stickToBottom) {
        this.jump.hidden = false;
        this.jump.textContent = 'Jump to latest ↓';
      }
    } else if (at.wasAtBottom || reasons.has('latest')) {
      if (tl.loadedLatest) this.startAtUnread = false;
      scroller.scrollTop = scroller.scrollHeight;
    } else if (reasons.has('older')) {
      scroller.scrollTop = scroller.scrollHeight - at.fromBottom;
    } else if (reasons.has('new') && at.added > 0) {
      this.unseenBelow += at.added;
      this.jump.hidden = false;
      this.jump.textContent = this.unseenBelow === 1 ? '1 new message ↓' : `${this.unseenBelow} new messages ↓`;
    }
  }

  private revealNow(seq: number): void {
    const el = this.rendered.get(`s:${seq}`)?.el;
    if (!el) return;
    this.revealSeq = null;
    el.scrollIntoView({ block: 'center' });
    this.stickToBottom = this.atBottom();
    for (const old of this.list.querySelectorAll('[data-jump-target]')) {
      old.removeAttribute('data-jump-target');
      old.classList.remove('msg--flash');
    }
    el.setAttribute('data-jump-target', 'true');
    el.classList.add('msg--flash');
    if (this.flashTimer !== null) clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => el.classList.remove('msg--flash'), 2500);
    el.focus({ preventScroll: true });
  }

  /** After the emoji picker: back to the message's React button (or the message). */
  private refocus(seq: number, testid: string): void {
    requestAnimationFrame(() => {
      const li = this.rendered.get(`s:${seq}`)?.el;
      if (!li || !li.isConnected) return;
      (li.querySelector<HTMLElement>(`[data-testid="${testid}"]`) ?? li).focus({ preventScroll: true });
    });
  }

  private atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  /** "Jump to first unread" while the "New messages" line is above the visible part. */
  private updateJumpUnread(): void {
    const marker = this.rendered.get('unread')?.el;
    this.jumpUnread.hidden = !marker || marker.getBoundingClientRect().bottom > this.scroller.getBoundingClientRect().top;
  }

  private scrollToUnread(): void {
    const marker = this.rendered.get('unread')?.el;
    if (!marker) return;
    this.scroller.scrollTop += marker.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top - 8;
    this.jumpUnread.hidden = true;
    // Continue reading from there with the keyboard: the first unread message takes focus.
    const first = marker.nextElementSibling;
    if (first instanceof HTMLElement && first.dataset.testid === 'message') first.focus({ preventScroll: true });
  }

  private onScroll(): void {
    const s = this.scroller;
    const atBottom = this.atBottom();
    this.stickToBottom = atBottom;
    this.updateJumpUnread();
    if (atBottom) {
      this.unseenBelow = 0;
      this.jump.hidden = true;
    }
    this.ctx.chat.setViewport(this.roomId, atBottom && !this.startAtUnread);
    if (s.scrollTop < LOAD_OLDER_PX) void this.ctx.chat.loadOlder(this.roomId);
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.stickToBottom = true;
    this.unseenBelow = 0;
    this.jump.hidden = true;
    this.ctx.chat.setViewport(this.roomId, true);
  }
}
