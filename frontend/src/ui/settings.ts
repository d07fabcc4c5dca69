/** Account settings (PROTOCOL §6): the display name, the avatar, the password, a new recovery phrase. */
import { ApiError, describeError, type Api } from '../api';
import type { User } from '../types';
import { busy, card, formError, input, showFieldErrors, showFormError, validatePassword } from './auth-form';
import { avatarSection } from './avatar-settings';
import { field, h, setFieldError } from './dom';
import { desktopNotificationsSection } from './notifications';

export interface SettingsDeps {
  api: Api;
  user: User;
  /** A new recovery phrase was issued: show it until it is confirmed. */
  newPhrase(phrase: string): void;
  /** The profile was saved (`PATCH /users/me`). */
  profileSaved(user: User): void;
}

/** Account settings (PROTOCOL §6): the display name, change the password, get a new recovery phrase. */
export function settingsScreen(deps: SettingsDeps): HTMLElement {
  // Built in page order: field() numbers the ids it gives.
  const profile = profileForm(deps);
  const password = passwordForm(deps.api);
  const phrase = phraseForm(deps);
  const back = h('a', { class: 'btn btn--ghost btn--sm', attrs: { href: '#/rooms', 'data-testid': 'settings-back' }, text: '← Back to chat' });
  queueMicrotask(() => profile.displayName.focus());
  return card(
    'Account settings',
    `Signed in as @${deps.user.username}.`,
    h('p', { class: 'settings__back' }, back),
    profile.form,
    h('hr', { class: 'settings__rule' }),
    avatarSection(deps.api, deps.user, deps.profileSaved),
    h('hr', { class: 'settings__rule' }),
    password,
    h('hr', { class: 'settings__rule' }),
    phrase,
    h('hr', { class: 'settings__rule' }),
    desktopNotificationsSection(),
  );
}

function wrongPassword(err: unknown): string {
  return err instanceof ApiError && err.status === 401 ? 'That password is not right.' : describeError(err);
}

/** Profile: the display name (1–64 characters, contract §1). */
function profileForm(deps: SettingsDeps): { form: HTMLFormElement; displayName: HTMLInputElement } {
  const displayName = input('display_name', 'text', 'profile-display-name', { autocomplete: 'nickname', required: true, maxlength: '64', value: deps.user.display_name });
  displayName.value = deps.user.display_name;
  const saveProfile = h('button', { class: 'btn btn--primary', attrs: { type: 'submit', 'data-testid': 'profile-submit' }, text: 'Save profile' });
  const profileError = formError('profile-error');
  const profileDone = h('p', { class: 'notice', attrs: { role: 'status', 'data-testid': 'profile-done', hidden: true } });
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'profile-form', novalidate: true, 'aria-labelledby': 'settings-profile' } },
    h('h2', { class: 'settings__title', attrs: { id: 'settings-profile' }, text: 'Profile' }),
    field('Display name', displayName, 'How others see you. Your username stays the same.'),
    profileError,
    profileDone,
    saveProfile,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(profileError, null);
    setFieldError(displayName, null);
    profileDone.hidden = true;
    const name = displayName.value.trim();
    if (name.length < 1 || name.length > 64) {
      setFieldError(displayName, 'A display name has 1 to 64 characters.');
      displayName.focus();
      return;
    }
    busy(saveProfile, true, 'Save profile', 'Saving…');
    deps.api
      .updateProfile({ display_name: name })
      .then((user) => {
        busy(saveProfile, false, 'Save profile', 'Saving…');
        displayName.value = user.display_name;
        profileDone.textContent = `Saved. Others now see you as ${user.display_name}.`;
        profileDone.hidden = false;
        deps.profileSaved(user);
      })
      .catch((err: unknown) => {
        busy(saveProfile, false, 'Save profile', 'Saving…');
        if (!showFieldErrors(err, { display_name: displayName })) showFormError(profileError, describeError(err));
        displayName.focus();
      });
  });
  return { form, displayName };
}

/** Change the password (the other sessions are signed out). */
function passwordForm(api: Api): HTMLFormElement {
  const current = input('current_password', 'password', 'current-password', { autocomplete: 'current-password', required: true });
  const next = input('new_password', 'password', 'new-password', { autocomplete: 'new-password', required: true, minlength: '8', maxlength: '128' });
  const change = h('button', { class: 'btn btn--primary', attrs: { type: 'submit', 'data-testid': 'change-password-submit' }, text: 'Change password' });
  const changeError = formError('change-password-error');
  const changeDone = h('p', { class: 'notice', attrs: { role: 'status', 'data-testid': 'change-password-done', hidden: true } });
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'change-password-form', novalidate: true, 'aria-labelledby': 'settings-password' } },
    h('h2', { class: 'settings__title', attrs: { id: 'settings-password' }, text: 'Password' }),
    field('Current password', current),
    field('New password', next, 'At least 8 characters. Your other sessions will be signed out.'),
    changeError,
    changeDone,
    change,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(changeError, null);
    changeDone.hidden = true;
    if (!current.value) {
      showFormError(changeError, 'Enter your current password.');
      current.focus();
      return;
    }
    if (!validatePassword(next)) {
      next.focus();
      return;
    }
    busy(change, true, 'Change password', 'Changing…');
    api
      .changePassword(current.value, next.value)
      .then(() => {
        busy(change, false, 'Change password', 'Changing…');
        current.value = '';
        next.value = '';
        changeDone.textContent = 'Password changed. Your other sessions were signed out.';
        changeDone.hidden = false;
      })
      .catch((err: unknown) => {
        busy(change, false, 'Change password', 'Changing…');
        if (!showFieldErrors(err, { current_password: current, new_password: next })) showFormError(changeError, wrongPassword(err));
        current.select();
      });
  });
  return form;
}

/** A new recovery phrase (the old one stops working); shown by `deps.newPhrase`. */
function phraseForm(deps: SettingsDeps): HTMLFormElement {
  const password = input('password', 'password', 'phrase-password', { autocomplete: 'current-password', required: true });
  const renew = h('button', { class: 'btn btn--secondary', attrs: { type: 'submit', 'data-testid': 'new-phrase-submit' }, text: 'Get a new recovery phrase' });
  const renewError = formError('new-phrase-error');
  const form = h(
    'form',
    { class: 'form', attrs: { 'data-testid': 'new-phrase-form', novalidate: true, 'aria-labelledby': 'settings-phrase' } },
    h('h2', { class: 'settings__title', attrs: { id: 'settings-phrase' }, text: 'Recovery phrase' }),
    h('p', { class: 'field__hint', text: 'Lost your phrase, or think someone saw it? Get a new one: the old one stops working.' }),
    field('Password', password),
    renewError,
    renew,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showFormError(renewError, null);
    if (!password.value) {
      showFormError(renewError, 'Enter your password.');
      password.focus();
      return;
    }
    busy(renew, true, 'Get a new recovery phrase', 'Getting…');
    deps.api
      .newRecoveryPhrase(password.value)
      .then((phrase) => deps.newPhrase(phrase))
      .catch((err: unknown) => {
        busy(renew, false, 'Get a new recovery phrase', 'Getting…');
        showFormError(renewError, wrongPassword(err));
        password.select();
      });
  });
  return form;
}
