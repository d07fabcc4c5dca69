/** Sign-in, registration, recovery and the one-time recovery-phrase screens. */
import { ApiError, describeError, type Api } from '../api';
import type { AuthResult } from '../types';
import { busy, card, formError, input, showFieldErrors, showFormError, validatePassword, validateUsername } from './auth-form';
import { field, h, setFieldError } from './dom';

export interface AuthDeps {
  api: Api;
  /** Tokens are in; `phrase` is set when the user must see a (new) recovery phrase first. */
  signedIn(result: AuthResult, phraseKind: 'register' | 'recover' | null): void;
}

export function loginScreen(deps: AuthDeps, notice: string | null = null): HTMLElement {
  const username = input('username', 'text', 'login-username', { autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = input('password', 'password', 'login-password', { autocomplete: 'current-password', required: true });
  const submit = h('button', { class: 'btn btn--primary btn--block', attrs: { type: 'submit', 'data-testid': 'login-submit' }, text: 'Sign in' });
  const error = formError('login-error');
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'login-form', novalidate: true } },
    notice ? h('p', { class: 'notice', attrs: { role: 'status', 'data-testid': 'login-notice' }, text: notice }) : null,
    field('Username', username),
    field('Password', password),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(error, null);
    if (!username.value.trim() || !password.value) {
      showFormError(error, 'Enter your username and password.');
      return;
    }
    busy(submit, true, 'Sign in', 'Signing in…');
    deps.api
      .login(username.value.trim().toLowerCase(), password.value)
      .then((r) => deps.signedIn(r, null))
      .catch((err: unknown) => {
        busy(submit, false, 'Sign in', 'Signing in…');
        showFormError(error, describeError(err));
        password.select();
      });
  });
  queueMicrotask(() => username.focus());
  return card(
    'Welcome back',
    'Sign in to pick up your conversations.',
    form,
    h(
      'p',
      { class: 'auth__links' },
      h('a', { attrs: { href: '#/register', 'data-testid': 'go-register' }, text: 'Create an account' }),
      h('span', { attrs: { 'aria-hidden': 'true' }, text: ' · ' }),
      h('a', { attrs: { href: '#/recover', 'data-testid': 'go-recover' }, text: 'Forgot your password?' }),
    ),
  );
}

export function registerScreen(deps: AuthDeps): HTMLElement {
  const username = input('username', 'text', 'register-username', { autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', maxlength: '32' });
  const display = input('display_name', 'text', 'register-display-name', { autocomplete: 'name', maxlength: '64' });
  const password = input('password', 'password', 'register-password', { autocomplete: 'new-password', required: true, minlength: '8', maxlength: '128' });
  const submit = h('button', { class: 'btn btn--primary btn--block', attrs: { type: 'submit', 'data-testid': 'register-submit' }, text: 'Create account' });
  const error = formError('register-error');
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'register-form', novalidate: true } },
    field('Username', username, 'Lower-case letters, digits, “_”, “.” or “-”; 3–32 characters.'),
    field('Display name (optional)', display, 'How others see you.'),
    field('Password', password, 'At least 8 characters.'),
    error,
    submit,
  );
  username.addEventListener('blur', () => username.value && validateUsername(username));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(error, null);
    const ok = [validateUsername(username), validatePassword(password)].every(Boolean);
    if (!ok) {
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    busy(submit, true, 'Create account', 'Creating…');
    deps.api
      .register(username.value.trim().toLowerCase(), password.value, display.value.trim() || undefined)
      .then((r) => deps.signedIn(r, 'register'))
      .catch((err: unknown) => {
        busy(submit, false, 'Create account', 'Creating…');
        if (err instanceof ApiError && err.code === 'conflict') {
          setFieldError(username, 'That username is taken.');
          username.focus();
        } else if (!showFieldErrors(err, { username, password, display_name: display })) {
          showFormError(error, describeError(err));
        }
      });
  });
  queueMicrotask(() => username.focus());
  return card(
    'Create your account',
    'No e-mail needed: you will get a recovery phrase instead.',
    form,
    h('p', { class: 'auth__links' }, 'Already have an account? ', h('a', { attrs: { href: '#/login' }, text: 'Sign in' })),
  );
}

