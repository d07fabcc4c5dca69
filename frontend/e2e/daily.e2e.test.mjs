// The SPA as people use it every day (issue 17): keyboard, drafts and limits, unread, offline,
// members, account settings and accessibility (axe-core) — two people, Carol and Dave.
//
//   CHATTY_URL=http://127.0.0.1:8080 node --test frontend/e2e/
//
// Same environment as chat.e2e.test.mjs (CHATTY_URL, CHATTY_URL_B, SCREENSHOT_DIR, CHROMIUM_PATH,
// E2E_HEADED). Every wait is for a condition, never for a fixed time.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, BASE_B, DESKTOP, PHONE, STILL_LIGHT, SKIP, accessible, delivered, launch, newPage, roomItem as roomNamed,
  send, shot, steps, suffix,
} from './harness.mjs';

const carol = { username: `carol_${suffix}`, display: 'Carol Keys', password: 'a keyboard password' };
const dave = { username: `dave_${suffix}`, display: 'Dave Reader', password: 'dave reads everything' };
const roomName = `Standup ${suffix}`;

/** Anything that must never happen: an unexpected JS dialog, a page error, a CSP violation. */
const problems = [];
/** beforeunload prompts seen (accepted): the phrase screen asks before leaving. */
const beforeUnloads = [];

let browser;
let ctxC;
let ctxD;
let pageC;
let pageD;

/** Keyboard-only proof: count pointer events the page receives. */
function countPointerEvents() {
  window.__pointerEvents = 0;
  for (const type of ['mousedown', 'pointerdown', 'touchstart']) {
    window.addEventListener(type, () => (window.__pointerEvents += 1), true);
  }
}

/** The phrase screen asks before leaving: such prompts are accepted and recorded. */
const acceptBeforeUnload = (who) => async (d) => {
  if (d.type() !== 'beforeunload') return false;
  beforeUnloads.push(who);
  await d.accept().catch(() => {});
  return true;
};

const openPage = (who) => newPage(browser, who, problems, { context: STILL_LIGHT, init: [countPointerEvents], dialog: acceptBeforeUnload(who) });
const roomItem = (p) => roomNamed(p, roomName);

const a11y = [];
const step = steps('daily-', () => ({ carol: pageC, dave: pageD }));

