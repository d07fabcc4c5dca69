/**
 * The message list of one room: day and "New messages" separators, delivered and pending messages,
 * the edit form, read receipts. Reconciled by key, so unchanged message elements (and the scroll
 * position) are kept; follows the bottom when the reader is there, loads older history at the top.
 */
import type { TimelineReason } from '../chat/controller';
import type { PendingMessage } from '../state/timeline';
import type { Message, User } from '../types';
import type { ViewContext } from './context';
import { confirmDialog } from './dialog';
import { attachmentsEl } from './attachments';
import { avatarEl } from './avatar';
import { dayKey, formatDay, formatFull, formatTime, h, srOnly } from './dom';
import { bodyToSource, renderBody } from './markup';
import { mentionsUser } from '../state/mentions';
import { emojiPicker, reactionChips } from './reactions';
import { replyCount, replyQuote } from './reply';

/** What inside a message joins the tab order while the message has focus (roving tabindex). */
const INNER_FOCUSABLE = '.msg__bubble a, .msg__actions button, .msg__status button, button.msg__quote, .msg__footer button';

interface Rendered {
  ref: unknown;
  sig: string;
  el: HTMLElement;
}

export interface MessageListHooks {
  /** Ask for `render` at the next frame. */
  requestRender(): void;
  /** Where focus goes when an edit ends. */
  focusComposer(): void;
  /** "Reply" on a message: the composer answers it (ui/reply.ts). */
  reply(m: Message): void;
}

