/**
 * One item of the message list: a delivered message (with its actions, reactions, replies and
 * read receipts), a pending one (with its delivery state), or a day / "New messages" separator.
 */
import type { PendingMessage, RoomTimeline } from '../state/timeline';
import { mentionsUser } from '../state/mentions';
import type { Message, User } from '../types';
import { attachmentsEl } from './attachments';
import { avatarEl } from './avatar';
import type { ViewContext } from './context';
import { dayKey, formatDay, formatFull, formatTime, h, srOnly } from './dom';
import { renderBody } from './markup';
import { emojiPicker, reactionChips } from './reactions';
import type { WantedItem } from './reconcile';
import { replyCount, replyQuote } from './reply';

/** Messages of one sender closer together than this are grouped (no repeated avatar and name). */
const GROUP_MS = 5 * 60 * 1000;

/** How a delivered message is shown. */
export interface MessageLook {
  /** The same sender as the message above, shortly after: no avatar or name. */
  cont: boolean;
  /** Who has read up to this message (names). */
  readers: string[];
  editing: boolean;
  /** The reader may delete others' messages. */
  moderator: boolean;
}

/** What a message's controls do (the list owns the edit state and the jumps). */
export interface MessageActions {
  reply(m: Message): void;
  jumpTo(seq: number): void;
  startEdit(seq: number): void;
  deleteMessage(m: Message): void;
  /** After the emoji picker: focus back to a control of the message. */
  refocus(seq: number, testid: string): void;
  editForm(m: Message): HTMLElement;
}

/** Every item of a room's list in order: day separators, the "New messages" line, messages, then pending ones. */
export function listItems(ctx: ViewContext, tl: RoomTimeline, view: { unreadFrom: number | null; editingSeq: number | null }, actions: MessageActions): WantedItem[] {
  const chat = ctx.chat;
  const me = chat.me.id;
  // Admins and the owner may delete anyone's message (PROTOCOL §6).
  const moderator = chat.canModerate(tl.roomId);
  const msgs = tl.messages();
  const placements = chat.receipts.placements(
    tl.roomId,
    msgs.map((m) => m.seq),
    me,
  );
  const wanted: WantedItem[] = [];
  let prev: { senderId: number; at: number; day: string } | null = null;
  let markerPlaced = false;
  for (const m of msgs) {
    const day = dayKey(m.created_at);
    if (!prev || prev.day !== day) {
      wanted.push({ key: `d:${day}`, ref: day, sig: '', make: () => daySeparator(m.created_at) });
      prev = null;
    }
    if (view.unreadFrom !== null && m.seq >= view.unreadFrom && m.sender.id !== me && !markerPlaced) {
      markerPlaced = true;
      wanted.push({ key: 'unread', ref: m.seq, sig: '', make: () => unreadSeparator() });
      prev = null;
    }
    const at = Date.parse(m.created_at);
    const cont = prev !== null && prev.senderId === m.sender.id && at - prev.at < GROUP_MS;
    prev = { senderId: m.sender.id, at, day };
    const readers = (placements.get(m.seq) ?? []).filter((id) => id !== m.sender.id).map((id) => chat.userName(id) ?? 'someone');
    const editing = view.editingSeq === m.seq;
    const sig = `${cont}|${readers.join(',')}|${editing}|${moderator}|${chat.users.get(m.sender.id)?.avatar_url ?? ''}`;
    wanted.push({ key: `s:${m.seq}`, ref: m, sig, make: () => messageEl(ctx, m, { cont, readers, editing, moderator }, actions) });
  }
  for (const p of tl.pendingMessages()) {
    wanted.push({ key: `p:${p.clientMsgId}`, ref: p, sig: '', make: () => pendingEl(ctx, tl.roomId, p) });
  }
  return wanted;
}

