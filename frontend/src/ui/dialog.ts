/** Modal dialogs (native <dialog>: focus trapping and Escape come with it), and a confirmation. */
import type { User } from '../types';
import { h, icon, srOnly, uid } from './dom';

export function openDialog(title: string, testid: string, build: (close: () => void) => Node[]): HTMLDialogElement {
  const titleId = uid('dlg');
  const dialog = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': titleId, 'data-testid': testid } });
  const close = (): void => dialog.close();
  // The name is the (hidden) word "Close", not a glyph with a different label.
  const closeBtn = h('button', { class: 'icon-btn', attrs: { type: 'button', 'data-testid': 'dialog-close' } }, icon('close'), srOnly('Close'));
  closeBtn.addEventListener('click', close);
  dialog.append(
    h('header', { class: 'dialog__header' }, h('h2', { class: 'dialog__title', attrs: { id: titleId }, text: title }), closeBtn),
    h('div', { class: 'dialog__body' }, ...build(close)),
  );
  dialog.addEventListener('close', () => dialog.remove());
  // In a non-empty search field Chromium's Escape only clears the field, and the dialog stays:
  // Escape closes the dialog from anywhere in it.
  dialog.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && ev.target instanceof HTMLInputElement && ev.target.type === 'search') {
      ev.preventDefault();
      close();
    }
  });
  // A click on the backdrop (outside the box) closes it.
  dialog.addEventListener('click', (ev) => {
    if (ev.target === dialog) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

export function userLabel(user: User): HTMLElement {
  return h(
    'span',
    { class: 'user-label' },
    h('span', { class: 'user-label__name', text: user.display_name || user.username }),
    h('span', { class: 'user-label__handle', text: `@${user.username}` }),
  );
}

/** A small confirmation, without window.confirm (which blocks and is unstylable). */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const dialog = openDialog(title, 'confirm-dialog', (close) => {
      const yes = h('button', { class: 'btn btn--danger', attrs: { type: 'button', 'data-testid': 'confirm-yes' }, text: confirmLabel });
      const no = h('button', { class: 'btn btn--secondary', attrs: { type: 'button', 'data-testid': 'confirm-no' }, text: 'Cancel' });
      yes.addEventListener('click', () => {
        answered = true;
        resolve(true);
        close();
      });
      no.addEventListener('click', close);
      queueMicrotask(() => no.focus());
      return [h('p', { text }), h('div', { class: 'form__actions' }, no, yes)];
    });
    dialog.addEventListener('close', () => {
      if (!answered) resolve(false);
    });
  });
}
