/**
 * Editing and deleting a message of the list: which message is being edited, its edit form
 * (Enter saves, Escape cancels), and the delete confirmation.
 */
import type { Message } from '../types';
import type { ViewContext } from './context';
import { confirmDialog } from './dialog';
import { h } from './dom';
import { bodyToSource } from './markup';

export interface EditorHooks {
  requestRender(): void;
  focusComposer(): void;
  /** The list element (the edit box is found in it after a render). */
  list: HTMLElement;
}

export class MessageEditor {
  /** The seq of the message being edited, if any. */
  editingSeq: number | null = null;

  constructor(
    private readonly ctx: ViewContext,
    private readonly hooks: EditorHooks,
  ) {}

  start(seq: number): void {
    this.editingSeq = seq;
    this.hooks.requestRender();
    requestAnimationFrame(() => {
      const input = this.hooks.list.querySelector<HTMLTextAreaElement>('.msg--editing textarea');
      if (input) {
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      }
    });
  }

  private stop(): void {
    this.editingSeq = null;
    this.hooks.requestRender();
    requestAnimationFrame(() => this.hooks.focusComposer());
  }

  form(m: Message): HTMLElement {
    const input = h('textarea', { class: 'input msg__edit-input', attrs: { 'data-testid': 'edit-input', rows: 2, 'aria-label': 'Edit message' } });
    input.value = m.source ?? bodyToSource(m.body);
    const save = h('button', { class: 'btn btn--primary btn--sm', attrs: { type: 'submit', 'data-testid': 'edit-save' }, text: 'Save' });
    const cancel = h('button', { class: 'btn btn--ghost btn--sm', attrs: { type: 'button', 'data-testid': 'edit-cancel' }, text: 'Cancel' });
    const hint = h('span', { class: 'msg__edit-hint', text: 'Enter to save · Esc to cancel' });
    const form = h('form', { class: 'msg__edit' }, input, h('div', { class: 'msg__edit-actions' }, hint, cancel, save));
    cancel.addEventListener('click', () => this.stop());
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        this.stop();
      } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (input.value.trim() === (m.source ?? bodyToSource(m.body)).trim()) {
        this.stop();
        return;
      }
      save.disabled = true;
      void this.ctx.chat.edit(m, input.value).then((err) => {
        save.disabled = false;
        if (err) this.ctx.toast(`Could not edit: ${err}`);
        else this.stop();
      });
    });
    return form;
  }

  delete(m: Message): void {
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
