/**
 * The composer of one room: Enter sends, Shift+Enter is a newline, Up in an empty composer edits
 * the last own message. Nothing is cut silently: near the limit a counter shows the length, over
 * it an error says by how much and Send is disabled. The draft is kept per room (across reloads).
 */
import type { Drafts } from '../drafts';
import { MAX_BODY } from '../limits';
import type { ViewContext } from './context';
import type { Message } from '../types';
import { h, icon } from './dom';
import { MentionAutocomplete } from './mentions';
import { ReplyBar } from './reply';
import type { ComposerFiles } from './upload';

export interface ComposerHooks {
  /** A message was handed to the controller (shown as pending). */
  sent(): void;
  /** Up-arrow in an empty composer: edit the last own message; false when there is none. */
  editLast(): boolean;
  /** Files to send with the message (ui/upload.ts): attach button, pending chips, their ids. */
  files?: ComposerFiles;
}

/** The counter appears this close to the limit. */
const COUNTER_FROM = MAX_BODY - 500;

export class ComposerView {
  readonly form: HTMLFormElement;
  readonly input: HTMLTextAreaElement;
  private readonly label: HTMLElement;
  private readonly send: HTMLButtonElement;
  private readonly counter: HTMLElement;
  private readonly error: HTMLElement;
  /** "Replying to …" (ui/reply.ts) and `@` autocomplete (ui/mentions.ts). */
  private readonly reply: ReplyBar;
  private readonly mentions: MentionAutocomplete;

  constructor(
    private readonly ctx: ViewContext,
    private readonly roomId: number,
    private readonly drafts: Drafts,
    private readonly hooks: ComposerHooks,
  ) {
    const inputId = `composer-${roomId}`;
    this.label = h('label', { class: 'sr-only', attrs: { for: inputId }, text: 'Message' });
    // No maxlength: it would cut a long paste silently. The counter and the error say it instead.
    this.input = h('textarea', {
      class: 'composer__input',
      attrs: {
        id: inputId,
        rows: 1,
        'data-testid': 'message-input',
        autocomplete: 'off',
        enterkeyhint: 'send',
        'aria-describedby': `${inputId}-reply ${inputId}-hint ${inputId}-count ${inputId}-error`,
      },
    });
    const hint = h('span', { class: 'sr-only', attrs: { id: `${inputId}-hint` }, text: 'Enter to send, Shift+Enter for a new line, Up to edit your last message, @ to mention someone.' });
    this.reply = new ReplyBar(ctx, `${inputId}-reply`, () => this.input.focus());
    this.mentions = new MentionAutocomplete(ctx, roomId, this.input);
    this.counter = h('span', { class: 'composer__count', attrs: { id: `${inputId}-count`, 'data-testid': 'char-count', hidden: true } });
    this.error = h('p', { class: 'composer__error', attrs: { id: `${inputId}-error`, role: 'alert', 'data-testid': 'composer-error', hidden: true } });
    this.send = h(
      'button',
      { class: 'composer__send', attrs: { type: 'submit', 'data-testid': 'send-button', 'aria-disabled': 'true' } },
      icon('send'),
      h('span', { class: 'composer__send-text', text: 'Send' }),
    );
    this.form = h(
      'form',
      { class: 'composer', attrs: { 'data-testid': 'composer' } },
      this.label,
      hint,
      this.reply.root,
      h('div', { class: 'composer__field' }, hooks.files?.tray, this.mentions.list, this.mentions.status, this.input, h('div', { class: 'composer__meta' }, this.error, this.counter)),
      // After the input: Shift+Tab from the message box still goes straight to the messages.
      hooks.files?.button,
      this.send,
    );

    const chat = ctx.chat;
    this.input.value = drafts.get(roomId);
    hooks.files?.onChange(() => this.update());
    this.update();
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.form.requestSubmit();
      } else if (ev.key === 'Escape' && this.reply.target) {
        ev.preventDefault();
        this.reply.clear();
      } else if (ev.key === 'ArrowUp' && this.input.value === '' && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
        if (this.hooks.editLast()) ev.preventDefault();
      }
    });
    this.input.addEventListener('input', () => {
      this.update();
      this.drafts.set(roomId, this.input.value);
      if (this.input.value.trim()) chat.composerInput();
      else chat.composerIdle();
    });
    this.input.addEventListener('blur', () => chat.composerIdle());
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (this.send.getAttribute('aria-disabled') === 'true') {
        const busy = this.hooks.files?.busy() ?? 0;
        if (busy > 0) ctx.toast(busy === 1 ? 'Wait for the upload to finish.' : `Wait for ${busy} uploads to finish.`);
        this.input.focus();
        return;
      }
      const replyTo = this.reply.target;
      const error = chat.send(roomId, this.input.value, { ...(replyTo ? { replyTo } : {}), attachments: this.hooks.files?.take() ?? [] });
      if (error) {
        ctx.toast(error);
        return;
      }
      this.input.value = '';
      this.reply.clear();
      this.drafts.set(roomId, '');
      this.update();
      this.hooks.sent();
      this.input.focus();
    });
  }

  /** "Message #room" as placeholder and label. */
  setLabel(text: string): void {
    this.input.placeholder = text;
    this.label.textContent = text;
  }

  /** Answer a message: the bar shows what, Escape cancels; the next send carries `reply_to_id`. */
  replyTo(m: Message): void {
    this.reply.set(m);
    this.input.focus();
  }

  focus(): void {
    this.input.focus();
  }

  saveDraft(): void {
    this.drafts.set(this.roomId, this.input.value);
  }

  private update(): void {
    const value = this.input.value;
    // Rows, not inline styles: the CSP forbids style attributes.
    this.input.rows = Math.min(6, Math.max(1, value.split('\n').length));
    const length = value.trim().length;
    const over = length - MAX_BODY;
    this.counter.hidden = length < COUNTER_FROM;
    this.counter.textContent = `${length} / ${MAX_BODY}`;
    this.counter.classList.toggle('composer__count--over', over > 0);
    this.error.hidden = over <= 0;
    this.error.textContent = over > 0 ? `${over} ${over === 1 ? 'character' : 'characters'} too long: messages are limited to ${MAX_BODY}.` : '';
    if (over > 0) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
    // With files (PROTOCOL §6) an empty message may go, once every upload has finished.
    const files = this.hooks.files;
    const empty = length === 0 && (files?.ready() ?? 0) === 0;
    this.send.setAttribute('aria-disabled', String(empty || over > 0 || (files?.busy() ?? 0) > 0));
  }
}