export function messageEl(ctx: ViewContext, m: Message, look: MessageLook, actions: MessageActions): HTMLElement {
  const { cont, readers, editing } = look;
  const own = m.sender.id === ctx.chat.me.id;
  const name = m.sender.display_name || m.sender.username;
  const mentioned = !own && !m.deleted && mentionsUser(m, ctx.chat.me.id);
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
      : avatarEl(ctx.chat.users.get(m.sender.id) ?? m.sender, 'msg__avatar', presenceDot(ctx, m.sender));
  const time = h('time', { class: 'msg__time', attrs: { datetime: m.created_at, title: formatFull(m.created_at) }, text: formatTime(m.created_at) });
  const meta = cont
    ? srOnly(`${own ? 'You' : name}, ${formatTime(m.created_at)}`)
    : h('div', { class: 'msg__meta' }, h('span', { class: 'msg__author', attrs: { 'data-testid': 'message-author' }, text: own ? 'You' : name }), time);
  const main = h('div', { class: 'msg__main' }, meta, mentioned ? srOnly('Mentions you.') : null);
  if (m.reply_to) main.append(replyQuote(ctx, m.reply_to, (seq) => actions.jumpTo(seq)));
  if (editing) main.append(actions.editForm(m));
  else main.append(bubbleRow(ctx, m, li, look, actions));
  const chips = editing ? null : reactionChips(ctx, m);
  const replies = editing ? null : replyCount(ctx, m, { reply: (x) => actions.reply(x), jump: (seq) => actions.jumpTo(seq) });
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

/** The bubble (body, files, "(edited)") and, unless deleted, the message's actions beside it. */
function bubbleRow(ctx: ViewContext, m: Message, li: HTMLElement, look: MessageLook, actions: MessageActions): HTMLElement {
  const body = h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' } });
  if (m.deleted) body.textContent = 'This message was deleted.';
  else body.append(renderBody(m.body));
  const bubble = h('div', { class: 'msg__bubble' }, body, m.deleted ? null : attachmentsEl(m.attachments));
  if (m.edited_at && !m.deleted) bubble.append(h('span', { class: 'msg__edited', attrs: { title: formatFull(m.edited_at) }, text: '(edited)' }));
  const row = h('div', { class: 'msg__bubble-row' }, bubble);
  if (m.deleted) return row;
  row.append(actionButtons(ctx, m, look.moderator, actions));
  // Touch screens: a tap on the bubble shows or hides the actions (see styles.css).
  bubble.addEventListener('click', (ev) => {
    if ((ev.target as Element).closest('a')) return;
    li.classList.toggle('msg--selected');
  });
  return row;
}

/** Everyone may reply and react (PROTOCOL §6); edit is the author's, delete also a moderator's. */
function actionButtons(ctx: ViewContext, m: Message, moderator: boolean, actions: MessageActions): HTMLElement {
  const own = m.sender.id === ctx.chat.me.id;
  const name = m.sender.display_name || m.sender.username;
  const whose = own ? '' : ` by ${name}`;
  const at = formatTime(m.created_at);
  const reply = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'reply-message', 'aria-label': `Reply to message${whose} from ${at}` }, text: 'Reply' });
  reply.addEventListener('click', () => actions.reply(m));
  const react = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'react-message', 'aria-label': `React to message${whose} from ${at}`, 'aria-haspopup': 'dialog' }, text: 'React' });
  react.addEventListener('click', () => emojiPicker(ctx, m, () => actions.refocus(m.seq, 'react-message')));
  const bar = h('div', { class: 'msg__actions' }, reply, react);
  if (own) {
    // Editing stays the author's own (PROTOCOL §6).
    const edit = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'edit-message', 'aria-label': `Edit message from ${at}` }, text: 'Edit' });
    edit.addEventListener('click', () => actions.startEdit(m.seq));
    bar.append(edit);
  }
  if (own || moderator) {
    const del = h('button', { class: 'msg__action msg__action--danger', attrs: { type: 'button', 'data-testid': 'delete-message', 'aria-label': `Delete message${whose} from ${at}` }, text: 'Delete' });
    del.addEventListener('click', () => actions.deleteMessage(m));
    bar.append(del);
  }
  return bar;
}

function presenceDot(ctx: ViewContext, user: User): HTMLElement | null {
  const online = ctx.chat.online.has(user.id);
  return online ? h('span', { class: 'presence presence--online', attrs: { title: 'online' } }) : null;
}

function pendingStateText(p: PendingMessage): string {
  if (p.state === 'queued') return 'Waiting for connection…';
  if (p.state === 'busy') return 'Server busy, retrying…';
  if (p.state === 'sending') return 'Sending…';
  if (p.state === 'sent') return 'Sent';
  return `Not delivered${p.error ? `: ${p.error}` : ''}`;
}

/** A message on its way: its text as typed, and its delivery state (retry or discard when failed). */
export function pendingEl(ctx: ViewContext, roomId: number, p: PendingMessage): HTMLElement {
  const chat = ctx.chat;
  const status = h('div', { class: 'msg__status', attrs: { 'data-testid': 'message-status' } }, h('span', { text: pendingStateText(p) }));
  if (p.state === 'failed') {
    if (p.retryable !== false) {
      const retry = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'retry-message' }, text: 'Retry' });
      retry.addEventListener('click', () => chat.retry(roomId, p.clientMsgId));
      status.append(retry);
    }
    const discard = h('button', { class: 'msg__action', attrs: { type: 'button', 'data-testid': 'discard-message' }, text: 'Discard' });
    discard.addEventListener('click', () => chat.discard(roomId, p.clientMsgId));
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
      p.replyTo ? replyQuote(ctx, p.replyTo, null) : null,
      // The user's own text, shown as text: it becomes HTML only once the server has cleaned it.
      h('div', { class: 'msg__bubble' }, h('div', { class: 'msg__body', attrs: { 'data-testid': 'message-body' }, text: p.body }), attachmentsEl(p.attachments)),
      status,
    ),
  );
}

function unreadSeparator(): HTMLElement {
  return h('li', { class: 'day day--unread', attrs: { 'data-testid': 'unread-marker' } }, h('span', { class: 'day__label', text: 'New messages' }));
}

function daySeparator(iso: string): HTMLElement {
  return h('li', { class: 'day' }, h('span', { class: 'day__label', text: formatDay(iso) }));
}