const GROUP_MS = 5 * 60 * 1000;
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
  /** Roving tabindex: the one message in the tab order (the last one focused, else the newest). */
  private activeKey: string | null = null;
  private roving: HTMLElement | null = null;
  /** Opening a room with unread messages starts at the first of them, not at the bottom. */
  private startAtUnread: boolean;
  /** Older pages fetched to reach the first unread; past MAX_UNREAD_PAGES it opens at the oldest loaded. */
  private unreadPages = 0;
  private editingSeq: number | null = null;
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
    this.list.addEventListener('keydown', (ev) => this.onKey(ev));
    this.list.addEventListener('focusin', (ev) => this.onFocusIn(ev));
    this.list.addEventListener('focusout', (ev) => this.onFocusOut(ev));
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
        this.startEdit(m.seq);
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

    // The top of the list: a loader, an error with retry, or the start of the room.
    const loading = chat.loadingRooms.has(roomId);
    const error = chat.historyErrors.get(roomId);
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

    const me = chat.me.id;
    // Admins and the owner may delete anyone's message (PROTOCOL §6).
    const moderator = chat.canModerate(roomId);
    const msgs = tl.messages();
    const placements = chat.receipts.placements(
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
      const readers = (placements.get(m.seq) ?? []).filter((id) => id !== m.sender.id).map((id) => chat.userName(id) ?? 'someone');
      const editing = this.editingSeq === m.seq;
      const sig = `${cont}|${readers.join(',')}|${editing}|${moderator}|${chat.users.get(m.sender.id)?.avatar_url ?? ''}`;
      wanted.push({ key: `s:${m.seq}`, ref: m, sig, make: () => this.messageEl(m, cont, readers, editing, moderator) });
    }
    for (const p of tl.pendingMessages()) {
      wanted.push({ key: `p:${p.clientMsgId}`, ref: p, sig: '', make: () => this.pendingEl(p) });
    }

    // Reconcile: reuse unchanged elements, replace changed ones, keep DOM order.
    const seen = new Set<string>();
    let cursor: ChildNode | null = this.list.firstChild;
    for (const w of wanted) {
      seen.add(w.key);
      let r = this.rendered.get(w.key);
      if (!r || r.ref !== w.ref || r.sig !== w.sig) {
        const el = w.make();
        el.dataset.key = w.key;
        if (r) {
          const focused = document.activeElement;
          const hadFocus = r.el === focused;
          // Focus inside the message (a reaction chip, an action) moves to the same control in the new element.
          const inner = !hadFocus && focused instanceof HTMLElement && r.el.contains(focused) ? sameControl(focused) : null;
          const draft = r.el.querySelector<HTMLTextAreaElement>('.msg__edit-input')?.value;
          if (cursor === r.el) cursor = el;
          r.el.replaceWith(el);
          const editInput = el.querySelector<HTMLTextAreaElement>('.msg__edit-input');
          if (draft !== undefined && editInput) editInput.value = draft; // a reaction must not undo typing
          if (hadFocus && el.tabIndex === -1) el.focus({ preventScroll: true });
          else if (inner) (el.querySelector<HTMLElement>(inner) ?? el).focus({ preventScroll: true });
        }
        r = { ref: w.ref, sig: w.sig, el };
        this.rendered.set(w.key, r);
      }
      if (r.el !== cursor) this.list.insertBefore(r.el, cursor);
      else cursor = cursor.nextSibling;
      if (r.el === cursor) cursor = cursor.nextSibling;
    }
    for (const [key, r] of this.rendered) {
      if (!seen.has(key)) {
        r.el.remove();
        this.rendered.delete(key);
      }
    }

    this.updateRoving();

    // Scroll: start at the first unread; follow the bottom when we were there; keep the view
    // steady when history grows above.
    const added = this.list.childElementCount - countBefore;
    const marker = this.rendered.get('unread')?.el;
    const oldest = tl.oldestSeq();
    const unreadFurtherBack = tl.hasMoreBefore && oldest !== null && this.unreadFrom !== null && oldest > this.unreadFrom && !error;
    if (this.startAtUnread && tl.loadedLatest && !marker && unreadFurtherBack) {
      scroller.scrollTop = 0; // the first unread is further back: fetch older pages first
      if (reasons.has('older')) this.unreadPages += 1;
      if (this.unreadPages < MAX_UNREAD_PAGES) void chat.loadOlder(roomId);
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
    } else if (wasAtBottom || reasons.has('latest')) {
      if (tl.loadedLatest) this.startAtUnread = false;
      scroller.scrollTop = scroller.scrollHeight;
    } else if (reasons.has('older')) {
      scroller.scrollTop = scroller.scrollHeight - fromBottom;
    } else if (reasons.has('new') && added > 0) {
      this.unseenBelow += added;
      this.jump.hidden = false;
      this.jump.textContent = this.unseenBelow === 1 ? '1 new message ↓' : `${this.unseenBelow} new messages ↓`;
    }
    if (this.revealSeq !== null) this.revealNow(this.revealSeq);
    this.updateJumpUnread();
    // Nothing counts as read before the list is placed at the first unread.
    chat.setViewport(roomId, this.stickToBottom && !this.startAtUnread);
    // Fill the viewport: a short first page may not be scrollable yet.
    if (!loading && tl.loadedLatest && tl.hasMoreBefore && scroller.scrollHeight <= scroller.clientHeight + LOAD_OLDER_PX && !error) {
      void chat.loadOlder(roomId);
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

  // --- keyboard: roving tabindex over the messages ------------------------------------------------

  private messageEls(): HTMLElement[] {
    return [...this.list.querySelectorAll<HTMLElement>(':scope > [data-testid="message"]')];
  }

  private updateRoving(): void {
    const els = this.messageEls();
    const active = (this.activeKey !== null ? this.rendered.get(this.activeKey)?.el : undefined) ?? els[els.length - 1] ?? null;
    if (this.roving && this.roving !== active) this.roving.tabIndex = -1;
    if (active) active.tabIndex = 0;
    this.roving = active;
  }

  private onFocusIn(ev: FocusEvent): void {
    const li = (ev.target as Element).closest<HTMLElement>('[data-testid="message"]');
    if (!li || !this.list.contains(li)) return;
    this.activeKey = li.dataset.key ?? null;
    this.updateRoving();
    // The focused message's actions (and links) join the tab order after it.
    for (const el of li.querySelectorAll<HTMLElement>(INNER_FOCUSABLE)) el.tabIndex = 0;
  }

  private onFocusOut(ev: FocusEvent): void {
    const li = (ev.target as Element).closest<HTMLElement>('[data-testid="message"]');
    if (!li || (ev.relatedTarget instanceof Node && li.contains(ev.relatedTarget))) return;
    for (const el of li.querySelectorAll<HTMLElement>(INNER_FOCUSABLE)) el.tabIndex = -1;
  }

  private onKey(ev: KeyboardEvent): void {
    const target = ev.target as HTMLElement;
    const li = target.closest<HTMLElement>('[data-testid="message"]');
    if (!li) return;
    if (target !== li) {
      // Inside a message (an action, a link): Escape goes back to the message itself.
      if (ev.key === 'Escape' && !target.closest('form')) {
        ev.preventDefault();
        li.focus();
      }
      return;
    }
    const els = this.messageEls();
    const i = els.indexOf(li);
    let next: HTMLElement | undefined;
    if (ev.key === 'ArrowUp') next = els[i - 1];
    else if (ev.key === 'ArrowDown') next = els[i + 1];
    else if (ev.key === 'Home') next = els[0];
    else if (ev.key === 'End') next = els[els.length - 1];
    else if (ev.key === 'Enter') {
      li.querySelector<HTMLElement>('.msg__actions button, .msg__status button, .msg__bubble a')?.focus();
      ev.preventDefault();
      return;
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      this.hooks.focusComposer();
      return;
    } else return;
    ev.preventDefault();
    if (ev.key === 'ArrowUp' && i === 0) void this.ctx.chat.loadOlder(this.roomId);
    if (next) {
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    }
  }

  // --- one message ------------------------------------------------------------------------------

  private messageEl(m: Message, cont: boolean, readers: string[], editing: boolean, moderator: boolean): HTMLElement {
    const own = m.sender.id === this.ctx.chat.me.id;
    const name = m.sender.display_name || m.sender.username;
    const mentioned = !own && !m.deleted && mentionsUser(m, this.ctx.chat.me.id);
    const classes = ['msg', own ? 'msg--own' : 'msg--other', cont ? 'msg--cont' : '', m.deleted ? 'msg--deleted' : '', editing ? 'msg--editing' : '', mentioned ? 'msg--mention' : '']
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
        'data-mentioned': mentioned ? 'true' : null,
      },
    });
    const gutter = own
      ? null
      : cont
        ? h('span', { class: 'msg__gutter', attrs: { 'aria-hidden': 'true' } })
        : avatarEl(this.ctx.chat.users.get(m.sender.id) ?? m.sender, 'msg__avatar', this.presenceDot(m.sender));
    const time = h('time', { class: 'msg__time', attrs: { datetime: m.created_at, title: formatFull(m.created_at) }, text: formatTime(m.created_at) });
    const meta = cont
      ? srOnly(`${own ? 'You' : name}, ${formatTime(m.created_at)}`)
      : h('div', { class: 'msg__meta' }, h('span', { class: 'msg__author', attrs: { 'data-testid': 'message-author' }, text: own ? 'You' : name }), time);
    const main = h('div', { class: 'msg__main' }, meta, mentioned ? srOnly('Mentions you.') : null);
    if (m.reply_to) main.append(replyQuote(this.ctx, m.reply_to, (seq) => this.jumpTo(seq)));
    if (editing) {
      main.append(this.editForm(m));
    } else {
      const body = h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' } });
      if (m.deleted) body.textContent = 'This message was deleted.';
      else body.append(renderBody(m.body));
      const bubble = h('div', { class: 'msg__bubble' }, body, m.deleted ? null : attachmentsEl(m.attachments));
      if (m.edited_at && !m.deleted) bubble.append(h('span', { class: 'msg__edited', attrs: { title: formatFull(m.edited_at) }, text: '(edited)' }));
      const row = h('div', { class: 'msg__bubble-row' }, bubble);
      main.append(row);
      if (!m.deleted) {
        const whose = own ? '' : ` by ${name}`;
        const at = formatTime(m.created_at);
        // Everyone may reply and react (PROTOCOL §6); edit is the author's, delete also a moderator's.
        const reply = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'reply-message', 'aria-label': `Reply to message${whose} from ${at}` }, text: 'Reply' });
        reply.addEventListener('click', () => this.hooks.reply(m));
        const react = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'react-message', 'aria-label': `React to message${whose} from ${at}`, 'aria-haspopup': 'dialog' }, text: 'React' });
        react.addEventListener('click', () => emojiPicker(this.ctx, m, () => this.refocus(m.seq, 'react-message')));
        const actions = h('div', { class: 'msg__actions' }, reply, react);
        if (own) {
          // Editing stays the author's own (PROTOCOL §6).
          const edit = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'edit-message', 'aria-label': `Edit message from ${at}` }, text: 'Edit' });
          edit.addEventListener('click', () => this.startEdit(m.seq));
          actions.append(edit);
        }
        if (own || moderator) {
          const del = h('button', { class: 'msg__action msg__action--danger', attrs: { type: 'button', 'data-testid': 'delete-message', 'aria-label': `Delete message${whose} from ${at}` }, text: 'Delete' });
          del.addEventListener('click', () => this.deleteMessage(m));
          actions.append(del);
        }
        row.append(actions);
        // Touch screens: a tap on the bubble shows or hides the actions (see styles.css).
        bubble.addEventListener('click', (ev) => {
          if ((ev.target as Element).closest('a')) return;
          li.classList.toggle('msg--selected');
        });
      }
    }
    const chips = editing ? null : reactionChips(this.ctx, m);
    const replies = editing ? null : replyCount(this.ctx, m, { reply: (x) => this.hooks.reply(x), jump: (seq) => this.jumpTo(seq) });
    if (chips || replies) main.append(h('div', { class: 'msg__footer' }, chips, replies));
    if (readers.length > 0) {
      main.append(h('div', { class: 'msg__receipts', attrs: { 'data-testid': 'read-receipt' }, text: `Seen by ${readers.join(', ')}` }));
    }
    if (gutter) li.append(gutter);
    li.append(main);
    li.tabIndex = -1;
    if (!editing) for (const el of li.querySelectorAll<HTMLElement>('a, button')) el.tabIndex = -1;
    return li;
  }

  private presenceDot(user: User): HTMLElement | null {
    const online = this.ctx.chat.online.has(user.id);
    return online ? h('span', { class: 'presence presence--online', attrs: { title: 'online' } }) : null;
  }

  private pendingEl(p: PendingMessage): HTMLElement {
    const chat = this.ctx.chat;
    const stateText =
      p.state === 'queued'
        ? 'Waiting for connection…'
        : p.state === 'busy'
          ? 'Server busy, retrying…'
          : p.state === 'sending'
          ? 'Sending…'
          : p.state === 'sent'
            ? 'Sent'
            : `Not delivered${p.error ? `: ${p.error}` : ''}`;
    const status = h('div', { class: 'msg__status', attrs: { 'data-testid': 'message-status' } }, h('span', { text: stateText }));
    if (p.state === 'failed') {
      if (p.retryable !== false) {
        const retry = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'retry-message' }, text: 'Retry' });
        retry.addEventListener('click', () => chat.retry(this.roomId, p.clientMsgId));
        status.append(retry);
      }
      const discard = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'discard-message' }, text: 'Discard' });
      discard.addEventListener('click', () => chat.discard(this.roomId, p.clientMsgId));
      status.append(discard);
    }
    for (const el of status.querySelectorAll<HTMLElement>('button')) el.tabIndex = -1;
    return h(
      'li',
      {
        class: `msg msg--own msg--pending msg--${p.state}`,
        attrs: { 'data-testid': 'message', 'data-state': p.state, 'data-client-msg-id': p.clientMsgId, tabindex: '-1' },
      },
      h(
        'div',
        { class: 'msg__main' },
        p.replyTo ? replyQuote(this.ctx, p.replyTo, null) : null,
        // The user's own text, shown as text: it becomes HTML only once the server has cleaned it.
        h('div', { class: 'msg__bubble' }, h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' }, text: p.body }), attachmentsEl(p.attachments)),
        status,
      ),
    );
  }

  // --- edit and delete --------------------------------------------------------------------------

  private startEdit(seq: number): void {
    this.editingSeq = seq;
    this.hooks.requestRender();
    requestAnimationFrame(() => {
      const input = this.list.querySelector<HTMLTextAreaElement>('.msg--editing textarea');
      if (input) {
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      }
    });
  }

  private stopEdit(): void {
    this.editingSeq = null;
    this.hooks.requestRender();
    requestAnimationFrame(() => this.hooks.focusComposer());
  }

  private editForm(m: Message): HTMLElement {
    const input = h('textarea', { class: 'input msg__edit-input', attrs: { 'data-testid': 'edit-input', rows: 2, 'aria-label': 'Edit message' } });
    input.value = m.source ?? bodyToSource(m.body);
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
      if (input.value.trim() === (m.source ?? bodyToSource(m.body)).trim()) {
        this.stopEdit();
        return;
      }
      save.disabled = true;
      void this.ctx.chat.edit(m, input.value).then((err) => {
        save.disabled = false;
        if (err) this.ctx.toast(`Could not edit: ${err}`);
        else this.stopEdit();
      });
    });
    return form;
  }

  private deleteMessage(m: Message): void {
    void confirmDialog('Delete message?', 'Everyone in the room will see that a message was deleted.', 'Delete').then((yes) => {
      // The button that opened the dialog may be gone (re-rendered): keep focus somewhere useful.
      requestAnimationFrame(() => {
        if (!document.activeElement || document.activeElement === document.body) this.hooks.focusComposer();
      });
      if (!yes) return;
      void this.ctx.chat.remove(m).then((err) => {
        if (err) this.ctx.toast(`Could not delete: ${err}`);
      });
    });
  }
}

/** A selector for the same control in a re-rendered message (by test id, and emoji for a chip). */
function sameControl(el: HTMLElement): string | null {
  const testid = el.dataset.testid;
  if (!testid) return null;
  const emoji = el.dataset.emoji;
  return `[data-testid="${CSS.escape(testid)}"]${emoji ? `[data-emoji="${CSS.escape(emoji)}"]` : ''}`;
}

function unreadSeparator(): HTMLElement {
  return h('li', { class: 'day day--unread', attrs: { 'data-testid': 'unread-marker' } }, h('span', { class: 'day__label', text: 'New messages' }));
}

function daySeparator(iso: string): HTMLElement {
  return h('li', { class: 'day' }, h('span', { class: 'day__label', text: formatDay(iso) }));
}
