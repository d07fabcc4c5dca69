/**
 * Account settings → Picture (PROTOCOL §6 avatars): upload an image; the server keeps a small
 * WebP copy and everyone who shares a room sees it where the initials were.
 */
import './attachments.css';
import { ApiError, describeError, type Api } from '../api';
import { DEFAULT_MAX_UPLOAD_BYTES, uploadErrorText, validateFile } from '../state/uploads';
import type { User } from '../types';
import { avatarEl } from './avatar';
import { field, h, replaceChildren } from './dom';

export function avatarSection(api: Api, user: User, saved: (user: User) => void): HTMLElement {
  const preview = h('span', { class: 'avatar-settings__preview', attrs: { 'data-testid': 'avatar-preview' } }, avatarEl(user, 'avatar--lg'));
  const file = h('input', { class: 'input', attrs: { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', 'data-testid': 'avatar-input' } });
  const submit = h('button', { class: 'btn btn--primary', attrs: { type: 'submit', 'data-testid': 'avatar-submit' }, text: 'Upload picture' });
  const progress = h('progress', { class: 'upload__progress', attrs: { max: 100, hidden: true, 'aria-label': 'Uploading the picture' } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': 'avatar-error', hidden: true } });
  const done = h('p', { class: 'notice', attrs: { role: 'status', 'data-testid': 'avatar-done', hidden: true } });
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'avatar-form', novalidate: true, 'aria-labelledby': 'settings-avatar' } },
    h('h2', { class: 'settings__title', attrs: { id: 'settings-avatar' }, text: 'Picture' }),
    h('div', { class: 'avatar-settings' }, preview, field('Picture', file, 'A PNG, JPEG, GIF or WebP image. Others see it next to your name.')),
    progress,
    error,
    done,
    submit,
  );
  const fail = (message: string): void => {
    error.textContent = message;
    error.hidden = false;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    done.hidden = true;
    const f = file.files?.[0];
    if (!f) {
      fail('Choose a picture first.');
      file.focus();
      return;
    }
    const refused = validateFile({ name: f.name, size: f.size, type: f.type }, DEFAULT_MAX_UPLOAD_BYTES);
    if (refused) {
      fail(refused);
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Uploading…';
    progress.value = 0;
    progress.hidden = false;
    api
      .uploadAvatar(f, f.name, { onProgress: (loaded, total) => (progress.value = total > 0 ? Math.floor((loaded / total) * 100) : 0) })
      .then((me) => {
        replaceChildren(preview, avatarEl(me, 'avatar--lg'));
        done.textContent = 'Saved. Others now see your new picture.';
        done.hidden = false;
        file.value = '';
        saved(me);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError) {
          fail(
            err.code === 'validation_error'
              ? 'That is not a picture: use a PNG, JPEG, GIF or WebP image.'
              : uploadErrorText({ status: err.status, code: err.code, message: err.message, details: err.details, retryAfter: err.retryAfter }, DEFAULT_MAX_UPLOAD_BYTES),
          );
        } else fail(err instanceof TypeError ? `Upload failed: ${describeError(err)}` : describeError(err));
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Upload picture';
        progress.hidden = true;
      });
  });
  return form;
}