describe('chatty SPA every day', { skip: SKIP }, () => {
  before(async () => {
    browser = await launch();
    ({ ctx: ctxC, page: pageC } = await openPage('carol'));
    ({ ctx: ctxD, page: pageD } = await openPage('dave'));
  });

  after(async () => {
    await ctxC?.close();
    await ctxD?.close();
    await browser?.close();
  });

  step('the sign-in and registration screens pass axe-core', async () => {
    await pageC.goto(`${BASE}/#/login`);
    await pageC.getByTestId('login-form').waitFor();
    a11y.push(...(await accessible(pageC, 'login')));
    await pageC.goto(`${BASE}/#/register`);
    await pageC.getByTestId('register-form').waitFor();
    a11y.push(...(await accessible(pageC, 'register')));
  });

  step('the recovery phrase survives a reload until confirmed, in sessionStorage only, and warns before leaving', async () => {
    await pageC.getByTestId('register-username').fill(carol.username);
    await pageC.getByTestId('register-display-name').fill(carol.display);
    await pageC.getByTestId('register-password').fill(carol.password);
    await pageC.getByTestId('register-submit').click();
    const text = pageC.getByTestId('recovery-phrase-text');
    await text.waitFor({ state: 'attached' });
    const phrase = (await text.textContent()).trim();
    assert.equal(phrase.split(/\s+/).length, 24);
    a11y.push(...(await accessible(pageC, 'recovery phrase')));

    const warns = await pageC.evaluate(() => {
      const ev = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(ev);
      return ev.defaultPrevented;
    });
    assert.equal(warns, true, 'leaving the phrase screen asks first');
    const stored = await pageC.evaluate(() => ({
      session: JSON.stringify(sessionStorage),
      local: JSON.stringify(localStorage),
    }));
    assert.ok(stored.session.includes(phrase), 'kept in sessionStorage');
    assert.ok(!stored.local.includes(phrase.split(' ').slice(0, 3).join(' ')), 'never in localStorage');

    await pageC.reload();
    await pageC.getByTestId('recovery-phrase').waitFor();
    assert.equal((await pageC.getByTestId('recovery-phrase-text').textContent()).trim(), phrase, 'the same phrase after a reload');

    await pageC.getByTestId('saved-it').click();
    await pageC.getByTestId('create-room-button').waitFor();
    const after = await pageC.evaluate(() => {
      const ev = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(ev);
      return { warns: ev.defaultPrevented, session: JSON.stringify(sessionStorage) };
    });
    assert.equal(after.warns, false, 'no warning once confirmed');
    assert.ok(!after.session.includes(phrase), 'forgotten once confirmed');

    // Dave, the second person.
    await pageD.goto(`${BASE_B}/#/register`);
    await pageD.getByTestId('register-username').fill(dave.username);
    await pageD.getByTestId('register-display-name').fill(dave.display);
    await pageD.getByTestId('register-password').fill(dave.password);
    await pageD.getByTestId('register-submit').click();
    await pageD.getByTestId('saved-it').click();
    await pageD.getByTestId('create-room-button').waitFor();
    a11y.push(...(await accessible(pageD, 'empty room list')));
  });

  step('a member list with presence; "Add people" shows who is already in; focus returns to the search', async () => {
    await pageC.getByTestId('create-room-button').click();
    await pageC.getByTestId('room-name-input').fill(roomName);
    await pageC.getByTestId('room-kind-private').check();
    a11y.push(...(await accessible(pageC, 'create room dialog')));
    await pageC.getByTestId('create-room-submit').click();
    await pageC.getByTestId('room-title').filter({ hasText: roomName }).waitFor();

    await pageC.getByTestId('add-member-button').click();
    const search = pageC.getByTestId('member-add-input');
    await search.fill(dave.username);
    await pageC.locator(`[data-testid="member-add-result"][data-username="${dave.username}"]`).click();
    await pageC.locator('[data-testid="member-add-result"][data-added="true"]').waitFor();
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'member-add-input');
    a11y.push(...(await accessible(pageC, 'add people dialog')));
    await pageC.keyboard.press('Escape');
    await pageC.getByTestId('add-member-dialog').waitFor({ state: 'detached' });

    // Opened again: Dave is shown as already in.
    await pageC.getByTestId('add-member-button').click();
    await pageC.getByTestId('already-members').filter({ hasText: dave.display }).waitFor();
    await pageC.getByTestId('member-add-input').fill(dave.username);
    await pageC
      .locator(`[data-testid="member-add-result"][data-username="${dave.username}"][data-added="true"]`)
      .filter({ hasText: 'Already in' })
      .waitFor();
    await shot(pageC, 'desktop-add-people-already-in');
    await pageC.keyboard.press('Escape');

    // Dave is online (his page is open): the member list says so.
    await roomItem(pageD).click();
    await pageD.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    // Presence is shared only once both chose the room (README "Who may see whose presence"):
    // being added is not choosing; writing there is.
    await send(pageD, 'Dave is here');
    await delivered(pageC, 'Dave is here').waitFor();
    await pageC.getByTestId('members-button').filter({ hasText: '2 members' }).click();
    await pageC.locator(`[data-testid="member"][data-username="${dave.username}"][data-presence="online"]`).waitFor();
    await pageC.locator(`[data-testid="member"][data-username="${carol.username}"]`).waitFor();
    await shot(pageC, 'desktop-member-list');
    a11y.push(...(await accessible(pageC, 'member list')));
    await pageC.keyboard.press('Escape');
    await pageC.getByTestId('members-dialog').waitFor({ state: 'detached' });
  });

  step('a public room name is taken once (any case): the second is refused with a clear message', async () => {
    const lobby = `Lobby ${suffix}`;
    await pageD.getByTestId('create-room-button').click();
    await pageD.getByTestId('room-name-input').fill(lobby);
    await pageD.getByTestId('room-kind-public').check();
    await pageD.getByTestId('create-room-submit').click();
    await pageD.getByTestId('room-title').filter({ hasText: lobby }).waitFor();

    await pageC.getByTestId('create-room-button').click();
    await pageC.getByTestId('room-name-input').fill(`  LOBBY   ${suffix} `);
    await pageC.getByTestId('room-kind-public').check();
    await pageC.getByTestId('create-room-submit').click();
    const alert = pageC.getByTestId('create-room-form').getByRole('alert');
    await alert.filter({ hasText: 'already exists' }).waitFor();
    assert.match(await alert.textContent(), /Browse/, 'says where to find the existing room');
    await shot(pageC, 'desktop-duplicate-room-name');
    a11y.push(...(await accessible(pageC, 'create room: name taken')));
    await pageC.keyboard.press('Escape');
    await pageC.getByTestId('create-room-dialog').waitFor({ state: 'detached' });

    await pageC.getByTestId('browse-rooms-button').click();
    await pageC.getByTestId('browse-filter').fill(suffix);
    const rows = pageC.getByTestId('public-rooms').locator('li');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'Browse lists one room of that name');
    await pageC.keyboard.press('Escape');
    await pageC.getByTestId('browse-dialog').waitFor({ state: 'detached' });
    await roomItem(pageD).click();
    await pageD.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
  });

  step('the composer counts near the limit, never truncates, disables Send over it, and keeps drafts across reloads', async () => {
    const input = pageC.getByTestId('message-input');
    const sendButton = pageC.getByTestId('send-button');
    await input.fill('x'.repeat(3990));
    await pageC.getByTestId('char-count').filter({ hasText: '3990 / 4000' }).waitFor();
    assert.equal(await sendButton.getAttribute('aria-disabled'), 'false');

    // A paste over the limit: kept whole, with an error, and Send refuses.
    await input.focus();
    await pageC.evaluate(() => {
      const el = document.querySelector('[data-testid="message-input"]');
      el.value = '';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await pageC.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      const el = document.querySelector('[data-testid="message-input"]');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, 'y'.repeat(4100));
    // Synthetic paste events do not insert text: insert it as the browser would.
    await pageC.keyboard.insertText('y'.repeat(4100));
    assert.equal((await input.inputValue()).length, 4100, 'nothing cut');
    await pageC.getByTestId('composer-error').filter({ hasText: '100 characters too long' }).waitFor();
    await pageC.getByTestId('char-count').filter({ hasText: '4100 / 4000' }).waitFor();
    assert.equal(await sendButton.getAttribute('aria-disabled'), 'true');
    await shot(pageC, 'desktop-composer-over-limit');
    a11y.push(...(await accessible(pageC, 'composer over the limit')));
    await input.press('Enter');
    await sendButton.click({ force: true }); // aria-disabled: focusable and clickable, but refuses
    assert.equal(await pageC.locator('[data-testid="message"]:not([data-seq])').count(), 0, 'nothing was sent');
    assert.equal((await input.inputValue()).length, 4100, 'still all there');

    // Drafts per room survive a reload.
    await input.fill('a draft for later');
    await pageC.reload();
    await pageC.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    assert.equal(await pageC.getByTestId('message-input').inputValue(), 'a draft for later');
    await pageC.getByTestId('message-input').fill('');
  });

  step('read receipts and room previews come from the server after a reload', async () => {
    await send(pageC, 'preview me please');
    await delivered(pageD, 'preview me please').waitFor(); // Dave has the room open: he reads it
    await pageC.reload();
    await delivered(pageC, 'preview me please').waitFor();
    await pageC.getByTestId('read-receipt').filter({ hasText: `Seen by ${dave.display}` }).waitFor();

    await pageD.goto(`${BASE_B}/#/rooms`);
    await pageD.reload();
    await roomItem(pageD).filter({ hasText: 'preview me please' }).waitFor();
    await shot(pageD, 'desktop-room-list-previews');
  });

  step('a room opens at the first unread, with "jump to latest" and "jump to first unread"', async () => {
    // Dave is on the room list; Carol writes more than a screenful.
    const lines = (i) => `unread ${i}\nsecond line of ${i}\nthird line of ${i}`;
    for (let i = 1; i <= 24; i++) {
      const input = pageC.getByTestId('message-input');
      await input.fill(lines(i));
      await input.press('Enter');
    }
    await delivered(pageC, 'third line of 24').waitFor();
    await roomItem(pageD).getByTestId('unread-badge').filter({ hasText: '24' }).waitFor();
    await roomItem(pageD).click();
    const marker = pageD.getByTestId('unread-marker');
    await marker.waitFor();
    await pageD.getByTestId('jump-to-latest').waitFor({ state: 'visible' });
    const inView = () =>
      pageD.evaluate(() => {
        const m = document.querySelector('[data-testid="unread-marker"]').getBoundingClientRect();
        const s = document.querySelector('[data-testid="message-scroller"]').getBoundingClientRect();
        return m.top >= s.top - 1 && m.bottom <= s.bottom + 1;
      });
    assert.equal(await inView(), true, 'the first unread is on screen');
    assert.ok(await roomItem(pageD).getByTestId('unread-badge').count(), 'still unread until read to the end');
    await shot(pageD, 'desktop-first-unread');
    a11y.push(...(await accessible(pageD, 'conversation at the first unread')));

    await pageD.getByTestId('jump-to-latest').click();
    await pageD.getByTestId('jump-to-latest').waitFor({ state: 'hidden' });
    await roomItem(pageD).getByTestId('unread-badge').waitFor({ state: 'detached' });
    await pageD.getByTestId('jump-to-unread').waitFor({ state: 'visible' });
    await pageD.getByTestId('jump-to-unread').click();
    await pageD.waitForFunction(() => {
      const m = document.querySelector('[data-testid="unread-marker"]').getBoundingClientRect();
      const s = document.querySelector('[data-testid="message-scroller"]').getBoundingClientRect();
      return m.top >= s.top - 1 && m.bottom <= s.bottom + 1;
    });
  });

  step('offline: a send waits visibly at once, presence is unknown, and it goes out on reconnect with the same client_msg_id', async () => {
    await ctxC.setOffline(true);
    await pageC.getByTestId('reconnecting-banner').waitFor({ state: 'visible' });
    await pageC.getByTestId('members-button').click();
    await pageC.locator(`[data-testid="member"][data-username="${dave.username}"][data-presence="unknown"]`).waitFor();
    await pageC.keyboard.press('Escape');
    await pageC.getByTestId('members-dialog').waitFor({ state: 'detached' });

    const input = pageC.getByTestId('message-input');
    await input.fill('written without a connection');
    await input.press('Enter');
    const queued = pageC.locator('[data-testid="message"][data-state="queued"]').filter({ hasText: 'written without a connection' });
    await queued.waitFor({ timeout: 2_000 }); // at once, not after the 10 s send timeout
    await pageC.getByTestId('message-status').filter({ hasText: 'Waiting for connection' }).waitFor({ timeout: 2_000 });
    const id = await queued.getAttribute('data-client-msg-id');
    await shot(pageC, 'desktop-offline-queued');
    a11y.push(...(await accessible(pageC, 'offline with a queued message')));

    await ctxC.setOffline(false);
    for (const page of [pageC, pageD]) {
      const got = delivered(page, 'written without a connection');
      await got.waitFor();
      assert.equal(await got.count(), 1, 'exactly once');
      assert.equal(await got.getAttribute('data-client-msg-id'), id, 'the same client_msg_id');
    }
  });

  step('keyboard only: sign in, open a room with Ctrl+K, send, edit the last message with Up, reply, react, sign out', async () => {
    await pageC.getByTestId('logout-button').click();
    await pageC.getByTestId('login-form').waitFor();
    await pageC.reload(); // a fresh page: the pointer-event counter starts at zero
    await pageC.getByTestId('login-username').waitFor();
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'login-username');
    await pageC.keyboard.type(carol.username);
    await pageC.keyboard.press('Tab');
    await pageC.keyboard.type(carol.password);
    await pageC.keyboard.press('Enter');
    // Focus lands in the room list after signing in.
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'room-item');

    await pageC.keyboard.press('Control+k');
    await pageC.getByTestId('switcher-input').waitFor();
    a11y.push(...(await accessible(pageC, 'room switcher')));
    await shot(pageC, 'desktop-room-switcher');
    await pageC.keyboard.type(suffix);
    await pageC.locator('[data-testid="switcher-option"][aria-selected="true"]').filter({ hasText: roomName }).waitFor();
    await pageC.keyboard.press('Enter');
    await pageC.getByTestId('room-title').filter({ hasText: roomName }).waitFor();
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message-input');

    await pageC.keyboard.type('typed without a mouse');
    await pageC.keyboard.press('Enter');
    await delivered(pageC, 'typed without a mouse').waitFor();

    await pageC.keyboard.press('ArrowUp');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'edit-input');
    assert.equal(await pageC.getByTestId('edit-input').inputValue(), 'typed without a mouse');
    await pageC.keyboard.press('Escape'); // cancels
    await pageC.getByTestId('edit-input').waitFor({ state: 'detached' });
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message-input');
    await pageC.keyboard.press('ArrowUp');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'edit-input');
    await pageC.keyboard.press('ControlOrMeta+a');
    await pageC.keyboard.type('edited without a mouse');
    await pageC.keyboard.press('Enter');
    await delivered(pageD, 'edited without a mouse').filter({ hasText: '(edited)' }).waitFor();

    // The message list is one tab stop; arrows move inside it, Enter reaches a message's actions.
    await pageC.keyboard.press('Shift+Tab');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message');
    const last = await pageC.evaluate(() => document.activeElement.textContent);
    assert.match(last, /edited without a mouse/, 'the newest message takes the list tab stop');
    await pageC.keyboard.press('ArrowUp');
    assert.doesNotMatch(await pageC.evaluate(() => document.activeElement.textContent), /edited without a mouse/);
    await pageC.keyboard.press('ArrowDown');
    await pageC.keyboard.press('Enter');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'reply-message');
    assert.equal(
      await pageC.evaluate(() => document.querySelectorAll('[data-testid="message-list"] [tabindex="0"]').length),
      5,
      'in the tab order: the focused message and its four actions (Reply, React, Edit, Delete)',
    );
    await pageC.keyboard.press('Tab');
    await pageC.keyboard.press('Tab');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'edit-message');
    await pageC.keyboard.press('Escape');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message');

    // Reply with the keyboard only (PROTOCOL §6): Enter reaches Reply, Enter answers in the composer.
    await pageC.keyboard.press('Enter');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'reply-message');
    await pageC.keyboard.press('Enter');
    await pageC.getByTestId('reply-bar').filter({ hasText: 'Replying to yourself: edited without a mouse' }).waitFor();
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message-input');
    assert.equal(await pageC.getByTestId('message-input').inputValue(), '', 'the Enter that chose Reply typed nothing');
    await pageC.keyboard.type('replied without a mouse');
    await pageC.keyboard.press('Enter');
    const keyboardReply = delivered(pageD, 'replied without a mouse');
    await keyboardReply.getByTestId('reply-quote').filter({ hasText: 'edited without a mouse' }).waitFor();

    // React with the keyboard only: back to the message, Reply → Tab → React, arrows in the picker, Enter.
    await pageC.keyboard.press('Shift+Tab');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message');
    assert.match(await pageC.evaluate(() => document.activeElement.querySelector('[data-testid="message-body"]').textContent), /edited without a mouse/);
    await pageC.keyboard.press('Enter');
    await pageC.keyboard.press('Tab');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'react-message');
    await pageC.keyboard.press('Enter');
    await pageC.getByTestId('emoji-picker').waitFor();
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-emoji') === '👍');
    await pageC.keyboard.press('ArrowRight');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-emoji') === '❤️');
    await pageC.keyboard.press('Enter');
    await pageC.getByTestId('emoji-picker').waitFor({ state: 'detached' });
    const heart = (page) =>
      page
        .locator('[data-testid="message"][data-seq]')
        .filter({ has: page.getByTestId('message-body').filter({ hasText: 'edited without a mouse' }) })
        .locator('[data-testid="reaction"][data-emoji="❤️"]');
    await heart(pageC).and(pageC.locator('[aria-pressed="true"]')).waitFor();
    await heart(pageD).and(pageD.locator('[aria-pressed="false"][data-count="1"]')).waitFor();
    // Focus is back on the message's React action, then Escape returns to the message.
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'react-message');
    await pageC.keyboard.press('Escape');
    await pageC.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'message');

    // Sign out: Tab through the page until the button has focus.
    for (let i = 0; i < 60; i++) {
      if (await pageC.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'logout-button')) break;
      await pageC.keyboard.press('Tab');
    }
    await pageC.keyboard.press('Enter');
    await pageC.getByTestId('login-form').waitFor();
    assert.equal(await pageC.evaluate(() => window.__pointerEvents), 0, 'no mouse, pointer or touch event');
  });

  step('the signed-in screens pass axe-core at both widths in both schemes', async () => {
    // Dave's room list (the phone layout makes it the main landmark with its h1) and conversation.
    await pageD.goto(`${BASE_B}/#/rooms`);
    await roomItem(pageD).waitFor();
    a11y.push(...(await accessible(pageD, 'room list')));
    await roomItem(pageD).click();
    await delivered(pageD, 'replied without a mouse').waitFor();
    // Hover-free state of a focused own message and of a confirm dialog.
    a11y.push(...(await accessible(pageD, 'conversation')));
    await pageD.setViewportSize(PHONE);
    await pageD.getByTestId('back-button').click();
    await roomItem(pageD).waitFor();
    // The phone room list is the page's main landmark, with an h1.
    const landmarks = await pageD.evaluate(() => {
      const shown = (el) => el.getClientRects().length > 0;
      const mains = [...document.querySelectorAll('main, [role="main"]')].filter(shown);
      const h1s = [...document.querySelectorAll('h1, [aria-level="1"]')].filter((el) => shown(el) && mains.some((m) => m.contains(el)));
      return { mains: mains.length, h1s: h1s.length };
    });
    assert.deepEqual(landmarks, { mains: 1, h1s: 1 }, 'one main landmark with an h1 on the phone room list');
    await pageD.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'room-item');
    await pageD.setViewportSize(DESKTOP);
    await pageD.getByTestId('browse-rooms-button').click();
    await pageD.getByTestId('browse-dialog').waitFor();
    a11y.push(...(await accessible(pageD, 'browse dialog')));
    await pageD.keyboard.press('Escape');
    await pageD.getByTestId('new-dm-button').click();
    await pageD.getByTestId('dm-search-input').fill(carol.username);
    await pageD.locator(`[data-testid="dm-result"][data-username="${carol.username}"]`).waitFor();
    a11y.push(...(await accessible(pageD, 'direct message dialog')));
    await pageD.keyboard.press('Escape');
    await pageD.getByTestId('dm-dialog').waitFor({ state: 'detached' });
    await roomItem(pageD).click();
    await send(pageD, 'to be deleted');
    const mine = delivered(pageD, 'to be deleted');
    await mine.hover();
    await mine.getByTestId('delete-message').click();
    await pageD.getByTestId('confirm-dialog').waitFor();
    a11y.push(...(await accessible(pageD, 'confirm delete')));
    await pageD.getByTestId('confirm-yes').click();
    await mine.waitFor({ state: 'detached' });
    assert.deepEqual(a11y, [], `axe-core found serious or critical violations:\n${a11y.join('\n')}`);
  });

  step('account settings: change the password and get a new recovery phrase (PROTOCOL §6)', async () => {
    await pageD.getByTestId('settings-link').click();
    await pageD.getByTestId('change-password-form').waitFor();
    await pageD.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'profile-display-name');
    await shot(pageD, 'desktop-account-settings');
    const found = await accessible(pageD, 'account settings');
    assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`);

    // A wrong current password is an error on the form, not the end of the session.
    await pageD.getByTestId('current-password').fill('not my password');
    await pageD.getByTestId('new-password').fill('dave has a new password');
    await pageD.getByTestId('change-password-submit').click();
    await pageD.getByTestId('change-password-error').filter({ hasText: 'not right' }).waitFor();
    await pageD.getByTestId('current-password').fill(dave.password);
    await pageD.getByTestId('change-password-submit').click();
    await pageD.getByTestId('change-password-done').waitFor();
    dave.password = 'dave has a new password';

    // A new phrase, shown on the phrase screen until confirmed.
    await pageD.getByTestId('phrase-password').fill('still not my password');
    await pageD.getByTestId('new-phrase-submit').click();
    await pageD.getByTestId('new-phrase-error').filter({ hasText: 'not right' }).waitFor();
    await pageD.getByTestId('phrase-password').fill(dave.password);
    await pageD.getByTestId('new-phrase-submit').click();
    const fresh = pageD.getByTestId('recovery-phrase-text');
    await fresh.waitFor({ state: 'attached' });
    const phrase = (await fresh.textContent()).trim();
    assert.equal(phrase.split(/\s+/).length, 24);
    await pageD.getByTestId('saved-it').click();
    await roomItem(pageD).waitFor();

    // The new password works; the new phrase recovers the account.
    await pageD.getByTestId('logout-button').click();
    await pageD.getByTestId('login-username').fill(dave.username);
    await pageD.getByTestId('login-password').fill(dave.password);
    await pageD.getByTestId('login-submit').click();
    await roomItem(pageD).waitFor();
    await pageD.getByTestId('logout-button').click();
    await pageD.getByTestId('go-recover').click();
    await pageD.getByTestId('recover-username').waitFor();
    const recoverScreen = await accessible(pageD, 'recover');
    assert.deepEqual(recoverScreen, [], `axe-core found serious or critical violations:\n${recoverScreen.join('\n')}`);
    await pageD.getByTestId('recover-username').fill(dave.username);
    await pageD.getByTestId('recover-phrase').fill(phrase);
    await pageD.getByTestId('recover-password').fill('dave recovered it');
    await pageD.getByTestId('recover-submit').click();
    await pageD.getByTestId('recovery-phrase').waitFor();
    await pageD.getByTestId('saved-it').click();
    await roomItem(pageD).waitFor();
  });

  step('had no unexpected dialogs, page errors or CSP violations', async () => {
    assert.deepEqual(problems, []);
  });
});
