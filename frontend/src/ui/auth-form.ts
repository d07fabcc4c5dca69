/** The pieces the sign-in and settings cards are built from: the card, inputs, errors, busy buttons. */
import { ApiError } from '../api';
import { h, setFieldError } from './dom';

const USERNAME_RE = /^[a-z0-9_.-]{3,32}$/i;

export function card(title: string, subtitle: string, ...content: Node[]): HTMLElement {
  return h(
    'main',
    { class: 'auth', attrs: { id: 'main' } },
    h(
      'div',
      { class: 'auth__card' },
      h('div', { class: 'brand', attrs: { 'aria-hidden': 'true' } }, h('span', { class: 'brand__mark' }), 'chatty'),
      h('h1', { class: 'auth__title', text: title }),
      h('p', { class: 'auth__subtitle', text: subtitle }),
      ...content,
    ),
  );
}

export function input(name: string, type: string, testid: string, extra: Record<string, string | boolean> = {}): HTMLInputElement {
  return h('input', { class: 'input', attrs: { name, type, 'data-testid': testid, ...extra } });
}

export function formError(testid: string): HTMLParagraphElement {
  return h('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': testid, hidden: true } });
}

export function showFormError(el: HTMLElement, message: string | null): void {
  el.textContent = message ?? '';
  el.hidden = message === null;
}

/** Put the server's 422 field messages next to the fields; returns true if any were shown. */
export function showFieldErrors(err: unknown, fields: Record<string, HTMLElement>): boolean {
  if (!(err instanceof ApiError) || err.code !== 'validation_error') return false;
  let shown = false;
  for (const [name, messages] of Object.entries(err.fieldErrors())) {
    const el = fields[name];
    if (el) {
      setFieldError(el, messages.join(' '));
      shown = true;
    }
  }
  return shown;
}

export function busy(button: HTMLButtonElement, on: boolean, label: string, busyLabel: string): void {
  button.disabled = on;
  button.textContent = on ? busyLabel : label;
  button.setAttribute('aria-busy', String(on));
}

export function validateUsername(el: HTMLInputElement): boolean {
  const ok = USERNAME_RE.test(el.value.trim());
  setFieldError(el, ok ? null : '3–32 characters: letters, digits, “_”, “.” or “-”.');
  return ok;
}

export function validatePassword(el: HTMLInputElement): boolean {
  const ok = el.value.length >= 8 && el.value.length <= 128;
  setFieldError(el, ok ? null : 'At least 8 characters.');
  return ok;
}