export function recoverScreen(deps: AuthDeps): HTMLElement {
  const username = input('username', 'text', 'recover-username', { autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const phrase = h('textarea', {
    class: 'input input--phrase',
    attrs: { name: 'recovery_phrase', rows: 4, required: true, 'data-testid': 'recover-phrase', autocapitalize: 'none', spellcheck: 'false', autocomplete: 'off' },
  });
  const password = input('new_password', 'password', 'recover-password', { autocomplete: 'new-password', required: true, minlength: '8' });
  const submit = h('button', { class: 'btn btn--primary btn--block', attrs: { type: 'submit', 'data-testid': 'recover-submit' }, text: 'Reset password' });
  const error = formError('recover-error');
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'recover-form', novalidate: true } },
    field('Username', username),
    field('Recovery phrase', phrase, 'The 24 words you saved when you registered, separated by spaces.'),
    field('New password', password, 'At least 8 characters.'),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(error, null);
    const words = phrase.value.trim().split(/\s+/).filter(Boolean);
    const phraseOk = words.length === 24;
    setFieldError(phrase, phraseOk ? null : `Enter all 24 words (${words.length} so far).`);
    const ok = [username.value.trim() !== '', phraseOk, validatePassword(password)].every(Boolean);
    if (!ok) return;
    busy(submit, true, 'Reset password', 'Checking…');
    deps.api
      .recover(username.value.trim().toLowerCase(), words.join(' ').toLowerCase(), password.value)
      .then((r) => deps.signedIn(r, 'recover'))
      .catch((err: unknown) => {
        busy(submit, false, 'Reset password', 'Checking…');
        if (err instanceof ApiError && err.status === 401) showFormError(error, 'That username and recovery phrase do not match.');
        else if (!showFieldErrors(err, { username, recovery_phrase: phrase, new_password: password })) showFormError(error, describeError(err));
      });
  });
  queueMicrotask(() => username.focus());
  return card(
    'Recover your account',
    'Use your recovery phrase to set a new password. You will get a new phrase; the old one stops working.',
    form,
    h('p', { class: 'auth__links' }, h('a', { attrs: { href: '#/login' }, text: 'Back to sign in' })),
  );
}

/** Shows the 24-word phrase once; `done` continues into the app. */
export function phraseScreen(phrase: string, kind: 'register' | 'recover' | 'renew', done: () => void): HTMLElement {
  const words = phrase.trim().split(/\s+/);
  const list = h(
    'ol',
    { class: 'phrase', attrs: { 'data-testid': 'recovery-phrase', 'aria-label': 'Recovery phrase' } },
    ...words.map((w) => h('li', { class: 'phrase__word' }, h('span', { class: 'phrase__text', text: w }))),
  );
  // The exact phrase as one string, for copying and for tests.
  const raw = h('p', { class: 'sr-only', attrs: { 'data-testid': 'recovery-phrase-text' }, text: words.join(' ') });
  const status = h('p', { class: 'copy-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const copy = h('button', { class: 'btn btn--secondary', attrs: { type: 'button', 'data-testid': 'copy-phrase' }, text: 'Copy phrase' });
  copy.addEventListener('click', () => {
    const text = words.join(' ');
    const fallback = (): void => {
      const sel = window.getSelection();
      const range = document.createRange();
      range.selectNodeContents(raw);
      sel?.removeAllRanges();
      sel?.addRange(range);
      const ok = document.execCommand('copy');
      sel?.removeAllRanges();
      status.textContent = ok ? 'Copied.' : 'Copy failed: select the words and copy them by hand.';
    };
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(text).then(() => (status.textContent = 'Copied to the clipboard.'), fallback);
    } else {
      fallback();
    }
  });
  const saved = h('button', {
    class: 'btn btn--primary btn--block',
    attrs: { type: 'button', 'data-testid': 'saved-it' },
    text: 'I have saved it — continue',
  });
  saved.addEventListener('click', done);
  queueMicrotask(() => copy.focus());
  return card(
    kind === 'register' ? 'Save your recovery phrase' : 'Your new recovery phrase',
    kind === 'register'
      ? 'This is the only way back into your account if you forget your password. It is shown only this once: write it down or store it in a password manager.'
      : kind === 'recover'
        ? 'Your password has been changed and every other session signed out. Your old phrase no longer works: save this one instead. It is shown only this once.'
        : 'Your old phrase no longer works: save this one instead. It is shown only this once.',
    list,
    raw,
    h('div', { class: 'phrase__actions' }, copy, status),
    h('p', { class: 'warning', text: 'Anyone with this phrase can take over your account. Never share it.' }),
    saved,
  );
}
