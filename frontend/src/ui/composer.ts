/** The composer of one room: Enter sends, Shift+Enter is a newline; the draft is kept per room. */
import { MAX_BODY } from '../limits';
import type { ViewContext } from './context';
import { h, icon } from './dom';

export interface ComposerHooks {
  /** A message was handed to the controller (shown as pending). */
  sent(): void;
}

export class ComposerView {
  readonly form: HTMLFormElement;
  readonly input: HTMLTextAreaElement;
  private readonly label: HTMLElement;
  private readonly send: HTMLButtonElement;

  constructor(
    private readonly ctx: ViewContext,
    private readonly roomId: number,
    private readonly drafts: Map<number, string>,
    private readonly hooks: ComposerHooks,
  ) {
    const inputId = `composer-${roomId}`;
    this.label = h('label', { class: 'sr-only', attrs: { for: inputId }, text: 'Message' });
    this.input = h('textarea', {
      class: 'composer__input',
      attrs: { id: inputId, rows: 1, maxlength: MAX_BODY, 'data-testid': 'message-input', autocomplete: 'off', enterkeyhint: 'send', 'aria-describedby': `${inputId}-hint` },
    });
    const hint = h('span', { class: 'sr-only', attrs: { id: `${inputId}-hint` }, text: 'Enter to send, Shift+Enter for a new line.' });
    this.send = h('button', { class: 'composer__send', attrs: { type: 'submit', 'data-testid': 'send-button' } }, icon('send'), h('span', { class: 'composer__send-text', text: 'Send' }));
    this.form = h('form', { class: 'composer', attrs: { 'data-testid': 'composer' } }, this.label, hint, this.input, this.send);

    const chat = ctx.chat;
    this.input.value = drafts.get(roomId) ?? '';
    this.fit();
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => {
      this.fit();
      if (this.input.value.trim()) chat.composerInput();
      else chat.composerIdle();
    });
    this.input.addEventListener('blur', () => chat.composerIdle());
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const error = chat.send(roomId, this.input.value);
      if (error) {
        ctx.toast(error);
        return;
      }
      this.input.value = '';
      this.drafts.delete(roomId);
      this.fit();
      this.hooks.sent();
      this.input.focus();
    });
  }

  /** "Message #room" as placeholder and label. */
  setLabel(text: string): void {
    this.input.placeholder = text;
    this.label.textContent = text;
  }

  focus(): void {
    this.input.focus();
  }

  saveDraft(): void {
    const v = this.input.value;
    if (v) this.drafts.set(this.roomId, v);
    else this.drafts.delete(this.roomId);
  }

  private fit(): void {
    // Rows, not inline styles: the CSP forbids style attributes.
    this.input.rows = Math.min(6, Math.max(1, this.input.value.split('\n').length));
    this.send.toggleAttribute('aria-disabled', this.input.value.trim() === '');
  }
}
