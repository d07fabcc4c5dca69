/**
 * Replies (PROTOCOL §6 "Replies and threads"): the composer's "Replying to …" bar, the quoted
 * excerpt on a reply (activating it jumps to the original), "N replies" and the dialog that lists
 * them (`?replies_to=`).
 */
import { describeError } from '../api';
import { displayName, replyCountText, replyingTo } from '../state/reply';
import type { Message, ReplyRef } from '../types';
import type { ViewContext } from './context';
import { openDialog } from './dialog';
import { formatFull, formatTime, h, icon, replaceChildren, srOnly } from './dom';
import { bodyText, renderBody } from './markup';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A reply reference made from a loaded message (what the server would send as `reply_to`). */
export function replyRef(m: Message): ReplyRef {
  return { id: m.id, seq: m.seq, sender: m.sender, excerpt: m.deleted ? '' : escapeHtml(bodyText(m.body).slice(0, 200)) };
}

/** The bar above the composer input while a reply is being written; Escape or its button cancels. */
export class ReplyBar {
  readonly root: HTMLElement;
  private readonly text: HTMLElement;
  private current: ReplyRef | null = null;

  constructor(
    private readonly ctx: ViewContext,
    id: string,
    private readonly changed: () => void,
  ) {
    this.text = h('span', { class: 'reply-bar__text', attrs: { id, 'data-testid': 'reply-bar-text' } });
    const cancel = h(
      'button',
      { class: 'icon-btn icon-btn--sm', attrs: { type: 'button', 'data-testid': 'reply-cancel', title: 'Cancel reply (Esc)' } },
      icon('close'),
      srOnly('Cancel reply'),
    );
    cancel.addEventListener('click', () => {
      this.clear();
      this.changed();
    });
    this.root = h('div', { class: 'reply-bar', attrs: { 'data-testid': 'reply-bar', hidden: true } }, icon('reply'), this.text, cancel);
  }

  get target(): ReplyRef | null {
    return this.current;
  }

  set(m: Message): void {
    this.current = replyRef(m);
    const { who, text } = replyingTo(this.current, bodyText(this.current.excerpt), this.ctx.chat.me.id);
    replaceChildren(this.text, 'Replying to ', h('strong', { text: who }), `: ${text}`);
    this.root.hidden = false;
  }

  clear(): void {
    this.current = null;
    this.text.textContent = ''; // nothing stale in the input's description
    this.root.hidden = true;
  }
}

/** The quote on a reply: who and what it answers. A button: it jumps to the original. */
export function replyQuote(ctx: ViewContext, ref: ReplyRef, jump: ((seq: number) => void) | null): HTMLElement {
  const { text } = replyingTo(ref, bodyText(ref.excerpt), -1);
  const who = ref.sender.id === ctx.chat.me.id ? 'You' : displayName(ref.sender);
  const parts = [h('span', { class: 'msg__quote-name', text: who }), h('span', { class: 'msg__quote-text', text })];
  if (!jump) return h('div', { class: 'msg__quote', attrs: { 'data-testid': 'reply-quote' } }, srOnly('In reply to '), ...parts);
  const b = h(
    'button',
    { class: 'msg__quote', attrs: { type: 'button', 'data-testid': 'reply-quote', 'data-reply-seq': ref.seq, title: 'Show the original message' } },
    srOnly('In reply to '),
    ...parts,
  );
  b.addEventListener('click', () => jump(ref.seq));
  return b;
}

/** "N replies" under a message that has some; opens the list. */
export function replyCount(ctx: ViewContext, m: Message, hooks: { reply(m: Message): void; jump(seq: number): void }): HTMLElement | null {
  const n = m.reply_count ?? 0;
  if (n <= 0 || m.deleted) return null;
  const b = h('button', {
    class: 'msg__replies',
    attrs: { type: 'button', 'data-testid': 'reply-count', 'aria-haspopup': 'dialog' },
    text: replyCountText(n),
  });
  b.addEventListener('click', () => repliesDialog(ctx, m, hooks));
  return b;
}

/** The replies to one message, oldest first, each with a way to it in the conversation. */
export function repliesDialog(ctx: ViewContext, m: Message, hooks: { reply(m: Message): void; jump(seq: number): void }): void {
  const chat = ctx.chat;
  const name = m.sender.id === chat.me.id ? 'you' : displayName(m.sender);
  openDialog(`Replies to ${name}`, 'replies-dialog', (close) => {
    const original = h('blockquote', { class: 'replies__original' }, m.deleted ? 'This message was deleted.' : renderBody(m.body));
    const status = h('p', { class: 'picker__status', attrs: { role: 'status' }, text: 'Loading replies…' });
    const list = h('ol', { class: 'replies', attrs: { 'data-testid': 'replies-list', 'aria-label': 'Replies' } });
    const reply = h('button', { class: 'btn btn--primary btn--sm', attrs: { type: 'button', 'data-testid': 'replies-reply' }, text: 'Reply' });
    reply.addEventListener('click', () => {
      close();
      hooks.reply(m);
    });
    chat.replies(m.room_id, m.id).then(
      (replies) => {
        status.textContent = replies.length === 0 ? 'No replies yet.' : replyCountText(replies.length);
        replaceChildren(
          list,
          ...replies.map((r) => {
            const open = h('button', {
              class: 'btn btn--ghost btn--sm',
              attrs: { type: 'button', 'data-testid': 'reply-open', 'aria-label': `Show ${displayName(r.sender)}’s reply from ${formatTime(r.created_at)} in the conversation` },
              text: 'Show',
            });
            open.addEventListener('click', () => {
              close();
              hooks.jump(r.seq);
            });
            return h(
              'li',
              { class: 'replies__item', attrs: { 'data-testid': 'reply-item', 'data-seq': r.seq } },
              h(
                'div',
                { class: 'replies__meta' },
                h('strong', { text: r.sender.id === chat.me.id ? 'You' : displayName(r.sender) }),
                h('time', { attrs: { datetime: r.created_at, title: formatFull(r.created_at) }, text: formatTime(r.created_at) }),
                open,
              ),
              h('div', { class: 'replies__body' }, r.deleted ? 'This message was deleted.' : renderBody(r.body)),
            );
          }),
        );
      },
      (err: unknown) => (status.textContent = `Could not load the replies: ${describeError(err)}`),
    );
    queueMicrotask(() => reply.focus());
    return [original, status, list, h('div', { class: 'form__actions' }, reply)];
  });
}
